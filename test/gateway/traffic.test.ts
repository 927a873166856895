import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, stickyTrack, type Gateway, type InstancePool } from '../../src/gateway/index.js';
import { createMetrics, keyId } from '../../src/kit/index.js';
import { TEST_KEY, VIDEO_ONLY_KEY, makeTempDir, testConfig } from '../helpers.js';
import { resetTwoTracks, startUpstream, type Upstream } from './upstream.js';

// Both data planes (PITCHEY_DATA_PLANE): the Node gateway's proxy, and nginx driven from it. With
// nginx, a change made straight on a pool reaches it at the next sync (100 ms): `settle` makes it now.
describe.each(['node', 'nginx'] as const)('gateway traffic control (%s data plane)', (plane) => {
  const tmp = makeTempDir();
  let gateway: Gateway;
  let base: string;
  let stable: Upstream;
  let canary: Upstream;
  let spare: Upstream;
  let pool: InstancePool;

  const admin = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };

  async function who(headers: Record<string, string> = {}): Promise<{ name: string; version: string }> {
    const res = await fetch(`${base}/api/video/who`, { headers });
    expect(res.status).toBe(200);
    return (await res.json()) as { name: string; version: string };
  }

  async function tally(n: number, headers: Record<string, string> = {}): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let done = 0; done < n; done += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, n - done) }, () => who(headers)));
      for (const { name } of batch) counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  }

  beforeAll(async () => {
    [stable, canary, spare] = await Promise.all([startUpstream(tmp.dir, 'stable-a', 'v1'), startUpstream(tmp.dir, 'canary-a', 'v2'), startUpstream(tmp.dir, 'stable-b', 'v1')]);
    gateway = await createGateway({
      config: testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_DATA_PLANE: plane }),
      metrics: createMetrics({ defaultMetrics: false }),
      healthIntervalMs: 60_000,
    });
    pool = gateway.pools.get('video') as InstancePool;
    base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
  });
  const settle = (): Promise<void> => gateway.syncDataPlane();
  /** Requests in flight to the instance, as the admin API counts them. */
  const inflightOf = async (id: string): Promise<number | undefined> => {
    await settle();
    return gateway.control
      .listPools()
      .find((p) => p.service === 'video')
      ?.instances.find((i) => i.id === id)?.inflight;
  };
  beforeEach(async () => {
    resetTwoTracks(pool, stable, canary);
    await settle();
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([stable, canary, spare].map((u) => u.close()));
    tmp.remove();
  });

  describe('gateway traffic control', () => {
    it('splits 90/10 by weight over 400 requests, and a weight change applies to the next request', async () => {
      const counts = await tally(400);
      expect((counts['stable-a'] ?? 0) + (counts['canary-a'] ?? 0)).toBe(400);
      expect(counts['canary-a']).toBeGreaterThanOrEqual(16);
      expect(counts['canary-a']).toBeLessThanOrEqual(70);
      const put = await fetch(`${base}/_pitchey/admin/pools/video/weights`, { method: 'PUT', headers: admin, body: JSON.stringify({ weights: { stable: 0, canary: 100 } }) });
      expect(put.status).toBe(200);
      expect(((await put.json()) as { weights: unknown }).weights).toEqual({ stable: 0, canary: 100 });
      await settle();
      expect((await who()).name).toBe('canary-a');
      gateway.control.setWeights('video', { stable: 100 });
      await settle();
      expect((await who()).name).toBe('stable-a');
    });

    it('routes X-Pitchey-Track to that track for admin credentials only, and strips it', async () => {
      pool.setWeights({ stable: 100, canary: 0 });
      await settle();
      expect(await tally(10, { 'x-api-key': TEST_KEY, 'x-pitchey-track': 'canary' })).toEqual({ 'canary-a': 10 });
      const callers: Array<Record<string, string>> = [{ 'x-api-key': VIDEO_ONLY_KEY }, {}, { 'x-api-key': 'not-a-key' }];
      for (const headers of callers) {
        const res = await fetch(`${base}/api/video/who`, { headers: { ...headers, 'x-pitchey-track': 'canary' } });
        expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, 'SCOPE_MISSING']);
      }
      const forwarded = (await (await fetch(`${base}/api/video/headers`, { headers: { 'x-api-key': TEST_KEY, 'x-pitchey-track': 'stable' } })).json()) as Record<string, string>;
      expect(forwarded['x-pitchey-track']).toBeUndefined();
      expect(forwarded['x-api-key']).toBe(TEST_KEY);
      const none = await fetch(`${base}/api/video/who`, { headers: { 'x-api-key': TEST_KEY, 'x-pitchey-track': 'blue' } });
      expect([none.status, ((await none.json()) as { code: string }).code]).toEqual([502, 'UPSTREAM_UNAVAILABLE']);
      const bad = await fetch(`${base}/api/video/who`, { headers: { 'x-api-key': TEST_KEY, 'x-pitchey-track': 'purple' } });
      expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('keeps a client on its track with stickiness on: by API key, else by the cookie it sets', async () => {
      pool.setWeights({ stable: 50, canary: 50 });
      const sticky = await fetch(`${base}/_pitchey/admin/pools/video/sticky`, { method: 'PUT', headers: admin, body: JSON.stringify({ sticky: true }) });
      expect(sticky.status).toBe(200);
      await settle();
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const key = `client-key-${i}`;
        const expected = stickyTrack({ stable: 50, canary: 50 }, keyId(key)) === 'canary' ? 'canary-a' : 'stable-a';
        expect(await tally(6, { 'x-api-key': key })).toEqual({ [expected]: 6 });
        seen.add(expected);
      }
      expect(seen.size).toBe(2);
      const first = await fetch(`${base}/api/video/who`);
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^pitchey_track=[0-9a-f-]{36}$/);
      const { name } = (await first.json()) as { name: string };
      expect(await tally(6, { cookie })).toEqual({ [name]: 6 });
      expect((await fetch(`${base}/api/video/who`, { headers: { cookie } })).headers.get('set-cookie')).toBeNull();
    });

    it('drains an instance: its slow request finishes while new ones go elsewhere, then it is removed', async () => {
      pool.setInstances([{ id: 'stable-a', url: stable.url, track: 'stable', version: 'v1' }]);
      pool.setWeights({ stable: 100 });
      await settle();
      const slow = fetch(`${base}/api/video/slow?ms=800`);
      while ((await inflightOf('stable-a')) !== 1) await sleep(10);
      const added = await fetch(`${base}/_pitchey/admin/pools/video/instances`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ id: 'stable-b', url: spare.url, track: 'stable', version: 'v1' }),
      });
      expect([added.status, await added.json()]).toEqual([201, { id: 'stable-b', url: spare.url, track: 'stable', version: 'v1', healthy: true, draining: false, inflight: 0 }]);
      const removal = fetch(`${base}/_pitchey/admin/pools/video/instances/stable-a?drainMs=5000`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } });
      while (pool.get('stable-a')?.draining !== true) await sleep(10);
      await settle();
      expect(await tally(5)).toEqual({ 'stable-b': 5 });
      const slowRes = await slow;
      expect([slowRes.status, await slowRes.json()]).toEqual([200, { name: 'stable-a', version: 'v1', sleptMs: 800 }]);
      const removed = await removal;
      expect([removed.status, await removed.json()]).toMatchObject([200, { id: 'stable-a', outcome: 'drained', abandoned: 0 }]);
      const pools = (await (await fetch(`${base}/_pitchey/admin/pools`, { headers: admin })).json()) as { pools: Array<{ service: string; instances: Array<{ id: string }> }> };
      expect(pools.pools.find((p) => p.service === 'video')?.instances.map((i) => i.id)).toEqual(['stable-b']);
    });

    it('promotes by retagging: the canary instance becomes stable', async () => {
      const res = await fetch(`${base}/_pitchey/admin/pools/video/instances/canary-a/track`, { method: 'PUT', headers: admin, body: JSON.stringify({ track: 'stable' }) });
      expect([res.status, ((await res.json()) as { track: string }).track]).toEqual([200, 'stable']);
      pool.setWeights({ stable: 100, canary: 0 });
      await settle();
      const counts = await tally(20);
      expect(counts['canary-a']).toBeGreaterThan(0);
    });
  });
});
