// An upstream is a pool of instances grouped in tracks (stable/canary, blue/green), each tagged
// with its release version. Weights per track choose the track (or a sticky client's hash does);
// within it, the healthy instance with the fewest requests in flight wins.
import { createHash } from 'node:crypto';

import { setTimeout as sleep } from 'node:timers/promises';
import { TRACKS, type Track } from '../kit/index.js';

export { TRACKS, type Track };

export interface Instance {
  id: string;
  url: string;
  track: Track;
  version: string;
  healthy: boolean;
  /** Draining instances get no new requests; in-flight ones finish. */
  draining: boolean;
  inflight: number;
}

export type InstanceSpec = Pick<Instance, 'id' | 'url' | 'track' | 'version'>;

export type TrackWeights = Partial<Record<Track, number>>;

/** What replicas of a gateway share about a pool: its weights, stickiness and instances' tracks by id. */
export interface PoolSettings {
  weights: TrackWeights;
  sticky: boolean;
  tracks: Record<string, Track>;
}

export interface PickOptions {
  /**
   * Addresses (URLs) already tried for this request: an instance restarted under its id on a new
   * port is a new target.
   */
  exclude?: ReadonlySet<string>;
  /** Only this track, whatever its weight. */
  track?: Track;
  /** A client's stable key: with stickiness on, it maps to the same track while that track has weight. */
  stickyKey?: string;
}

export interface DrainResult {
  id: string;
  /** `drained`: nothing left in flight; `timed-out`: removed with requests still in flight. */
  outcome: 'drained' | 'timed-out' | 'not-found';
  waitedMs: number;
  /** Requests still in flight when the instance was removed. */
  abandoned: number;
}

/**
 * New tracks first: growing canary (or green) only moves clients onto it, and its clients stay
 * there until it shrinks.
 */
const STICKY_ORDER: readonly Track[] = ['canary', 'green', 'blue', 'stable'];
const DRAIN_POLL_MS = 20;

/** 0–99 from a client key; the same key always lands in the same bucket. */
export function stickyBucket(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % 100;
}

/** The track a sticky key belongs to under these weights, or null when no track has weight. */
export function stickyTrack(weights: TrackWeights, key: string): Track | null {
  const tracks = STICKY_ORDER.filter((t) => (weights[t] ?? 0) > 0);
  const total = tracks.reduce((sum, t) => sum + (weights[t] ?? 0), 0);
  const bucket = stickyBucket(key);
  let cumulative = 0;
  for (const t of tracks) {
    cumulative += weights[t] ?? 0;
    if (bucket * total < cumulative * 100) return t;
  }
  return tracks[tracks.length - 1] ?? null;
}

export class InstancePool {
  private instances: Instance[] = [];
  private trackWeights: TrackWeights = { stable: 100 };
  private stickyOn = false;
  private changed: () => void = () => undefined;

  constructor(
    readonly service: string,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Replaces the instance set, keeping the health and in-flight count of instances that stay.
   * New instances start unhealthy: they get traffic after their first passing health check.
   * Instances that stay are updated in place: requests in flight release the object they took.
   */
  setInstances(specs: InstanceSpec[], options: { healthy?: boolean } = {}): void {
    const old = new Map(this.instances.map((i) => [i.id, i]));
    this.instances = specs.map((s) => {
      const kept = old.get(s.id);
      return kept === undefined ? { healthy: options.healthy ?? false, draining: false, inflight: 0, ...s } : Object.assign(kept, s);
    });
  }

  add(spec: InstanceSpec): void {
    this.setInstances([...this.instances.filter((i) => i.id !== spec.id), spec]);
  }

  remove(id: string): void {
    this.instances = this.instances.filter((i) => i.id !== id);
  }

  get(id: string): Instance | undefined {
    return this.instances.find((i) => i.id === id);
  }

  /** Moves an instance to another track (at promotion, canary instances become stable). False if unknown. */
  retag(id: string, track: Track): boolean {
    const instance = this.get(id);
    if (instance === undefined) return false;
    instance.track = track;
    this.changed();
    return true;
  }

  /** Told after weights, stickiness or a track change made here (not after `applySettings`). */
  onChange(listener: () => void): void {
    this.changed = listener;
  }

  settings(): PoolSettings {
    return { weights: this.weights(), sticky: this.stickyOn, tracks: Object.fromEntries(this.instances.map((i) => [i.id, i.track])) };
  }

  /** Takes settings another replica made; tracks only of the instances this pool has. */
  applySettings(settings: PoolSettings): void {
    this.trackWeights = { ...settings.weights };
    this.stickyOn = settings.sticky;
    for (const i of this.instances) i.track = settings.tracks[i.id] ?? i.track;
  }

  /**
   * Stops new requests to the instance, waits until its in-flight count reaches 0 or
   * `timeoutMs` (default 30 s) passes, then removes it.
   */
  async drain(id: string, timeoutMs = 30_000): Promise<DrainResult> {
    const instance = this.get(id);
    if (instance === undefined) return { id, outcome: 'not-found', waitedMs: 0, abandoned: 0 };
    instance.draining = true;
    const started = Date.now();
    while (instance.inflight > 0 && Date.now() - started < timeoutMs) {
      await sleep(Math.min(DRAIN_POLL_MS, Math.max(1, timeoutMs - (Date.now() - started))));
    }
    this.remove(id);
    const abandoned = Math.max(0, instance.inflight);
    return { id, outcome: abandoned === 0 ? 'drained' : 'timed-out', waitedMs: Date.now() - started, abandoned };
  }

  /** Track weights (any scale); a track with weight 0 or without healthy instances gets nothing. */
  setWeights(weights: TrackWeights): void {
    this.trackWeights = { ...weights };
    this.changed();
  }

  weights(): TrackWeights {
    return { ...this.trackWeights };
  }

  /** Sticky clients (by `stickyKey`) keep their track while it has weight. Default off. */
  setSticky(on: boolean): void {
    this.stickyOn = on;
    this.changed();
  }

  get sticky(): boolean {
    return this.stickyOn;
  }

  list(): readonly Instance[] {
    return this.instances;
  }

  available(): Instance[] {
    return this.instances.filter((i) => i.healthy && !i.draining);
  }

  /** The instance for the next request, or null when none is available. */
  pick(options: PickOptions = {}): Instance | null {
    const exclude = options.exclude ?? new Set<string>();
    const candidates = this.available().filter((i) => !exclude.has(i.url));
    const track = options.track ?? this.chooseTrack(candidates, options.stickyKey);
    const inTrack = candidates.filter((i) => i.track === track);
    if (inTrack.length === 0) return null;
    return inTrack.reduce((best, i) => (i.inflight < best.inflight ? i : best));
  }

  private chooseTrack(candidates: Instance[], stickyKey: string | undefined): Track | null {
    const live = new Set(candidates.map((i) => i.track));
    if (this.stickyOn && stickyKey !== undefined) {
      const sticky = stickyTrack(this.trackWeights, stickyKey);
      if (sticky !== null && live.has(sticky)) return sticky;
    }
    const tracks = [...live].filter((t) => (this.trackWeights[t] ?? 0) > 0);
    if (tracks.length === 0) return null;
    const total = tracks.reduce((sum, t) => sum + (this.trackWeights[t] ?? 0), 0);
    let roll = this.random() * total;
    return tracks.find((t) => (roll -= this.trackWeights[t] ?? 0) < 0) ?? tracks[tracks.length - 1] ?? null;
  }
}
