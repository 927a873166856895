import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway, type InstancePool, type StatsView } from '../../src/gateway/index.js';
import { createMetrics, keyId } from '../../src/kit/index.js';
import { TEST_KEY, VIDEO_ONLY_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startUpstream, type Upstream } from './upstream.js';

const tmp = makeTempDir();
let gateway: Gateway;
let base: string;
let stable: Upstream;
let canary: Upstream;

const admin = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };
const BOB = 'bob-key-0123456789abcdef';

async function problem(res: Response): Promise<[number, string]> {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return [res.status, ((await res.json()) as { code: string }).code];
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/_pitchey/admin${path}`, { method, headers: body === undefined ? { 'x-api-key': TEST_KEY } : admin, body: body === undefined ? null : JSON.stringify(body) });
}

beforeAll(async () => {
  [stable, canary] = await Promise.all([startUpstream(tmp.dir, 'stable-a', 'v1'), startUpstream(tmp.dir, 'canary-a', 'v2')]);
  gateway = await createGateway({
    config: testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_API_KEYS: `${TEST_KEY},${VIDEO_ONLY_KEY}:video,${BOB}:qa-lead+video@bob` }),
    metrics: createMetrics({ defaultMetrics: false }),
    healthIntervalMs: 60_000,
  });
  base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await gateway.close();
  await Promise.all([stable.close(), canary.close()]);
  tmp.remove();
});

describe('gateway admin API', () => {
  it("tells any valid key who it is and what it may do (the dashboard's buttons), and reads each track's series", async () => {
    const whoami = async (key: string): Promise<unknown> => (await fetch(`${base}/_pitchey/admin/whoami`, { headers: { 'x-api-key': key } })).json();
    expect(await whoami(TEST_KEY)).toEqual({ id: keyId(TEST_KEY), person: null, admin: true, roles: [] });
    expect(await whoami(VIDEO_ONLY_KEY)).toEqual({ id: keyId(VIDEO_ONLY_KEY), person: null, admin: false, roles: [] });
    expect(await whoami(BOB)).toEqual({ id: keyId(BOB), person: 'bob', admin: false, roles: ['qa-lead'] });
    expect(await problem(await fetch(`${base}/_pitchey/admin/whoami`))).toEqual([401, 'AUTH_REQUIRED']);
    const series = (query: string): Promise<Response> => fetch(`${base}/_pitchey/admin/stats/${query}`, { headers: { 'x-api-key': VIDEO_ONLY_KEY } });
    const read = await series(`video/series?sinceMs=${Date.now() - 60_000}&stepMs=5000`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ service: 'video', stepMs: 5000, tracks: {} });
    expect(await problem(await series('video/series?sinceMs=0&stepMs=10'))).toEqual([400, 'VALIDATION_FAILED']);
    expect(await problem(await series('video/series'))).toEqual([400, 'VALIDATION_FAILED']);
    expect(await problem(await series('nope/series?sinceMs=0'))).toEqual([404, 'ROUTE_NOT_FOUND']);
  });
  it('needs the admin scope to act (401 without credentials, 403 with a video-only key); any valid key reads the pools', async () => {
    expect(await problem(await fetch(`${base}/_pitchey/admin/pools`))).toEqual([401, 'AUTH_REQUIRED']);
    // The web dashboard's read, open to every key: a client key sees the pools and changes nothing.
    const read = await fetch(`${base}/_pitchey/admin/pools`, { headers: { 'x-api-key': VIDEO_ONLY_KEY } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { pools: Array<{ service: string }> }).pools.map((p) => p.service)).toContain('video');
    const put = await fetch(`${base}/_pitchey/admin/pools/video/weights`, { method: 'PUT', headers: { ...admin, 'x-api-key': VIDEO_ONLY_KEY }, body: JSON.stringify({ weights: { stable: 1 } }) });
    expect(await problem(put)).toEqual([403, 'SCOPE_MISSING']);
    const res = await send('GET', '/pools');
    expect(res.status).toBe(200);
    const { pools } = (await res.json()) as { pools: Array<{ service: string; weights: unknown; sticky: boolean; instances: unknown[] }> };
    expect(pools.map((p) => p.service).sort()).toEqual(['ai', 'code', 'document', 'media', 'video']);
    expect(pools[0]).toMatchObject({ weights: { stable: 100 }, sticky: false, instances: [] });
  });

  it('answers 400 problems for invalid input and 404 for unknown services and instances', async () => {
    const cases: Array<[string, string, unknown, [number, string]]> = [
      ['PUT', '/pools/video/weights', { weights: { stable: -1 } }, [400, 'VALIDATION_FAILED']],
      ['PUT', '/pools/video/weights', { weights: { stable: 0, canary: 0 } }, [400, 'VALIDATION_FAILED']],
      ['PUT', '/pools/video/weights', { weights: { stable: 'lots' } }, [400, 'VALIDATION_FAILED']],
      ['PUT', '/pools/video/weights', {}, [400, 'VALIDATION_FAILED']],
      ['PUT', '/pools/nope/weights', { weights: { stable: 1 } }, [404, 'ROUTE_NOT_FOUND']],
      ['POST', '/pools/video/instances', { id: 'x', url: 'ftp://127.0.0.1:1', track: 'stable', version: 'v1' }, [400, 'VALIDATION_FAILED']],
      ['POST', '/pools/video/instances', { id: 'x', url: 'http://127.0.0.1:1/path', track: 'stable', version: 'v1' }, [400, 'VALIDATION_FAILED']],
      ['POST', '/pools/video/instances', { id: 'x', url: 'http://user:pw@127.0.0.1:1', track: 'stable', version: 'v1' }, [400, 'VALIDATION_FAILED']],
      ['POST', '/pools/video/instances', { id: 'x', url: 'http://[fe80::1]:1', track: 'stable', version: 'v1' }, [400, 'VALIDATION_FAILED']],
      ['POST', '/pools/video/instances', { id: 'x', url: 'http://127.0.0.1:1', track: 'purple', version: 'v1' }, [400, 'VALIDATION_FAILED']],
      ['POST', '/pools/video/instances', { id: 'x y', url: 'http://127.0.0.1:1', track: 'stable', version: 'v1' }, [400, 'VALIDATION_FAILED']],
      ['POST', '/pools/video/instances', { url: 'http://127.0.0.1:1', track: 'stable', version: 'v1' }, [400, 'VALIDATION_FAILED']],
      ['POST', '/pools/nope/instances', { id: 'x', url: 'http://127.0.0.1:1', track: 'stable', version: 'v1' }, [404, 'ROUTE_NOT_FOUND']],
      ['DELETE', '/pools/video/instances/ghost', undefined, [404, 'ROUTE_NOT_FOUND']],
      ['DELETE', '/pools/video/instances/ghost?drainMs=-5', undefined, [400, 'VALIDATION_FAILED']],
      ['GET', '/stats/video?windowMs=5', undefined, [400, 'VALIDATION_FAILED']],
      ['GET', '/stats/nope', undefined, [404, 'ROUTE_NOT_FOUND']],
    ];
    for (const [method, path, body, expected] of cases) expect([method, path, await problem(await send(method, path, body))]).toEqual([method, path, expected]);
    expect(() => gateway.control.setWeights('video', { stable: Number.NaN })).toThrow(/non-negative/);
  });

  it('adds instances idempotently and refuses a different one under the same id', async () => {
    const spec = { id: 'doc-a', url: `${stable.url}/`, track: 'stable', version: 'v1' };
    const first = await send('POST', '/pools/document/instances', spec);
    expect([first.status, await first.json()]).toEqual([201, { ...spec, url: stable.url, healthy: true, draining: false, inflight: 0 }]);
    expect((await send('POST', '/pools/document/instances', spec)).status).toBe(201);
    expect(await problem(await send('POST', '/pools/document/instances', { ...spec, version: 'v9' }))).toEqual([422, 'UNPROCESSABLE']);
    expect((await send('DELETE', '/pools/document/instances/doc-a?drainMs=0')).status).toBe(200);
  });

  it('reports exact per-track counts by version after known traffic, with instance health per track', async () => {
    const pool = gateway.pools.get('code') as InstancePool;
    pool.setInstances(
      [
        { id: 'code-s', url: stable.url, track: 'stable', version: 'v1' },
        { id: 'code-c', url: canary.url, track: 'canary', version: 'v2' },
        { id: 'code-dead', url: 'http://127.0.0.1:9', track: 'blue', version: 'v3' },
      ],
      { healthy: true },
    );
    const get = (path: string, headers: Record<string, string> = {}): Promise<number> =>
      fetch(`${base}/api/code${path}`, { headers }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    gateway.control.setWeights('code', { stable: 100 });
    const stableStatuses = [
      await get('/who'),
      await get('/who'),
      await get('/who'),
      await get('/boom'),
      await get('/private'),
      await get('/private', { 'x-api-key': VIDEO_ONLY_KEY }),
      await get('/admin-only', { 'x-api-key': VIDEO_ONLY_KEY }),
    ];
    expect(stableStatuses).toEqual([200, 200, 200, 500, 401, 200, 403]);
    gateway.control.setWeights('code', { canary: 100 });
    expect([await get('/who'), await get('/boom'), await get('/boom'), await get('/private')]).toEqual([200, 500, 500, 401]);
    gateway.control.setWeights('code', { blue: 100 });
    expect([await get('/who')]).toEqual([502]);
    const res = await send('GET', '/stats/code?windowMs=60000');
    expect(res.status).toBe(200);
    const view = (await res.json()) as StatsView;
    expect(view).toMatchObject({
      service: 'code',
      windowMs: 60_000,
      tracks: {
        stable: { version: 'v1', requests: 7, errors: 1, authFailures: 2, unavailable: 0 },
        canary: { version: 'v2', requests: 4, errors: 2, authFailures: 1, unavailable: 0 },
        blue: { version: 'v3', requests: 1, errors: 1, authFailures: 0, unavailable: 1 },
      },
      instances: { stable: { ready: 1, total: 1 }, canary: { ready: 1, total: 1 }, blue: { ready: 0, total: 1 } },
    });
    expect(view.tracks.stable?.latenciesMs).toHaveLength(7);
    expect(view.tracks.stable?.latenciesMs.every((ms) => ms >= 0 && ms < 5_000)).toBe(true);
    expect(gateway.stats.window('code', 60_000, Date.now())).toEqual(view.tracks);
    expect(gateway.stats.window('video', 60_000, Date.now())).toEqual({});
  });
});
