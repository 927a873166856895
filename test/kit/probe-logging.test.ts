// Probes stay quiet: `/health` and `/ready` are logged at debug, every other request at info as
// Fastify does, and a route schema's union of literals comes back as "must be one of …".
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Type, createHttpApp, createMetrics, type HttpAppHandle } from '../../src/kit/index.js';
import { makeTempDir, testConfig } from '../helpers.js';

const tmp = makeTempDir();
let handle: HttpAppHandle | undefined;
afterEach(async () => {
  await handle?.app.close();
  handle = undefined;
});

async function appLogging(level: 'info' | 'debug'): Promise<{ handle: HttpAppHandle; lines: Array<{ level: number; msg: string; req?: { url: string } }> }> {
  const logs = new PassThrough();
  const lines: Array<{ level: number; msg: string; req?: { url: string } }> = [];
  logs.on('data', (c: Buffer) => {
    for (const l of c.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as (typeof lines)[number]);
  });
  handle = await createHttpApp({
    service: 'video',
    title: 't',
    description: 'd',
    config: testConfig(tmp.dir, { PITCHEY_LOG_LEVEL: level }),
    metrics: createMetrics({ defaultMetrics: false }),
    logStream: logs,
  });
  handle.app.post(
    '/pick',
    { config: { auth: 'public' }, schema: { body: Type.Object({ strategy: Type.Union([Type.Literal('canary'), Type.Literal('blue-green'), Type.Literal('rolling')]) }) } },
    () => ({ ok: true }),
  );
  return { handle, lines };
}

describe('request logging', () => {
  it('keeps /health and /ready out of info, and logs other requests there', async () => {
    const { handle, lines } = await appLogging('info');
    for (const url of ['/health', '/ready', '/ready?x=1']) expect((await handle.app.inject({ url })).statusCode).toBeLessThan(600);
    expect(lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toEqual([]);
    await handle.app.inject({ url: '/openapi.json' });
    expect(lines.filter((l) => l.msg === 'request completed').map((l) => l.level)).toEqual([30]);
  });
  it('logs them at debug when debug is on', async () => {
    const { handle, lines } = await appLogging('debug');
    await handle.app.inject({ url: '/ready' });
    const probe = lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
    expect(probe.map((l) => [l.msg, l.level])).toEqual([
      ['incoming request', 20],
      ['request completed', 20],
    ]);
  });
});

describe('validation problems', () => {
  it('say which values a union of literals allows, once', async () => {
    const { handle } = await appLogging('info');
    const res = await handle.app.inject({ method: 'POST', url: '/pick', payload: { strategy: 'bogus' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body/strategy', message: 'must be one of canary, blue-green, rolling' }] });
    expect(res.json<{ errors: unknown[] }>().errors).toHaveLength(1);
  });
});
