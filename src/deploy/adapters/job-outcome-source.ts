// Job outcomes per track, for the processing objectives: jobs run inside the instances and the
// workers, out of the gateway's sight, so each one's own pitchey_jobs_settled_total is read from its
// /metrics (the counter Prometheus alerts on) and the increase over the window is added to the track
// it serves. A job runs on the release that accepted it, so a process's count is its version's.
import { request } from 'undici';
import { JOB_OUTCOME, METRIC } from '../../kit/index.js';
import type { Observation, TrackWindow } from '../engine/index.js';
import type { InstanceHandle } from './driver.js';
import type { MetricSource } from './metric-source.js';

export interface JobOutcomeOptions {
  /** The instances and workers to read (the driver's list; those with no address are skipped). */
  instances: () => InstanceHandle[];
  /** A key with the `metrics` scope; null: job outcomes are not read (the job objectives see no work). */
  metricsKey: string | null;
  /** Per scrape. Default 2 s. */
  timeoutMs?: number;
  /** How long snapshots are kept: at least the longest analysis window. Default 15 min. */
  keepMs?: number;
  log?: (message: string) => void;
}

/** Settled jobs of one instance at one moment, by job type: the counter values. */
interface Snapshot {
  at: number;
  counts: Map<string, { succeeded: number; failed: number }>;
}

interface History {
  /** When the instance's process started (ms), from process_start_time_seconds; null if not exported. */
  startedAt: number | null;
  snapshots: Snapshot[];
}

/** `inner`'s windows, each track's `outcomes` completed with the job outcomes of its instances. */
export function withJobOutcomes(inner: MetricSource, options: JobOutcomeOptions): MetricSource {
  const histories = new Map<string, History>();
  const keepMs = options.keepMs ?? 900_000;
  return {
    async window(service, windowMs, now) {
      const tracks = await inner.window(service, windowMs, now);
      const instances = options.instances().filter((h) => h.service === service && h.url !== null);
      if (options.metricsKey === null || instances.length === 0) return tracks;
      const scraped = await Promise.all(instances.map((h) => scrape(h, options).catch((err: Error) => options.log?.(`job outcomes of ${h.id}: ${err.message}`))));
      const out: Observation['tracks'] = { ...tracks };
      instances.forEach((h, i) => {
        const sample = scraped[i];
        if (!sample) return;
        const history = histories.get(h.id) ?? { startedAt: sample.startedAt, snapshots: [] };
        history.snapshots = [...history.snapshots.filter((s) => s.at >= now - keepMs), { at: now, counts: sample.counts }].sort((a, b) => a.at - b.at);
        histories.set(h.id, history);
        const increase = increaseOver(history, now - windowMs, sample.counts);
        if (increase.size > 0) out[h.track] = addOutcomes(out[h.track], h.version, increase);
      });
      for (const id of histories.keys()) if (!options.instances().some((h) => h.id === id)) histories.delete(id);
      return out;
    },
  };
}

/**
 * How much each count rose since `from`: from the last snapshot at or before it; from zero when
 * the process started after it (a new canary's jobs all fall in the window); else from the oldest
 * snapshot there is. A count lower than before means the process restarted: the new value is the increase.
 */
function increaseOver(history: History, from: number, current: Snapshot['counts']): Snapshot['counts'] {
  const before = [...history.snapshots].reverse().find((s) => s.at <= from);
  const base = before ?? (history.startedAt !== null && history.startedAt >= from ? null : history.snapshots[0]);
  const out: Snapshot['counts'] = new Map();
  for (const [type, c] of current) {
    const b = base?.counts.get(type) ?? { succeeded: 0, failed: 0 };
    const succeeded = c.succeeded >= b.succeeded ? c.succeeded - b.succeeded : c.succeeded;
    const failed = c.failed >= b.failed ? c.failed - b.failed : c.failed;
    if (succeeded + failed > 0) out.set(type, { succeeded, failed });
  }
  return out;
}

function addOutcomes(window: TrackWindow | undefined, version: string, increase: Snapshot['counts']): TrackWindow {
  const w: TrackWindow = window ?? { version, requests: 0, errors: 0, authFailures: 0, unavailable: 0, latenciesMs: [] };
  const outcomes = { ...w.outcomes };
  for (const [type, inc] of increase) {
    const key = `job:${type}`;
    const prior = outcomes[key] ?? { succeeded: 0, failed: 0 };
    outcomes[key] = { succeeded: prior.succeeded + inc.succeeded, failed: prior.failed + inc.failed };
  }
  return { ...w, outcomes };
}

async function scrape(h: InstanceHandle, options: JobOutcomeOptions): Promise<{ counts: Snapshot['counts']; startedAt: number | null }> {
  const timeout = options.timeoutMs ?? 2_000;
  const res = await request(`${h.url}/metrics`, { headers: { authorization: `Bearer ${options.metricsKey}` }, headersTimeout: timeout, bodyTimeout: timeout });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`/metrics answered HTTP ${res.statusCode}`);
  }
  return parseJobCounts(await res.body.text());
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([^ ]+)/;
const LABEL_PAIR = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Completed and failed jobs by type (rejected and cancelled ones are neither), and the process start. */
export function parseJobCounts(exposition: string): { counts: Snapshot['counts']; startedAt: number | null } {
  const counts: Snapshot['counts'] = new Map();
  let startedAt: number | null = null;
  for (const line of exposition.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (m[1] === METRIC.processStart) startedAt = value * 1000;
    if (m[1] !== METRIC.jobsSettled) continue;
    const labels: Record<string, string | undefined> = Object.fromEntries([...(m[2] ?? '').matchAll(LABEL_PAIR)].map((l) => [l[1] ?? '', l[2] ?? '']));
    const type = labels.job_type;
    if (type === undefined || (labels.outcome !== JOB_OUTCOME.completed && labels.outcome !== JOB_OUTCOME.failed)) continue;
    const c = counts.get(type) ?? { succeeded: 0, failed: 0 };
    if (labels.outcome === JOB_OUTCOME.completed) c.succeeded += value;
    else c.failed += value;
    counts.set(type, c);
  }
  return { counts, startedAt };
}
