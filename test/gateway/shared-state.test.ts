// Two gateways on one real redis-server (PITCHEY_GATEWAY_STATE), each with its own connections and
// memory, in front of one upstream: they give one view of per-track traffic, take each other's
// weights, count rate limits together, and keep proxying when Redis is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway, type PoolView, type StatsView } from '../../src/gateway/index.js';
import { createMetrics } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig, until } from '../helpers.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startUpstream, type Upstream } from './upstream.js';

const tmp = makeTempDir();
let redis: RedisServer;
let upstream: Upstream;
let gateways: Gateway[] = [];
let bases: string[] = [];
const headers = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };

async function startGateway(env: Record<string, string>): Promise<[Gateway, string]> {
  // The safety-net re-read is an hour away: a weight that arrives in time came by pub/sub.
  const gateway = await createGateway({ config: testConfig(tmp.dir, env), metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000, stateRereadMs: 3_600_000 });
  for (const service of ['video', 'media'] as const) gateway.pools.get(service)?.setInstances([{ id: `${service}-0`, url: upstream.url, track: 'stable', version: 'v1' }], { healthy: true });
  return [gateway, `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`];
}

/** The admin view of video's traffic; a 503 while Redis is away reads as no traffic. */
async function stats(base: string): Promise<StatsView> {
  const res = await fetch(`${base}/_pitchey/admin/stats/video?windowMs=60000`, { headers });
  return res.status === 503 ? { service: 'video', at: 0, windowMs: 0, tracks: {}, instances: {} } : ((await res.json()) as StatsView);
}

beforeAll(async () => {
  [redis, upstream] = await Promise.all([startRedis(), startUpstream(tmp.dir, 'only', 'v1')]);
  const env = { PITCHEY_GATEWAY_STATE: redis.url, PITCHEY_RATE_LIMIT: 'true' };
  const started = await Promise.all([startGateway(env), startGateway(env)]);
  gateways = started.map(([g]) => g);
  bases = started.map(([, b]) => b);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await Promise.all([upstream.close(), redis.stop()]);
  tmp.remove();
});

describe('gateway replicas sharing their state in Redis', () => {
  it('sums per-track traffic over both replicas in either one’s admin view', async () => {
    const [a = '', b = ''] = bases;
    // Under the video route's burst (5 beyond the first), so the rate limit refuses none.
    for (const [base, path] of [
      [a, 'who'],
      [a, 'who'],
      [a, 'boom'],
      [b, 'who'],
      [b, 'boom'],
    ] as const)
      await fetch(`${base}/api/video/${path}`);
    const expected = { requests: 5, errors: 2 };
    const seen = await until(
      'both replicas to show the summed traffic',
      async () => {
        const views = await Promise.all(bases.map(stats));
        return views.every((v) => v.tracks.stable?.requests === expected.requests) ? views : undefined;
      },
      10_000,
    );
    for (const view of seen) {
      expect(view.tracks.stable).toMatchObject({ version: 'v1', ...expected });
      expect(view.tracks.stable?.latenciesMs).toHaveLength(5);
    }
    // Each replica's own stats hold only what it proxied.
    const now = Date.now();
    expect(gateways.map((g) => g.stats.window('video', 60_000, now).stable?.requests)).toEqual([3, 2]);
  });

  it('applies weights and stickiness set through one replica’s admin API on the other, by pub/sub', async () => {
    const [a = '', b = ''] = bases;
    const started = Date.now();
    const set = await fetch(`${a}/_pitchey/admin/pools/video/weights`, { method: 'PUT', headers, body: JSON.stringify({ weights: { stable: 30, canary: 70 } }) });
    expect(set.status).toBe(200);
    await fetch(`${a}/_pitchey/admin/pools/video/sticky`, { method: 'PUT', headers, body: JSON.stringify({ sticky: true }) });
    const pool = await until(
      'the other replica to take the weights',
      async () => {
        const { pools } = (await (await fetch(`${b}/_pitchey/admin/pools`, { headers })).json()) as { pools: PoolView[] };
        const video = pools.find((p) => p.service === 'video');
        return video?.weights.canary === 70 && video.sticky ? video : undefined;
      },
      5_000,
    );
    console.log(`weights applied on the other replica after ${Date.now() - started} ms`);
    expect(pool.weights).toEqual({ stable: 30, canary: 70 });
    // A change made in process (the controller's router) travels the same way.
    gateways[1]?.pools.get('video')?.setWeights({ stable: 100 });
    await until('the first replica to take the in-process change', () => (gateways[0]?.pools.get('video')?.weights().canary === undefined ? true : undefined), 5_000);
  });

  it('counts a rate limit over both replicas together', async () => {
    // The uploads zone: 2 requests a second, burst 3 on /api/media/ (4 pass at once), per client:
    // here the API key, so the address's allowance the other tests spent is not this one.
    const started = Date.now();
    const answers: number[] = [];
    for (let i = 0; i < 12; i++) answers.push((await fetch(`${bases[i % 2] ?? ''}/api/media/who`, { headers })).status);
    const refill = Math.ceil(((Date.now() - started) / 1000) * 2);
    const passed = answers.filter((s) => s !== 429).length;
    // Each replica alone would pass 4 of its 6; together they pass 4 and what the rate refilled meanwhile.
    expect(passed).toBeGreaterThanOrEqual(4);
    expect(passed).toBeLessThanOrEqual(4 + refill);
    expect(answers.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('keeps proxying with Redis gone: stats are kept for later, limits counted per replica, the shared view refused with a 503', async () => {
    await redis.stop({ keepData: true });
    const answer = await fetch(`${bases[0] ?? ''}/api/video/who`);
    expect(answer.status).toBe(200);
    const view = await fetch(`${bases[0] ?? ''}/_pitchey/admin/stats/video?windowMs=60000`, { headers });
    expect(view.status).toBe(503);
    expect(((await view.json()) as { code: string }).code).toBe('GATEWAY_STATE_UNAVAILABLE');
    await redis.start();
    const back = await until(
      'the stats to reach Redis after it is back',
      async () => {
        const v = await stats(bases[1] ?? '');
        return (v.tracks.stable?.requests ?? 0) >= 6 ? v : undefined;
      },
      10_000,
    );
    expect(back.tracks.stable?.requests).toBe(6);
  });
});
