// Per-track statistics summed over every gateway replica. Each replica adds its counts into one
// Redis hash per service and second (HINCRBY, so Redis does the summing and a reader needs no
// list of replicas); a hash lives as long as the 15-minute window. The request path only adds to
// a map in memory; a flush once a second writes it in one pipeline.
import { Problem } from '../kit/index.js';
import type { Track } from './pool.js';
import { histogramSamples, latencyBucket } from './latency-histogram.js';
import { hashFields, type RedisReply, type RedisState } from './redis-state.js';
import { seriesPoint, seriesSpan, windowStart, type AnswerFacts, type SeriesPoint, type TrackStats, type TrackWindowStats } from './track-stats.js';

/** Seconds a per-second hash is kept: the window, and a minute for clocks that disagree. */
const KEEP_S = 900 + 60;
const WINDOW_S = 900;

export interface SharedTrackStatsOptions {
  redis: RedisState;
  /** This replica's own stats, kept as before (the `stats` of a gateway). */
  local: TrackStats;
  /** Default 1000 ms. */
  flushIntervalMs?: number;
}

type Counts = Map<string, number>;

interface Series {
  track: Track;
  version: string;
  counts: Counts;
}

const add = (m: Counts, field: string, n = 1): void => {
  m.set(field, (m.get(field) ?? 0) + n);
};

/** The map's value under `key`, made first when missing. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

/** The field names of one answer: `<track>|<version>|<counter>`. */
function answerFields(status: number, latencyMs: number, facts: AnswerFacts): string[] {
  const f = ['r', `h${latencyBucket(latencyMs)}`];
  if (status >= 500) f.push('e');
  if (status === 401 || status === 403) f.push('a');
  if (status === 502 || status === 503 || status === 504) f.push('u');
  for (const [operation, outcome] of Object.entries(facts.outcomes ?? {})) f.push(`o${outcome === 'success' ? 's' : 'f'}:${operation}`);
  if (facts.critical === true) f.push(`c${latencyBucket(latencyMs)}`);
  return f;
}

/** One track's window from its series' summed counters (the version with most requests names it). */
function summarise(series: Series[]): TrackWindowStats {
  const total: Counts = new Map();
  for (const s of series) for (const [f, n] of s.counts) add(total, f, n);
  const top = series.reduce((best, s) => ((s.counts.get('r') ?? 0) > (best.counts.get('r') ?? 0) ? s : best));
  const histogram = (prefix: 'h' | 'c'): Map<number, number> => new Map([...total].filter(([f]) => f.startsWith(prefix) && /^\d+$/.test(f.slice(1))).map(([f, n]) => [Number(f.slice(1)), n]));
  const outcomes: NonNullable<TrackWindowStats['outcomes']> = {};
  for (const [f, n] of total) {
    if (!f.startsWith('os:') && !f.startsWith('of:')) continue;
    const o = (outcomes[f.slice(3)] ??= { succeeded: 0, failed: 0 });
    if (f[1] === 's') o.succeeded += n;
    else o.failed += n;
  }
  const critical = histogramSamples(histogram('c'));
  return {
    version: top.version,
    requests: total.get('r') ?? 0,
    errors: total.get('e') ?? 0,
    authFailures: total.get('a') ?? 0,
    unavailable: total.get('u') ?? 0,
    latenciesMs: histogramSamples(histogram('h')),
    ...(Object.keys(outcomes).length > 0 ? { outcomes } : {}),
    ...(critical.length > 0 ? { criticalLatenciesMs: critical } : {}),
  };
}

export class SharedTrackStats {
  /** `<service>` → `<second>` → `<track>|<version>|<counter>` → count, not yet written. */
  private pending = new Map<string, Map<number, Counts>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: SharedTrackStatsOptions) {}

  private key(service: string, second: number): string {
    // The braces keep one service's seconds in one Redis Cluster slot, so a window is one pipeline to one node.
    return `${this.options.redis.prefix}stats:{${service}}:${second}`;
  }

  /** Counts one answer here and for the next flush; never touches Redis. */
  record(service: string, track: Track, version: string, status: number, latencyMs: number, now: number, facts: AnswerFacts = {}): void {
    this.options.local.record(service, track, version, status, latencyMs, now, facts);
    const seconds = entry(this.pending, service, () => new Map<number, Counts>());
    const second = Math.floor(now / 1000);
    const counts = entry(seconds, second, (): Counts => new Map());
    for (const f of answerFields(status, latencyMs, facts)) add(counts, `${track}|${version}|${f}`);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Writes what is pending in one pipeline. On failure it is kept for the next flush (seconds past the window dropped). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    if (batch.size === 0) return;
    this.pending = new Map();
    const commands: Array<Array<string | number>> = [];
    for (const [service, seconds] of batch)
      for (const [second, counts] of seconds) {
        const key = this.key(service, second);
        for (const [field, n] of counts) commands.push(['HINCRBY', key, field, n]);
        commands.push(['EXPIRE', key, KEEP_S]);
      }
    try {
      await this.options.redis.pipeline(commands);
    } catch {
      this.restore(batch, Math.floor(Date.now() / 1000) - WINDOW_S);
    }
  }

  /** Puts an unwritten batch back under what came since. Counts that did reach Redis may be counted again: rare, and only in an outage. */
  private restore(batch: Map<string, Map<number, Counts>>, oldest: number): void {
    for (const [service, seconds] of batch)
      for (const [second, counts] of seconds) {
        if (second < oldest) continue;
        const into = entry(this.pending, service, () => new Map<number, Counts>());
        const target = entry(into, second, (): Counts => new Map());
        for (const [f, n] of counts) add(target, f, n);
      }
  }

  /** Per-track traffic of `service` over every replica, as `TrackStats.window` counts it for one. */
  async window(service: string, windowMs: number, now: number): Promise<Partial<Record<Track, TrackWindowStats>>> {
    const to = Math.floor(now / 1000);
    const from = Math.max(windowStart(now, windowMs), to - WINDOW_S + 1);
    const series = new Map<string, Series>();
    for (const { fields } of await this.read(service, from, to))
      for (const [track, version, counter, n] of fields) add(entry(series, `${track}|${version}`, (): Series => ({ track, version, counts: new Map() })).counts, counter, n);
    const byTrack = new Map<Track, Series[]>();
    for (const s of series.values()) byTrack.set(s.track, [...(byTrack.get(s.track) ?? []), s]);
    return Object.fromEntries([...byTrack].map(([track, list]) => [track, summarise(list)]));
  }

  /** Per track of `service`, one point per step over every replica, as `TrackStats.timeline` draws one's. */
  async timeline(service: string, sinceMs: number, stepMs: number, now: number): Promise<Partial<Record<Track, SeriesPoint[]>>> {
    const { from, to, stepS } = seriesSpan(sinceMs, stepMs, now, WINDOW_S);
    /** track → step start → counter → count */
    const steps = new Map<Track, Map<number, Counts>>();
    for (const { second, fields } of await this.read(service, from, to))
      for (const [track, , counter, n] of fields) {
        const start = from + Math.floor((second - from) / stepS) * stepS;
        add(
          entry(
            entry(steps, track, () => new Map<number, Counts>()),
            start,
            (): Counts => new Map(),
          ),
          counter,
          n,
        );
      }
    const out: Partial<Record<Track, SeriesPoint[]>> = {};
    for (const [track, byStart] of steps) {
      const points: SeriesPoint[] = [];
      for (let start = from; start <= to; start += stepS) {
        const counts = byStart.get(start) ?? new Map<string, number>();
        const histogram = new Map([...counts].filter(([f]) => /^h\d+$/.test(f)).map(([f, n]) => [Number(f.slice(1)), n]));
        points.push(seriesPoint(start * 1000, counts.get('r') ?? 0, counts.get('e') ?? 0, histogramSamples(histogram)));
      }
      out[track] = points;
    }
    return out;
  }

  /** Every second's summed fields of `service` from `from` to `to`, in one pipeline; a failed read is a 503 problem, never a partial view. */
  private async read(service: string, from: number, to: number): Promise<Array<{ second: number; fields: Array<[Track, string, string, number]> }>> {
    const seconds = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
    let replies: RedisReply[];
    try {
      replies = await this.options.redis.pipeline(seconds.map((s) => ['HGETALL', this.key(service, s)]));
    } catch (error) {
      throw new Problem('GATEWAY_STATE_UNAVAILABLE', "The gateways' shared statistics cannot be read from Redis; no partial view is given instead.", { cause: error, headers: { 'retry-after': '5' } });
    }
    return replies.map((reply, i) => ({
      second: seconds[i] as number,
      fields: [...hashFields(reply)].map(([field, value]): [Track, string, string, number] => {
        const [track = '', version = '', counter = ''] = field.split('|');
        return [track as Track, version, counter, Number(value)];
      }),
    }));
  }

  /** Stops the timer and writes what is left (best effort). */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
