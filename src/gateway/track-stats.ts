// Per-track traffic the deployment controller judges a release by: for each service, track and
// version, one-second buckets over the last 15 minutes of requests, errors, auth failures,
// unavailable answers and a bounded uniform sample of latencies; and for the service level
// objectives, operation outcomes (authentication, inference) and critical routes' latencies.
import type { OperationOutcomes, Track, TrackWindow } from '../deploy/engine/index.js';
import { quantile } from '../kit/light.js';

/** What one track saw over a window: the deploy engine's `TrackWindow`, declared once there. */
export type TrackWindowStats = TrackWindow;

export interface TrackStatsOptions {
  /** Buckets kept, one per second. Default 900 (15 min). */
  seconds?: number;
  /** Latencies kept per bucket (reservoir sampling). Default 200. */
  samplesPerBucket?: number;
  /** Default Math.random. */
  random?: () => number;
}

interface Bucket {
  second: number;
  requests: number;
  errors: number;
  authFailures: number;
  unavailable: number;
  /** Latencies offered to the reservoir; `latencies` holds at most the cap of them. */
  seen: number;
  latencies: number[];
  /** Outcomes by operation, made on the first one. */
  outcomes?: Record<string, OperationOutcomes>;
  /** Critical routes' latencies: a reservoir like `latencies`, made on the first one. */
  critical?: { seen: number; latencies: number[] };
}

/** What an answer means beyond its status: operation outcomes it settles, and whether its route is critical. */
export interface AnswerFacts {
  /** Outcomes to count, e.g. { auth: 'success' } (see gateway-outcomes.ts). */
  outcomes?: Record<string, 'success' | 'failure'>;
  critical?: boolean;
}

interface Series {
  service: string;
  track: Track;
  version: string;
  ring: Array<Bucket | undefined>;
  last: number;
}

interface VersionBuckets {
  version: string;
  buckets: Bucket[];
}

const sum = (buckets: Bucket[], field: 'requests' | 'errors' | 'authFailures' | 'unavailable'): number => buckets.reduce((n, b) => n + b[field], 0);

/** The outcomes of several buckets added up; undefined when none has any. */
function sumOutcomes(buckets: Bucket[]): Record<string, OperationOutcomes> | undefined {
  let total: Record<string, OperationOutcomes> | undefined;
  for (const b of buckets)
    for (const [op, o] of Object.entries(b.outcomes ?? {})) {
      const t = ((total ??= {})[op] ??= { succeeded: 0, failed: 0 });
      t.succeeded += o.succeeded;
      t.failed += o.failed;
    }
  return total;
}

/** One step of a track's time series: what the web dashboard charts, canary beside stable. */
export interface SeriesPoint {
  /** Start of the step, epoch ms. */
  at: number;
  requests: number;
  errors: number;
  /** errors / requests; null without requests. */
  errorRate: number | null;
  /** 95th percentile of the sampled latencies; null without requests. */
  p95Ms: number | null;
}

/** The 95th percentile of the sampled latencies, by the engine's own quantile; null without any. */
const p95 = (values: number[]): number | null => (values.length === 0 ? null : quantile(values, 0.95));

/**
 * The first whole second of a window that reaches back `windowMs` from `now`: the first second
 * that starts at or after `now - windowMs` (see TrackStats.window).
 */
export const windowStart = (now: number, windowMs: number): number => Math.ceil((now - windowMs) / 1000);

/** One step's point, from its counts and latency sample: the one way a replica or Redis makes it. */
export function seriesPoint(at: number, requests: number, errors: number, latenciesMs: number[]): SeriesPoint {
  return { at, requests, errors, errorRate: requests > 0 ? errors / requests : null, p95Ms: p95(latenciesMs) };
}

/** The seconds a series covers (at most `keepS` back from `now`) and its step in seconds. */
export function seriesSpan(sinceMs: number, stepMs: number, now: number, keepS: number): { from: number; to: number; stepS: number } {
  const to = Math.floor(now / 1000);
  return { from: Math.max(Math.floor(sinceMs / 1000), to - keepS + 1), to, stepS: Math.max(1, Math.round(stepMs / 1000)) };
}

const emptyBucket = (second: number): Bucket => ({ second, requests: 0, errors: 0, authFailures: 0, unavailable: 0, seen: 0, latencies: [] });

export class TrackStats {
  private readonly series = new Map<string, Series>();
  private readonly seconds: number;
  private readonly cap: number;
  private readonly random: () => number;

  constructor(options: TrackStatsOptions = {}) {
    this.seconds = options.seconds ?? 900;
    this.cap = options.samplesPerBucket ?? 200;
    this.random = options.random ?? Math.random;
  }

  /** Counts one answer (or proxy failure, as the status it became) of an instance of `track` at `version`. */
  record(service: string, track: Track, version: string, status: number, latencyMs: number, now: number, facts: AnswerFacts = {}): void {
    const key = `${service}\u0000${track}\u0000${version}`;
    let series = this.series.get(key);
    if (series === undefined) this.series.set(key, (series = { service, track, version, ring: new Array<Bucket | undefined>(this.seconds), last: 0 }));
    const second = Math.floor(now / 1000);
    const slot = second % this.seconds;
    let bucket = series.ring[slot];
    if (bucket === undefined || bucket.second !== second) series.ring[slot] = bucket = emptyBucket(second);
    series.last = Math.max(series.last, second);
    bucket.requests++;
    if (status >= 500) bucket.errors++;
    if (status === 401 || status === 403) bucket.authFailures++;
    if (status === 502 || status === 503 || status === 504) bucket.unavailable++;
    this.sample(bucket, latencyMs);
    for (const [operation, outcome] of Object.entries(facts.outcomes ?? {})) {
      const counts = ((bucket.outcomes ??= {})[operation] ??= { succeeded: 0, failed: 0 });
      if (outcome === 'success') counts.succeeded++;
      else counts.failed++;
    }
    if (facts.critical === true) this.sample((bucket.critical ??= { seen: 0, latencies: [] }), latencyMs);
  }

  /**
   * Traffic per track of `service` over the last `windowMs` before `now`: the seconds from the
   * first that starts at or after `now - windowMs` to `now`'s own, at most the ring's length. Not
   * the second `now - windowMs` falls in: a window that starts at a deployment's start must not
   * count the previous release's last answers in that second (a canary rolled back the moment
   * before counted against the next one). A track
   * that ran more than one version in the window reports the version with most requests, and
   * the sums of all.
   */
  window(service: string, windowMs: number, now: number): Partial<Record<Track, TrackWindowStats>> {
    const to = Math.floor(now / 1000);
    const from = Math.max(windowStart(now, windowMs), to - this.seconds + 1);
    this.prune(to);
    const byTrack = new Map<Track, VersionBuckets[]>();
    for (const series of this.series.values()) {
      if (series.service !== service) continue;
      const buckets = series.ring.filter((b): b is Bucket => b !== undefined && b.second >= from && b.second <= to);
      if (buckets.length > 0) byTrack.set(series.track, [...(byTrack.get(series.track) ?? []), { version: series.version, buckets }]);
    }
    const out: Partial<Record<Track, TrackWindowStats>> = {};
    for (const [track, versions] of byTrack) out[track] = this.summarise(versions);
    return out;
  }

  /**
   * Per track of `service`, one point per `stepMs` from `sinceMs` to `now` (at most the ring's
   * length back): the same buckets the analysis reads, so the chart shows what was judged.
   */
  timeline(service: string, sinceMs: number, stepMs: number, now: number): Partial<Record<Track, SeriesPoint[]>> {
    const { from, to, stepS } = seriesSpan(sinceMs, stepMs, now, this.seconds);
    this.prune(to);
    const byTrack = new Map<Track, Bucket[]>();
    for (const s of this.series.values())
      if (s.service === service) byTrack.set(s.track, [...(byTrack.get(s.track) ?? []), ...s.ring.filter((b): b is Bucket => b !== undefined && b.second >= from && b.second <= to)]);
    const out: Partial<Record<Track, SeriesPoint[]>> = {};
    for (const [track, buckets] of byTrack) {
      const points: SeriesPoint[] = [];
      for (let start = from; start <= to; start += stepS) {
        const step = buckets.filter((b) => b.second >= start && b.second < start + stepS);
        points.push(seriesPoint(start * 1000, sum(step, 'requests'), sum(step, 'errors'), this.mergeSamples(step)));
      }
      out[track] = points;
    }
    return out;
  }

  private summarise(versions: VersionBuckets[]): TrackWindowStats {
    const top = versions.reduce((best, v) => (sum(v.buckets, 'requests') > sum(best.buckets, 'requests') ? v : best));
    const all = versions.flatMap((v) => v.buckets);
    const critical = all.flatMap((b) => (b.critical ? [b.critical] : []));
    const outcomes = sumOutcomes(all);
    return {
      version: top.version,
      requests: sum(all, 'requests'),
      errors: sum(all, 'errors'),
      authFailures: sum(all, 'authFailures'),
      unavailable: sum(all, 'unavailable'),
      latenciesMs: this.mergeSamples(all),
      ...(outcomes ? { outcomes } : {}),
      ...(critical.length > 0 ? { criticalLatenciesMs: this.mergeSamples(critical) } : {}),
    };
  }

  private sample(bucket: { seen: number; latencies: number[] }, latencyMs: number): void {
    bucket.seen++;
    if (bucket.latencies.length < this.cap) {
      bucket.latencies.push(latencyMs);
      return;
    }
    const j = Math.floor(this.random() * bucket.seen);
    if (j < this.cap) bucket.latencies[j] = latencyMs;
  }

  /**
   * One uniform sample over several buckets. A capped bucket stands for more requests than it
   * holds, so when any bucket is capped every bucket is thinned to the same fraction (the
   * smallest kept/seen), rounding at random, before the samples are joined.
   */
  private mergeSamples(buckets: Array<{ seen: number; latencies: number[] }>): number[] {
    const fraction = Math.min(1, ...buckets.map((b) => b.latencies.length / Math.max(1, b.seen)));
    if (fraction === 1) return buckets.flatMap((b) => b.latencies);
    return buckets.flatMap((b) => {
      const exact = b.seen * fraction;
      const take = Math.min(b.latencies.length, Math.floor(exact) + (this.random() < exact - Math.floor(exact) ? 1 : 0));
      return this.choose(b.latencies, take);
    });
  }

  private choose(values: number[], take: number): number[] {
    const copy = [...values];
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(this.random() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j] as number, copy[i] as number];
    }
    return copy.slice(0, take);
  }

  /** Forgets series with nothing left in the ring. */
  private prune(nowSecond: number): void {
    for (const [key, series] of this.series) if (series.last <= nowSecond - this.seconds) this.series.delete(key);
  }
}
