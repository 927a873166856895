// What gateway replicas sharing their state must show, over HTTP only, for in-process gateways and
// `pitchey serve gateway` processes alike: one summed view of traffic, weights and instances that
// follow, one rate limit. Each replica must route `video` and `media` to an upstream with a public GET /who.
import { expect } from 'vitest';
import type { PoolView, SeriesView, StatsView } from '../../src/gateway/index.js';
import { TEST_KEY, until } from '../helpers.js';

export const ADMIN_HEADERS = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };

/** The admin view of video's traffic over the last minute; a 503 (Redis away) reads as none. */
export async function videoStats(base: string): Promise<StatsView> {
  const res = await fetch(`${base}/_pitchey/admin/stats/video?windowMs=60000`, { headers: ADMIN_HEADERS });
  return res.status === 503 ? { service: 'video', at: 0, windowMs: 0, tracks: {}, instances: {} } : ((await res.json()) as StatsView);
}

/** Waits until every replica's admin view shows `requests` on video's stable track, and returns the views. */
export function summedStats(bases: string[], requests: number): Promise<StatsView[]> {
  return until(
    `every replica to show ${requests} requests`,
    async () => {
      const views = await Promise.all(bases.map(videoStats));
      return views.every((v) => v.tracks.stable?.requests === requests) ? views : undefined;
    },
    10_000,
  );
}

/** The dashboard's series of video's stable track on every replica, each summed over its points: what every replica proxied. */
export async function seriesTotals(bases: string[]): Promise<Array<{ requests: number; errors: number; withP95: number }>> {
  const since = Date.now() - 60_000;
  return Promise.all(
    bases.map(async (base) => {
      const res = await fetch(`${base}/_pitchey/admin/stats/video/series?sinceMs=${since}&stepMs=5000`, { headers: ADMIN_HEADERS });
      expect(res.status).toBe(200);
      const points = ((await res.json()) as SeriesView).tracks.stable ?? [];
      return { requests: points.reduce((a, p) => a + p.requests, 0), errors: points.reduce((a, p) => a + p.errors, 0), withP95: points.filter((p) => p.p95Ms !== null).length };
    }),
  );
}

/** `base`'s admin view of the video pool. */
async function videoPool(base: string): Promise<PoolView | undefined> {
  const { pools } = (await (await fetch(`${base}/_pitchey/admin/pools`, { headers: ADMIN_HEADERS })).json()) as { pools: PoolView[] };
  return pools.find((p) => p.service === 'video');
}

/** Sets weights through `from`'s admin API and waits until `to` lists them; returns how long that took. */
export async function weightsFollow(from: string, to: string, weights: Record<string, number>): Promise<number> {
  const started = Date.now();
  const set = await fetch(`${from}/_pitchey/admin/pools/video/weights`, { method: 'PUT', headers: ADMIN_HEADERS, body: JSON.stringify({ weights }) });
  expect(set.status).toBe(200);
  await until('the other replica to take the weights', async () => (JSON.stringify((await videoPool(to))?.weights) === JSON.stringify(weights) ? true : undefined), 5_000);
  return Date.now() - started;
}

/**
 * Sends 12 requests to /api/media/ (the uploads zone: 2 a second, burst 3, so 4 pass at once),
 * taking turns over the replicas, as one client (the admin key). Each replica alone would pass 4
 * of its share; together they pass 4 and what the rate refilled while the requests ran.
 */
export async function expectOneRateLimit(bases: string[]): Promise<void> {
  const started = Date.now();
  const answers: number[] = [];
  for (let i = 0; i < 12; i++) answers.push((await fetch(`${bases[i % bases.length] ?? ''}/api/media/who`, { headers: ADMIN_HEADERS })).status);
  const refill = Math.ceil(((Date.now() - started) / 1000) * 2);
  const passed = answers.filter((s) => s !== 429).length;
  expect(passed).toBeGreaterThanOrEqual(4);
  expect(passed).toBeLessThanOrEqual(4 + refill);
  expect(answers.filter((s) => s === 429).length).toBe(12 - passed);
}

/**
 * Adds `id` (at `url`, an upstream naming itself `name`, on the canary track) through `from`'s admin
 * API, waits until `to` lists it healthy (it probed it) and checks that a canary-pinned request
 * through `to` is answered by it; returns how long until `to` listed it.
 */
export async function instanceFollows(from: string, to: string, instance: { id: string; url: string; name: string }): Promise<number> {
  const started = Date.now();
  const add = await fetch(`${from}/_pitchey/admin/pools/video/instances`, {
    method: 'POST',
    headers: ADMIN_HEADERS,
    body: JSON.stringify({ id: instance.id, url: instance.url, track: 'canary', version: 'v2' }),
  });
  expect(add.status).toBe(201);
  await until(`${instance.id} to be healthy on the other replica`, async () => ((await videoPool(to))?.instances.some((i) => i.id === instance.id && i.healthy) ? true : undefined), 5_000);
  const took = Date.now() - started;
  // The admin key may have spent its rate (the video and media routes share a zone): 429 waits a refill.
  await until(
    `a canary request through the other replica`,
    async () => {
      const res = await fetch(`${to}/api/video/who`, { headers: { 'x-api-key': TEST_KEY, 'x-pitchey-track': 'canary' } });
      if (res.status === 429) return undefined;
      expect(await res.json()).toMatchObject({ name: instance.name });
      return true;
    },
    5_000,
    250,
  );
  return took;
}

/** Removes `id` through `from`'s admin API and waits until `to` no longer lists it. */
export async function instanceGone(from: string, to: string, id: string): Promise<void> {
  const res = await fetch(`${from}/_pitchey/admin/pools/video/instances/${id}?drainMs=0`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } });
  expect(res.status).toBe(200);
  await until(`${id} to leave the other replica`, async () => ((await videoPool(to))?.instances.some((i) => i.id === id) === false ? true : undefined), 5_000);
}
