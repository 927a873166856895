// Which gateway a command talks to (cli/gateway.ts): --gateway, else the data dir's running
// platform (PITCHEY_PORT must agree), else PITCHEY_PORT; with nothing named, a refusal, never a guess.
import { describe, expect, it } from 'vitest';
import { resolveGateway, type GatewayInputs } from '../../src/cli/gateway.js';
import { UsageError } from '../../src/cli/usage.js';

const running = { gateway: { url: 'http://127.0.0.1:41000', pid: 4242 }, instances: [] };
const base: GatewayInputs = { given: undefined, runState: null, runStateFile: '/d/run/instances.json', port: null, host: '127.0.0.1', pidAlive: () => true };
const refusal = (i: Partial<GatewayInputs>): string => {
  try {
    resolveGateway({ ...base, ...i });
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('resolved');
};

describe('resolveGateway', () => {
  it('takes --gateway first, over everything else', () => {
    expect(resolveGateway({ ...base, given: 'http://10.0.0.5:8080/', runState: running, port: 9000 })).toEqual({ url: 'http://10.0.0.5:8080', source: '--gateway' });
    expect(refusal({ given: 'localhost:8080' })).toContain('--gateway must be an http(s) URL');
  });
  it('then the platform running from the data dir', () => {
    expect(resolveGateway({ ...base, runState: running })).toEqual({ url: 'http://127.0.0.1:41000', source: '/d/run/instances.json' });
    // PITCHEY_PORT=0 ("any free port", as `pitchey up` is often started) names no port.
    expect(resolveGateway({ ...base, runState: running, port: 0 }).url).toBe('http://127.0.0.1:41000');
    expect(resolveGateway({ ...base, runState: running, port: 41000 }).url).toBe('http://127.0.0.1:41000');
  });
  it('refuses when PITCHEY_PORT names another platform than the one running from the data dir', () => {
    expect(refusal({ runState: running, port: 9000 })).toMatch(/PITCHEY_PORT=9000, but the platform running from this data dir .* listens at http:\/\/127\.0\.0\.1:41000/);
  });
  it('honours PITCHEY_PORT when no platform is recorded, or the recorded one is gone', () => {
    expect(resolveGateway({ ...base, port: 9000 })).toEqual({ url: 'http://127.0.0.1:9000', source: 'PITCHEY_PORT' });
    expect(resolveGateway({ ...base, runState: running, pidAlive: () => false, port: 9000 }).url).toBe('http://127.0.0.1:9000');
    expect(resolveGateway({ ...base, port: 9000, host: '0.0.0.0' }).url).toBe('http://127.0.0.1:9000');
    expect(resolveGateway({ ...base, port: 9000, host: '::1' }).url).toBe('http://[::1]:9000');
  });
  it('refuses to guess when nothing names a gateway; health alone falls back to the home port', () => {
    expect(refusal({})).toMatch(/^no platform runs from this data dir: .*--gateway URL or PITCHEY_PORT/);
    expect(refusal({ runState: running, pidAlive: () => false })).toContain('(pid 4242) is not running');
    expect(resolveGateway({ ...base, orHomePort: 8080 }).url).toBe('http://127.0.0.1:8080');
  });
});
