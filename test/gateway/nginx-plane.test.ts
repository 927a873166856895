// PITCHEY_DATA_PLANE=nginx: a real nginx (with the Lua module) carries the routes on loopback,
// weights pushed without a reload, its per-track counts read back into the stats the controller
// judges, its own error answers the Node gateway's problems, drains counting nginx's requests in
// flight, and nothing left running after close.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pidAlive } from '../../src/cli/gateway.js';
import { createGatewayRouter } from '../../src/deploy/adapters/gateway-router.js';
import { createGateway, type Gateway, type InstancePool } from '../../src/gateway/index.js';
import { REQUEST_ID_MADE } from '../../src/gateway/nginx/conf.js';
import { createMetrics } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { resetTwoTracks, startUpstream, type Upstream } from './upstream.js';

const tmp = makeTempDir();
let gateway: Gateway;
let base: string;
let port: number;
let stable: Upstream;
let canary: Upstream;
let pool: InstancePool;

const admin = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };

async function tally(n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let done = 0; done < n; done += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, n - done) }, async () => {
        const res = await fetch(`${base}/api/video/who`);
        expect(res.status).toBe(200);
        return ((await res.json()) as { name: string }).name;
      }),
    );
    for (const name of batch) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function nginxPid(): number {
  return Number(readFileSync(join(tmp.dir, 'run', 'nginx', String(port), 'nginx.pid'), 'utf8').trim());
}

beforeAll(async () => {
  [stable, canary] = await Promise.all([startUpstream(tmp.dir, 'stable-a', 'v1'), startUpstream(tmp.dir, 'canary-a', 'v2')]);
  gateway = await createGateway({
    config: testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_DATA_PLANE: 'nginx' }),
    metrics: createMetrics({ defaultMetrics: false }),
    healthIntervalMs: 60_000,
  });
  pool = gateway.pools.get('video') as InstancePool;
  port = await gateway.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
});
beforeEach(async () => {
  resetTwoTracks(pool, stable, canary);
  await gateway.syncDataPlane();
});
afterAll(async () => {
  await gateway?.close().catch(() => undefined); // the last test closed it
  await Promise.all([stable, canary].map((u) => u?.close()));
  tmp.remove();
});

describe('the nginx data plane', () => {
  // First: the counts it checks are all of this file's so far.
  it('splits by weight, applies a weight change without a reload, and its counts come back per track', async () => {
    const pid = nginxPid();
    const counts = await tally(200);
    expect(counts['canary-a']).toBeGreaterThanOrEqual(5);
    expect(counts['canary-a']).toBeLessThanOrEqual(40);
    const put = await fetch(`${base}/_pitchey/admin/pools/video/weights`, { method: 'PUT', headers: admin, body: JSON.stringify({ weights: { stable: 0, canary: 100 } }) });
    expect(put.status).toBe(200);
    await gateway.syncDataPlane();
    expect(await tally(20)).toEqual({ 'canary-a': 20 });
    expect(nginxPid()).toBe(pid);
    // Read at once, up to the last answer (this second's too), as an analysis reading now needs:
    // not one second or two later, when nginx's next periodic read would bring them.
    const want = { stable: counts['stable-a'] ?? 0, canary: (counts['canary-a'] ?? 0) + 20 };
    const { tracks } = await gateway.control.readStats('video', 60_000);
    expect({ stable: tracks.stable?.requests ?? 0, canary: tracks.canary?.requests ?? 0 }).toEqual(want);
    // Read again: each answer counted once, whichever read brought it.
    expect((await gateway.window('video', 60_000, Date.now())).canary?.requests).toBe(want.canary);
    expect([tracks.stable?.version, tracks.canary?.version, tracks.canary?.errors, tracks.canary?.latenciesMs.length]).toEqual(['v1', 'v2', 0, want.canary]);
  });

  it('is nginx on the gateway port, and its answers carry the headers the Node gateway sets', async () => {
    expect(pidAlive(nginxPid())).toBe(true);
    const res = await fetch(`${base}/api/video/who`, { headers: { 'x-request-id': 'trace-me.1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('trace-me.1');
    expect(res.headers.get('x-pitchey-version')).toMatch(/^v[12]$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const generated = await fetch(`${base}/api/video/who`, { headers: { 'x-request-id': 'has spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(REQUEST_ID_MADE);
    // Made ids differ request by request, on one connection and across connections, and share this start's prefix.
    const madeId = async () => {
      const r = await fetch(`${base}/api/video/who`);
      await r.arrayBuffer();
      return r.headers.get('x-request-id') ?? '';
    };
    const made = await Promise.all([1, 2, 3, 4].map(madeId));
    made.push(await madeId());
    expect(new Set([generated.headers.get('x-request-id'), ...made]).size).toBe(6);
    expect(new Set(made.map((id) => id.split('-')[0])).size).toBe(1);
    const forwarded = (await (await fetch(`${base}/api/video/headers?x=1`)).json()) as Record<string, string>;
    expect([forwarded['x-forwarded-for'], forwarded['x-forwarded-prefix']]).toEqual(['127.0.0.1', '/api/video']);
    expect(forwarded['x-request-id']).toMatch(REQUEST_ID_MADE);
    // Not a route of the data plane: the Node gateway answers (its own health).
    expect(((await (await fetch(`${base}/health`)).json()) as { service: string }).service).toBe('gateway');
  });

  it('counts an upstream error against its track', async () => {
    pool.setWeights({ canary: 100 });
    await gateway.syncDataPlane();
    const before = (await gateway.control.readStats('video', 60_000)).tracks.canary?.errors ?? 0;
    expect((await fetch(`${base}/api/video/boom`)).status).toBe(500);
    let errors = before;
    for (let i = 0; i < 40 && errors === before; i++) {
      await sleep(100);
      await gateway.syncDataPlane();
      errors = (await gateway.control.readStats('video', 60_000)).tracks.canary?.errors ?? 0;
    }
    expect(errors).toBe(before + 1);
  });

  it('counts an answer it made itself (an instance it could not reach) against the track, and releases its count in flight', async () => {
    pool.setInstances([{ id: 'canary-dead', url: 'http://127.0.0.1:9', track: 'canary', version: 'v2' }], { healthy: true });
    pool.setWeights({ canary: 100 });
    await gateway.syncDataPlane();
    const unavailable = async (): Promise<number> => (await gateway.control.readStats('video', 60_000)).tracks.canary?.unavailable ?? 0;
    const before = await unavailable();
    // A POST may not be retried: the problem at once, made by nginx's error page.
    const res = await fetch(`${base}/api/video/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([res.status, ((await res.json()) as { code: string }).code, res.headers.get('retry-after')]).toEqual([502, 'UPSTREAM_UNAVAILABLE', '5']);
    await expect
      .poll(
        async () => {
          await gateway.syncDataPlane();
          await gateway.control.readStats('video', 60_000);
          return unavailable();
        },
        { timeout: 4_000, interval: 200 },
      )
      .toBe(before + 1);
    await gateway.syncDataPlane();
    const dead = gateway.control
      .listPools()
      .find((p) => p.service === 'video')
      ?.instances.find((i) => i.id === 'canary-dead');
    expect(dead?.inflight).toBe(0);
  });

  it('answers a request line it cannot parse with the Node gateway problem', async () => {
    const res = await fetch(`${base}/api/video/status/%zz`);
    expect([res.status, res.headers.get('content-type'), res.headers.get('x-frame-options')]).toEqual([400, 'application/problem+json', 'DENY']);
    expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST', instance: '/api/video/status/%zz', request_id: res.headers.get('x-request-id') });
  });

  it('answers a body over the route limit with the Node gateway problem, before reading it', async () => {
    const res = await fetch(`${base}/api/ai/v1/x`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('x-request-id')).toMatch(REQUEST_ID_MADE);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE', detail: 'Bodies on /api/ai/ may be at most 1 MiB.', instance: '/api/ai/v1/x', request_id: res.headers.get('x-request-id') });
  });

  it('leaves what it does not decide to the Node gateway: a pinned track, or no instance to take the request', async () => {
    pool.setWeights({ stable: 100, canary: 0 });
    await gateway.syncDataPlane();
    const pinned = await fetch(`${base}/api/video/who`, { headers: { 'x-api-key': TEST_KEY, 'x-pitchey-track': 'canary' } });
    expect(((await pinned.json()) as { name: string }).name).toBe('canary-a');
    for (const i of pool.list()) i.healthy = false;
    await gateway.syncDataPlane();
    const none = await fetch(`${base}/api/video/echo`, { method: 'POST' });
    expect([none.status, ((await none.json()) as { code: string }).code]).toEqual([502, 'UPSTREAM_UNAVAILABLE']);
  });

  it("takes a change made to the pools outside the controls (a health check's verdict) within its 100 ms comparison", async () => {
    pool.setWeights({ stable: 50, canary: 50 });
    await gateway.syncDataPlane();
    expect(Object.keys(await tally(40)).sort()).toEqual(['canary-a', 'stable-a']);
    pool.get('canary-a')!.healthy = false; // as the health checker marks it: no push of its own
    await sleep(400);
    expect(await tally(40)).toEqual({ 'stable-a': 40 });
  });

  it('drains an instance only once the requests nginx has in flight to it are done', async () => {
    pool.setWeights({ stable: 100 });
    await gateway.syncDataPlane();
    const slow = fetch(`${base}/api/video/slow?ms=600`).then(async (r) => (await r.json()) as { name: string });
    await sleep(150);
    await gateway.syncDataPlane();
    const removing = gateway.control.removeInstance('video', 'stable-a', 5_000);
    await sleep(100);
    // The Node gateway has nothing in flight to it: only nginx's count holds the drain.
    expect([pool.get('stable-a')?.draining, pool.get('stable-a')?.inflight]).toEqual([true, 0]);
    expect((await slow).name).toBe('stable-a');
    expect(await removing).toMatchObject({ outcome: 'drained', abandoned: 0 });
    expect(pool.get('stable-a')).toBeUndefined();
  });

  it("drains through the deployment controller's router the same way, and pushes its weight changes at once", async () => {
    const router = createGatewayRouter(gateway);
    router.setWeights('video', { stable: 100, canary: 0 });
    // No sync here: the router's change reaches nginx by itself, before the 100 ms timer would.
    await expect.poll(async () => ((await (await fetch(`${base}/api/video/who`)).json()) as { name: string }).name, { timeout: 90, interval: 10 }).toBe('stable-a');
    const order: string[] = [];
    const slow = fetch(`${base}/api/video/slow?ms=600`).then(async (r) => {
      order.push('answered');
      return ((await r.json()) as { name: string }).name;
    });
    await sleep(150);
    await router.drain('video', 'stable-a', 5_000);
    order.push('drained');
    expect([await slow, order]).toEqual(['stable-a', ['answered', 'drained']]);
    expect(pool.get('stable-a')).toBeUndefined();
  });

  it('stops nginx on close', async () => {
    const pid = nginxPid();
    await gateway.close();
    expect(pidAlive(pid)).toBe(false);
    const again = await fetch(`${base}/health`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(again).toBe('refused');
  });
});
