import { afterEach, describe, expect, it } from 'vitest';
import { effectiveConfig } from '../../src/deploy/environment-api.js';
import { loadConfig } from '../../src/kit/config.js';
import { makeTempDir } from '../helpers.js';

let cleanup = (): void => undefined;
afterEach(() => cleanup());

describe('effective configuration', () => {
  it('shows the settings, versions and checks settings, and no secret anywhere', () => {
    const tmp = makeTempDir();
    cleanup = tmp.remove;
    const secrets = ['api-key-that-is-secret-0123456789', 'jwt-secret-that-is-long-enough-0123456789', 'hmac-secret-of-a-webhook'];
    const config = loadConfig({
      PITCHEY_DATA_DIR: tmp.dir,
      PITCHEY_DEPLOY_ENV: 'staging',
      PITCHEY_LOG_LEVEL: 'debug',
      PITCHEY_API_KEYS: secrets[0],
      PITCHEY_JWT_SECRET: secrets[1],
      PITCHEY_NOTIFY_WEBHOOKS: JSON.stringify([{ name: 'ops', url: 'http://127.0.0.1:9/hook', format: 'json', secret: secrets[2] }]),
    });
    const c = effectiveConfig(config, { currentVersion: (s) => (s === 'ai' ? 'v2' : 'v1') }, ['ai', 'video']);
    expect(c.env).toBe('staging');
    expect(c.settings.logLevel).toBe('debug');
    expect(c.versions).toEqual({ ai: 'v2', video: 'v1' });
    expect(c.checks).toMatchObject({ capacity: { cpuPercent: 70 } });
    expect(Object.keys(c.settings)).not.toContain('apiKeys');
    const text = JSON.stringify(c);
    for (const s of secrets) expect(text).not.toContain(s);
  });
});
