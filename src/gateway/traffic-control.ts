// The gateway's traffic controls as plain operations, for an in-process deployment controller
// and for the admin API alike: pools, weights, stickiness, instances (added, retagged, drained)
// and per-track stats. Every refusal is a Problem.
import { Problem, invalidField, type ServiceName, type Static } from '../kit/index.js';
import type { InstanceAnswer, PoolAnswer, SeriesAnswer, StatsAnswer } from './admin-answers.js';
import { TRACKS, type DrainResult, type Instance, type InstancePool, type InstanceSpec, type Track, type TrackWeights } from './pool.js';
import type { InstanceSharing } from './shared-state.js';
import type { SeriesPoint, TrackWindowStats } from './track-stats.js';

// The views are the admin API's answers, so what the controls return is what the document says.
export type InstanceView = Static<typeof InstanceAnswer>;
export type PoolView = Static<typeof PoolAnswer>;
/** Shaped like the deploy engine's `Observation`, for one service; `instances`: per track, those that take traffic (healthy, not draining) and how many exist. */
export type StatsView = Static<typeof StatsAnswer>;
/** Per-track time series of one service (the web dashboard's charts). */
export type SeriesView = Static<typeof SeriesAnswer>;

export interface TrafficControl {
  listPools(): PoolView[];
  /** Takes effect for the next request. Weights are non-negative with a positive sum. */
  setWeights(service: string, weights: TrackWeights): PoolView;
  setSticky(service: string, sticky: boolean): PoolView;
  /** Adds the instance and probes its health at once, so the answer says whether it takes traffic. */
  addInstance(service: string, spec: InstanceSpec): Promise<InstanceView>;
  retagInstance(service: string, id: string, track: Track): InstanceView;
  /** Drains the instance (no new requests, in-flight ones finish) for at most `drainMs` (default 30 s), then removes it. */
  removeInstance(service: string, id: string, drainMs?: number): Promise<DrainResult>;
  /** Per-track traffic over the last `windowMs` (1 s to 15 min), over every replica when they share state, and instance health per track. */
  readStats(service: string, windowMs: number): Promise<StatsView>;
  /** Per-track points every `stepMs` since `sinceMs` (at most 15 min back), over every replica when they share state, as the rules judge them. */
  readSeries(service: string, sinceMs: number, stepMs: number): Promise<SeriesView>;
}

export interface TrafficControlDeps {
  pools: Map<ServiceName, InstancePool>;
  /** Per-track traffic over a window: this gateway's, or every replica's. */
  window: (service: string, windowMs: number, now: number) => Promise<Partial<Record<Track, TrackWindowStats>>>;
  /** Per-track points over time (the dashboard's series), from the same source as `window`. */
  timeline: (service: string, sinceMs: number, stepMs: number, now: number) => Promise<Partial<Record<Track, SeriesPoint[]>>>;
  /** Probes every instance now. */
  checkHealth: () => Promise<void>;
  /** Told of instances added and removed here, for the other gateway replicas. Default: nobody. */
  instances?: InstanceSharing | undefined;
  /** Default Date.now. */
  now?: (() => number) | undefined;
}

export const MAX_WINDOW_MS = 15 * 60_000;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const PLAIN_HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Loopback (`localhost`, `127.x`, `[::1]`), a DNS name or an IPv4 address; no other IPv6, no 0.0.0.0. */
function hostAllowed(host: string): boolean {
  if (host === 'localhost' || host === '[::1]') return true;
  if (IPV4.test(host)) return host !== '0.0.0.0';
  return PLAIN_HOST.test(host);
}

/** An instance URL is an http(s) origin on loopback or a plain host name or IPv4 address: nothing else. */
export function checkInstanceUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidField('body/url', 'is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidField('body/url', 'must use http or https');
  if (url.username !== '' || url.password !== '') throw invalidField('body/url', 'must not carry credentials');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(raw)) throw invalidField('body/url', 'must be an origin, without path, query or fragment');
  if (!hostAllowed(url.hostname)) throw invalidField('body/url', 'must be on loopback or a plain host');
  return url.origin;
}

function checkWeights(weights: TrackWeights): TrackWeights {
  const entries = Object.entries(weights) as Array<[string, number | undefined]>;
  for (const [track, w] of entries) {
    if (!(TRACKS as readonly string[]).includes(track)) throw invalidField(`body/weights/${track}`, 'is not a track');
    if (w !== undefined && (!Number.isFinite(w) || w < 0)) throw invalidField(`body/weights/${track}`, 'must be a non-negative number');
  }
  if (entries.reduce((sum, [, w]) => sum + (w ?? 0), 0) <= 0) throw invalidField('body/weights', 'must have a positive sum');
  return weights;
}

export function viewInstance(i: Instance): InstanceView {
  return { id: i.id, url: i.url, track: i.track, version: i.version, healthy: i.healthy, draining: i.draining, inflight: i.inflight };
}

function viewPool(pool: InstancePool): PoolView {
  return { service: pool.service, weights: pool.weights(), sticky: pool.sticky, instances: pool.list().map(viewInstance) };
}

/** Ready and total instances per track: what the controller and the stats view both count. */
export function instanceHealth(pool: InstancePool): StatsView['instances'] {
  const out: StatsView['instances'] = {};
  for (const i of pool.list()) {
    const t = out[i.track] ?? { ready: 0, total: 0 };
    t.total++;
    if (i.healthy && !i.draining) t.ready++;
    out[i.track] = t;
  }
  return out;
}

export function createTrafficControl(deps: TrafficControlDeps): TrafficControl {
  const now = deps.now ?? Date.now;
  const poolOf = (service: string): InstancePool => {
    const pool = deps.pools.get(service as ServiceName);
    if (pool === undefined) throw new Problem('ROUTE_NOT_FOUND', `The gateway has no service "${service}".`);
    return pool;
  };
  const instanceOf = (pool: InstancePool, id: string): Instance => {
    const instance = pool.get(id);
    if (instance === undefined) throw new Problem('ROUTE_NOT_FOUND', `${pool.service} has no instance "${id}".`);
    return instance;
  };
  return {
    listPools: () => [...deps.pools.values()].map(viewPool),
    setWeights(service, weights) {
      const pool = poolOf(service);
      pool.setWeights(checkWeights(weights));
      return viewPool(pool);
    },
    setSticky(service, sticky) {
      const pool = poolOf(service);
      pool.setSticky(sticky);
      return viewPool(pool);
    },
    async addInstance(service, spec) {
      const pool = poolOf(service);
      const url = checkInstanceUrl(spec.url);
      const existing = pool.get(spec.id);
      if (existing !== undefined && (existing.url !== url || existing.track !== spec.track || existing.version !== spec.version)) {
        throw new Problem('UNPROCESSABLE', `${service} already has an instance "${spec.id}" with another URL, track or version; remove it first.`);
      }
      if (existing === undefined) {
        const added = { id: spec.id, url, track: spec.track, version: spec.version };
        pool.add(added);
        deps.instances?.added(service, added);
      }
      await deps.checkHealth();
      return viewInstance(instanceOf(pool, spec.id));
    },
    retagInstance(service, id, track) {
      const pool = poolOf(service);
      const instance = instanceOf(pool, id);
      pool.retag(id, track);
      return viewInstance(instance);
    },
    async removeInstance(service, id, drainMs = 30_000) {
      const pool = poolOf(service);
      instanceOf(pool, id);
      // Announced as the drain starts, so every replica stops sending it new requests at once.
      deps.instances?.removed(service, id);
      return pool.drain(id, drainMs);
    },
    async readStats(service, windowMs) {
      const pool = poolOf(service);
      if (!Number.isInteger(windowMs) || windowMs < 1000 || windowMs > MAX_WINDOW_MS) throw invalidField('querystring/windowMs', `must be an integer from 1000 to ${MAX_WINDOW_MS}`);
      const at = now();
      return { service, at, windowMs, tracks: await deps.window(service, windowMs, at), instances: instanceHealth(pool) };
    },
    async readSeries(service, sinceMs, stepMs) {
      poolOf(service);
      const at = now();
      return { service, at, stepMs, tracks: await deps.timeline(service, sinceMs, stepMs, at) };
    },
  };
}
