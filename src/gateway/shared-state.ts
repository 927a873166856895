// What a gateway keeps for itself, or, with PITCHEY_GATEWAY_STATE set, shares with its replicas
// through Redis: the per-track stats it records and reads, the rate-limit counter, the weights
// and tracks of its pools, and the instances added and removed through it. Unset, every part is
// the in-memory one, as before.
import type { ServiceName } from '../kit/index.js';
import type { InstancePool, InstanceSpec, Track } from './pool.js';
import { RateLimiter, type RateCounter } from './rate-limit.js';
import { createRedisState } from './redis-state.js';
import { SharedInstances } from './shared-instances.js';
import { SharedRateLimiter } from './shared-rate-limit.js';
import { SharedTrackStats } from './shared-stats.js';
import { SharedTraffic } from './shared-traffic.js';
import type { AnswerFacts, SeriesPoint, TrackStats, TrackWindowStats } from './track-stats.js';

export type TrackWindows = Partial<Record<Track, TrackWindowStats>>;

/** Told of the instances added and removed through this gateway (not its static upstreams): shared with the other replicas. */
export interface InstanceSharing {
  added(service: string, spec: InstanceSpec): void;
  removed(service: string, id: string): void;
}

export interface GatewayState {
  /** Whether replicas share this state (Redis), or it is this process's alone. */
  shared: boolean;
  record(service: string, track: Track, version: string, status: number, latencyMs: number, now: number, facts?: AnswerFacts): void;
  /** Per-track traffic over a window: every replica's when shared. */
  window: (service: string, windowMs: number, now: number) => Promise<TrackWindows>;
  /** Per-track points over time, from the same source as `window`. */
  timeline: (service: string, sinceMs: number, stepMs: number, now: number) => Promise<Partial<Record<Track, SeriesPoint[]>>>;
  /** Null when rate limits are off. */
  limiter: RateCounter | null;
  instances: InstanceSharing;
  /** Takes the shared weights and instances and starts following them and flushing stats. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayStateOptions {
  /** `redis://…`, or null for in-memory state. */
  url: string | null;
  local: TrackStats;
  pools: Map<ServiceName, InstancePool>;
  rateLimit: boolean;
  now?: (() => number) | undefined;
  /** The weights' and instances' safety-net re-read. Default 5 s. */
  rereadMs?: number | undefined;
  /** Told when instances added through another replica joined a pool here (to probe them now). */
  onInstancesAdopted: () => void;
  log: (message: string) => void;
}

const NOT_SHARED: InstanceSharing = { added: () => undefined, removed: () => undefined };

export function createGatewayState(o: GatewayStateOptions): GatewayState {
  const local = o.rateLimit ? new RateLimiter({ now: o.now }) : null;
  if (o.url === null)
    return {
      shared: false,
      record: (...args) => o.local.record(...args),
      window: (service, windowMs, now) => Promise.resolve(o.local.window(service, windowMs, now)),
      timeline: (service, sinceMs, stepMs, now) => Promise.resolve(o.local.timeline(service, sinceMs, stepMs, now)),
      limiter: local,
      instances: NOT_SHARED,
      start: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  const redis = createRedisState({
    url: o.url,
    onConnectionChange: ({ up, error }) => o.log(up ? 'gateway state: Redis is reachable' : `gateway state: Redis cannot be reached: ${error instanceof Error ? error.message : String(error)}`),
  });
  const stats = new SharedTrackStats({ redis, local: o.local });
  const reread = o.rereadMs === undefined ? {} : { rereadMs: o.rereadMs };
  const traffic = new SharedTraffic({ redis, pools: o.pools.values(), log: o.log, ...reread });
  const instances = new SharedInstances({ redis, pools: o.pools.values(), log: o.log, onAdopted: o.onInstancesAdopted, ...reread });
  return {
    shared: true,
    record: (...args) => stats.record(...args),
    window: (service, windowMs, now) => stats.window(service, windowMs, now),
    timeline: (service, sinceMs, stepMs, now) => stats.timeline(service, sinceMs, stepMs, now),
    limiter: local === null ? null : new SharedRateLimiter({ redis, fallback: local, log: o.log }),
    instances,
    async start() {
      stats.start();
      // Instances first: the tracks in the traffic settings apply only to instances a pool has.
      await instances.start();
      await traffic.start();
    },
    async close() {
      traffic.stop();
      await instances.stop();
      await stats.close();
      await redis.close();
    },
  };
}
