// The availability error budget's counts: requests and 5xx answers per service and hour, in the
// controller's SQLite, sampled from the gateway's per-track stats (which keep only 15 minutes).
// 30 days of hours per service is ~720 rows: the budget is a sum over them.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dataPath } from '../kit/light.js';
import { assessErrorBudget, completeSeconds, SLO_PERIOD_MS, type ErrorBudget } from './engine/index.js';
import type { MetricSource } from './adapters/metric-source.js';
import type { ControllerDb } from './store.js';

const HOUR_MS = 3_600_000;

const TABLE = `CREATE TABLE IF NOT EXISTS availability_hours (env TEXT NOT NULL, service TEXT NOT NULL, hour INTEGER NOT NULL,
  requests INTEGER NOT NULL, errors INTEGER NOT NULL, PRIMARY KEY (env, service, hour))`;

/** Adds one sample's counts to the hour it falls in (`at`, ms). */
export function writeAvailability(db: ControllerDb, sample: { env: string; service: string; at: number; requests: number; errors: number }): void {
  db.exec(TABLE);
  db.prepare(
    `INSERT INTO availability_hours (env, service, hour, requests, errors) VALUES (@env, @service, @hour, @requests, @errors)
     ON CONFLICT (env, service, hour) DO UPDATE SET requests = requests + @requests, errors = errors + @errors`,
  ).run({ ...sample, hour: Math.floor(sample.at / HOUR_MS) });
}

/** The service's error budget over the period ending at `now`; a store without the table has seen no traffic. */
export function readErrorBudget(db: ControllerDb, env: string, service: string, now: number): ErrorBudget {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'availability_hours'`).get() !== undefined;
  if (!exists) return assessErrorBudget({ requests: 0, errors: 0 });
  const since = Math.floor((now - SLO_PERIOD_MS) / HOUR_MS);
  const row = db
    .prepare(`SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(errors), 0) AS errors FROM availability_hours WHERE env = ? AND service = ? AND hour > ?`)
    .get(env, service, since) as { requests: number; errors: number };
  return assessErrorBudget(row);
}

/**
 * Adds the whole seconds since the last sample (all tracks of each service) to the store: a cursor
 * on seconds, so no second is counted twice or skipped while samples come within the stats' 15
 * minutes. `start` samples every `intervalMs` (default 1 min) and returns the stop function.
 */
export function createAvailabilitySampler(o: { db: ControllerDb; env: string; services: readonly string[]; source: MetricSource; now?: () => number; log?: (m: string) => void }): {
  sample(): Promise<void>;
  start(intervalMs?: number): () => void;
} {
  const now = o.now ?? Date.now;
  let cursor = Math.floor(now() / 1000);
  const sample = async (): Promise<void> => {
    const span = completeSeconds(cursor, now());
    if (span === null) return;
    const { end } = span;
    for (const service of o.services) {
      const tracks = Object.values(await o.source.window(service, span.windowMs, end));
      const requests = tracks.reduce((n, w) => n + (w?.requests ?? 0), 0);
      const errors = tracks.reduce((n, w) => n + (w?.errors ?? 0), 0);
      if (requests > 0) writeAvailability(o.db, { env: o.env, service, at: end, requests, errors });
    }
    cursor = span.through + 1;
  };
  return {
    sample,
    start(intervalMs = 60_000) {
      const timer = setInterval(() => {
        sample().catch((err: Error) => o.log?.(`availability sample: ${err.message}`));
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/** Each service's budget, read-only from the data dir's controller store (none there: untouched). */
export function readErrorBudgets(dataDir: string, env: string, services: readonly string[], now: number): Array<{ service: string; budget: ErrorBudget }> {
  const path = dataPath(dataDir, 'controllerDb');
  if (!existsSync(path)) return services.map((service) => ({ service, budget: assessErrorBudget({ requests: 0, errors: 0 }) }));
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return services.map((service) => ({ service, budget: readErrorBudget(db, env, service, now) }));
  } finally {
    db.close();
  }
}
