// Two gateways on one real redis-server (PITCHEY_GATEWAY_STATE), each with its own connections and
// memory, in front of one upstream: they give one view of per-track traffic, take each other's
// weights and added instances, count rate limits together, and keep proxying when Redis is gone
// or frozen.
// test/e2e/gateway-replicas.test.ts runs the same checks on two `pitchey serve gateway` processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { createRedisState } from '../../src/gateway/redis-state.js';
import { createMetrics } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig, until } from '../helpers.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { ADMIN_HEADERS, expectOneRateLimit, instanceFollows, instanceGone, seriesTotals, summedStats, videoStats, weightsFollow } from './replica-checks.js';
import { startUpstream, type Upstream } from './upstream.js';

const tmp = makeTempDir();
let redis: RedisServer;
let upstream: Upstream;
let gateways: Gateway[] = [];
let bases: string[] = [];

// The safety-net re-read is an hour away unless a test asks: a weight that arrives in time came by pub/sub.
async function startGateway(env: Record<string, string>, stateRereadMs = 3_600_000): Promise<[Gateway, string]> {
  const gateway = await createGateway({ config: testConfig(tmp.dir, env), metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000, stateRereadMs });
  for (const service of ['video', 'media'] as const) gateway.pools.get(service)?.setInstances([{ id: `${service}-0`, url: upstream.url, track: 'stable', version: 'v1' }], { healthy: true });
  return [gateway, `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`];
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
    for (const view of await summedStats(bases, 5)) {
      expect(view.tracks.stable).toMatchObject({ version: 'v1', requests: 5, errors: 2 });
      expect(view.tracks.stable?.latenciesMs).toHaveLength(5);
    }
    // The dashboard's charts read the same sum the rules judge, not the replica's own share.
    for (const total of await seriesTotals(bases)) expect(total).toMatchObject({ requests: 5, errors: 2 });
    expect((await seriesTotals(bases))[0]?.withP95).toBeGreaterThan(0);
    // Each replica's own stats hold only what it proxied.
    const now = Date.now();
    expect(gateways.map((g) => g.stats.window('video', 60_000, now).stable?.requests)).toEqual([3, 2]);
  });

  it('applies weights and stickiness set through one replica on the other, by pub/sub', async () => {
    const [a = '', b = ''] = bases;
    console.log(`weights applied on the other replica after ${await weightsFollow(a, b, { stable: 30, canary: 70 })} ms`);
    await fetch(`${a}/_pitchey/admin/pools/video/sticky`, { method: 'PUT', headers: ADMIN_HEADERS, body: JSON.stringify({ sticky: true }) });
    await until('the other replica to turn stickiness on', () => (gateways[1]?.pools.get('video')?.sticky === true ? true : undefined), 5_000);
    // A change made in process (the controller's router) travels the same way.
    gateways[1]?.pools.get('video')?.setWeights({ stable: 100 });
    await until('the first replica to take the in-process change', () => (gateways[0]?.pools.get('video')?.weights().canary === undefined ? true : undefined), 5_000);
  });

  it('starts a new replica with the stored weights, and re-reads them when a message is lost', async () => {
    const [late] = await startGateway({ PITCHEY_GATEWAY_STATE: redis.url }, 100);
    try {
      // Stickiness was turned on through another replica before this one started.
      expect(late.pools.get('video')?.sticky).toBe(true);
      // Stored without the announcement, as if the message were lost: only the re-read can bring it.
      const raw = createRedisState({ url: redis.url });
      await raw.send(['HSET', `${raw.prefix}traffic`, 'video', JSON.stringify({ weights: { stable: 1, blue: 3 }, sticky: false, tracks: {} })]);
      await raw.close();
      await until('the re-read to apply the stored weights', () => (late.pools.get('video')?.weights().blue === 3 ? true : undefined), 5_000);
      expect(gateways[0]?.pools.get('video')?.weights()).toEqual({ stable: 100 });
    } finally {
      await late.close();
    }
  });

  it('counts a rate limit over both replicas together', async () => {
    await expectOneRateLimit(bases);
  });

  it('shares instances added and removed through one replica’s admin API, beside each one’s own upstreams', async () => {
    const [a = '', b = ''] = bases;
    const extra = await startUpstream(tmp.dir, 'extra', 'v2');
    const video = (i: number) => gateways[i]?.pools.get('video');
    try {
      console.log(`instance added through one replica answered through the other after ${await instanceFollows(a, b, { id: 'video-extra', url: extra.url, name: 'extra' })} ms`);
      // The static upstream of each replica stays, and a new replica joins with the shared instance.
      expect(
        video(1)
          ?.list()
          .map((i) => i.id),
      ).toEqual(['video-0', 'video-extra']);
      const [late] = await startGateway({ PITCHEY_GATEWAY_STATE: redis.url });
      try {
        expect(late.pools.get('video')?.get('video-extra')).toMatchObject({ url: extra.url, track: 'canary', version: 'v2', healthy: true });
      } finally {
        await late.close();
      }
      // Moved to stable through B (as a promotion does), then removed through B: A follows both.
      await fetch(`${b}/_pitchey/admin/pools/video/instances/video-extra/track`, { method: 'PUT', headers: ADMIN_HEADERS, body: JSON.stringify({ track: 'stable' }) });
      await until('A to take the new track', () => (video(0)?.get('video-extra')?.track === 'stable' ? true : undefined), 5_000);
      await instanceGone(b, a, 'video-extra');
      expect(
        video(0)
          ?.list()
          .map((i) => i.id),
      ).toEqual(['video-0']);
      // An instance removed through A that is A's own (a static upstream) is not removed elsewhere:
      // once an instance A adds after it has reached B, any announcement of the removal has too.
      for (const g of gateways) g.pools.get('media')?.add({ id: 'media-own', url: extra.url, track: 'stable', version: 'v2' });
      expect((await fetch(`${a}/_pitchey/admin/pools/media/instances/media-own?drainMs=0`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } })).status).toBe(200);
      await instanceFollows(a, b, { id: 'video-later', url: extra.url, name: 'extra' });
      expect(gateways[1]?.pools.get('media')?.get('media-own')).toBeDefined();
      gateways[1]?.pools.get('media')?.remove('media-own');
      await instanceGone(a, b, 'video-later');
    } finally {
      await extra.close();
    }
  });

  it('shares the instances a replica’s own driver registers (pitchey up), until it unregisters them', async () => {
    const spec = { id: 'media-driver-1', url: upstream.url, track: 'canary' as const, version: 'v3' };
    gateways[0]?.registerInstance('media', spec);
    await until('the other replica to take and probe the instance', () => (gateways[1]?.pools.get('media')?.get(spec.id)?.healthy ? true : undefined), 5_000);
    gateways[0]?.unregisterInstance('media', spec.id);
    await until('the other replica to drop it', () => (gateways[1]?.pools.get('media')?.get(spec.id) === undefined ? true : undefined), 5_000);
    expect(gateways[0]?.pools.get('media')?.get(spec.id)).toBeUndefined();
  });

  it('keeps proxying with Redis frozen or gone: stats kept for later, limits counted per replica, the shared view a 503', async () => {
    const [a = '', b = ''] = bases;
    // Frozen: commands wait out their bound (1 s), then each part takes its fallback.
    redis.freeze(true);
    expect((await fetch(`${a}/api/video/who`)).status).toBe(200);
    redis.freeze(false);
    await redis.stop({ keepData: true });
    expect((await fetch(`${a}/api/video/who`)).status).toBe(200);
    const view = await fetch(`${a}/_pitchey/admin/stats/video?windowMs=60000`, { headers: ADMIN_HEADERS });
    expect(view.status).toBe(503);
    expect(((await view.json()) as { code: string }).code).toBe('GATEWAY_STATE_UNAVAILABLE');
    await redis.start();
    const [back] = await summedStats([b], 7);
    expect(back?.tracks.stable).toMatchObject({ requests: 7, errors: 2 });
    expect((await videoStats(a)).tracks.stable?.requests).toBe(7);
  });

  it('stores an instance added while Redis is away once it answers, and the other replicas take it', async () => {
    const extra = await startUpstream(tmp.dir, 'offline', 'v2');
    // This replica re-reads (and stores what waits) every 100 ms; the others only hear announcements.
    const [own, base] = await startGateway({ PITCHEY_GATEWAY_STATE: redis.url }, 100);
    try {
      await redis.stop({ keepData: true });
      const add = await fetch(`${base}/_pitchey/admin/pools/video/instances`, {
        method: 'POST',
        headers: ADMIN_HEADERS,
        body: JSON.stringify({ id: 'video-offline', url: extra.url, track: 'canary', version: 'v2' }),
      });
      expect(add.status).toBe(201);
      expect(own.pools.get('video')?.get('video-offline')?.healthy).toBe(true);
      await redis.start();
      await until('the other replica to take the instance', () => (gateways[0]?.pools.get('video')?.get('video-offline') ? true : undefined), 10_000);
      await instanceGone(base, bases[0] ?? '', 'video-offline');
    } finally {
      await own.close();
      await extra.close();
    }
  });
});
