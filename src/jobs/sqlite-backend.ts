// Embedded job store on one SQLite file (better-sqlite3). Several processes may share the file:
// WAL lets readers run beside the single writer, and every state change is one guarded statement.
// JobBackend is an async port (a networked backend awaits); better-sqlite3 answers synchronously, and
// `async` keeps a thrown error a rejection, as the port's callers expect.
/* eslint-disable @typescript-eslint/require-await */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { CompleteOptions, EnqueueOptions, FailOptions, JobBackend, JobFailure, JobRecord, JobState, ListOptions, ProgressUpdate } from './job-backend.js';
import { DEFAULT_LIST_LIMIT, DEFAULT_TTL_MS, INTERRUPTED, jsonText, readJobRecord, validateEnqueue } from './job-record.js';

export interface SqliteJobBackendOptions {
  /** Database file; created with its schema when missing. */
  path: string;
  /** How long a write waits for another process holding the lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  payload TEXT NOT NULL,
  progress REAL NOT NULL DEFAULT 0,
  eta_seconds REAL,
  message TEXT,
  result TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  timeout_ms INTEGER,
  stall_ms INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  worker_id TEXT,
  lease_until INTEGER,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  expires_at INTEGER,
  run_at INTEGER NOT NULL,
  files TEXT NOT NULL DEFAULT '[]',
  version TEXT,
  owner TEXT
);
CREATE TABLE IF NOT EXISTS workers (
  worker_id TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  alive_until INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_claimable ON jobs (state, type, run_at, created_at);
CREATE INDEX IF NOT EXISTS jobs_lease ON jobs (state, lease_until);
CREATE INDEX IF NOT EXISTS jobs_expiry ON jobs (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_recent ON jobs (created_at, seq);
`;

/** Columns later than the first schema, in the order they came. */
const ADDED_COLUMNS = ['version', 'owner'] as const;

interface JobRow {
  id: string;
  type: string;
  state: JobState;
  payload: string;
  progress: number;
  eta_seconds: number | null;
  message: string | null;
  result: string | null;
  error: string | null;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
  stall_ms: number | null;
  cancel_requested: number;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  finished_at: number | null;
  expires_at: number | null;
  run_at: number;
  files: string;
  version: string | null;
  owner: string | null;
}

/** `etaSeconds` is the column `eta_seconds`. */
const columnOf = (name: keyof JobRecord): keyof JobRow => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) as keyof JobRow;

function toRecord(row: JobRow): JobRecord {
  return readJobRecord((name) => row[columnOf(name)]);
}

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  // FULL: a commit is fsynced before it returns, so an accepted job survives power loss too.
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.exec(SCHEMA);
  // Files made before jobs had a release or an owner gain the columns; their jobs are anyone's
  // (NULL). Under the write lock: instances of a service opening one old file together add each once.
  db.transaction(() => {
    const columns = new Set(
      db
        .prepare<[], { name: string }>('PRAGMA table_info(jobs)')
        .all()
        .map((c) => c.name),
    );
    for (const column of ADDED_COLUMNS) if (!columns.has(column)) db.exec(`ALTER TABLE jobs ADD COLUMN ${column} TEXT`);
  }).immediate();
  return db;
}

const RETRY = '(@retryAt IS NOT NULL AND attempts < max_attempts)';
const REQUEUE = '(cancel_requested = 0 AND attempts < max_attempts)';

function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare(`INSERT INTO jobs (id, type, state, payload, max_attempts, timeout_ms, stall_ms,
        created_at, updated_at, run_at, files, version, owner)
      VALUES (@id, @type, 'queued', @payload, @maxAttempts, @timeoutMs, @stallMs, @now, @now, @now, @files, @version, @owner)
      ON CONFLICT (id) DO NOTHING`),
    get: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    listAll: db.prepare<[number], JobRow>('SELECT * FROM jobs ORDER BY created_at DESC, seq DESC LIMIT ?'),
    listState: db.prepare<[string, number], JobRow>('SELECT * FROM jobs WHERE state = ? ORDER BY created_at DESC, seq DESC LIMIT ?'),
    // One statement: SQLite holds the write lock for all of it, so no two claimers see the same row.
    claim: db.prepare(`UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = @now,
        updated_at = @now, lease_until = @leaseUntil, worker_id = @workerId, progress = 0,
        eta_seconds = NULL, message = NULL
      WHERE seq = (SELECT seq FROM jobs WHERE state = 'queued' AND run_at <= @now
          AND type IN (SELECT value FROM json_each(@types))
          AND (version IS NULL OR version = @version OR NOT EXISTS (SELECT 1 FROM workers w
            WHERE w.version = jobs.version AND w.alive_until > @now))
          ORDER BY created_at, seq LIMIT 1)
        AND state = 'queued'
      RETURNING *`),
    progress: db.prepare(`UPDATE jobs SET progress = @progress, eta_seconds = @etaSeconds, message = @message,
        lease_until = @leaseUntil, updated_at = @now
      WHERE id = @id AND state = 'running' RETURNING cancel_requested`),
    complete: db.prepare(`UPDATE jobs SET state = 'completed', result = @result, error = NULL,
        files = @files, progress = 100, eta_seconds = 0, finished_at = @now, updated_at = @now,
        expires_at = @expiresAt, lease_until = NULL, worker_id = NULL
      WHERE id = @id AND state = 'running' RETURNING *`),
    fail: db.prepare(`UPDATE jobs SET error = @error, updated_at = @now, eta_seconds = NULL,
        lease_until = NULL, worker_id = NULL,
        state = CASE WHEN ${RETRY} THEN 'queued' ELSE 'failed' END,
        run_at = CASE WHEN ${RETRY} THEN @retryAt ELSE run_at END,
        finished_at = CASE WHEN ${RETRY} THEN NULL ELSE @now END,
        expires_at = CASE WHEN ${RETRY} THEN NULL ELSE @expiresAt END
      WHERE id = @id AND state = 'running' RETURNING *`),
    cancelQueued: db.prepare(`UPDATE jobs SET state = 'cancelled', cancel_requested = 1,
        finished_at = @now, updated_at = @now, expires_at = @expiresAt
      WHERE id = @id AND state = 'queued'`),
    cancelRunning: db.prepare(`UPDATE jobs SET cancel_requested = 1, updated_at = @now
      WHERE id = @id AND state = 'running'`),
    markCancelled: db.prepare(`UPDATE jobs SET state = 'cancelled', finished_at = @now, updated_at = @now,
        expires_at = @expiresAt, eta_seconds = NULL, lease_until = NULL, worker_id = NULL
      WHERE id = @id AND state = 'running' RETURNING *`),
    release: db.prepare(`UPDATE jobs SET updated_at = @now, run_at = @now, eta_seconds = NULL,
        lease_until = NULL, worker_id = NULL,
        state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
        attempts = CASE WHEN cancel_requested THEN attempts ELSE max(attempts - 1, 0) END,
        finished_at = CASE WHEN cancel_requested THEN @now ELSE NULL END,
        expires_at = CASE WHEN cancel_requested THEN @expiresAt ELSE NULL END
      WHERE id = @id AND state = 'running' RETURNING *`),
    recover: db.prepare(`UPDATE jobs SET updated_at = @now, run_at = @now, eta_seconds = NULL,
        lease_until = NULL, worker_id = NULL,
        error = CASE WHEN cancel_requested THEN error ELSE @error END,
        state = CASE WHEN cancel_requested THEN 'cancelled' WHEN ${REQUEUE} THEN 'queued' ELSE 'failed' END,
        finished_at = CASE WHEN ${REQUEUE} THEN NULL ELSE @now END,
        expires_at = CASE WHEN ${REQUEUE} THEN NULL ELSE @expiresAt END
      WHERE state = 'running' AND lease_until <= @now RETURNING *`),
    removeExpired: db.prepare(`DELETE FROM jobs
      WHERE expires_at <= @now AND state IN ('completed', 'failed', 'cancelled') RETURNING *`),
    announce: db.prepare(`INSERT INTO workers (worker_id, version, alive_until) VALUES (@workerId, @version, @until)
      ON CONFLICT (worker_id) DO UPDATE SET version = @version, alive_until = @until`),
    retire: db.prepare<[string]>('DELETE FROM workers WHERE worker_id = ?'),
    forgetWorkers: db.prepare<[number]>('DELETE FROM workers WHERE alive_until <= ?'),
    counts: db.prepare<[], { state: JobState; n: number }>('SELECT state, count(*) AS n FROM jobs GROUP BY state'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

function rowOrNull(row: unknown): JobRecord | null {
  return row === undefined ? null : toRecord(row as JobRow);
}

/** Opens (creating when missing) a job store on an SQLite file. */
export function createSqliteJobBackend(options: SqliteJobBackendOptions): JobBackend {
  return new SqliteJobBackend(openDatabase(options.path, options.busyTimeoutMs ?? 5000));
}

// Methods are async only to honour the port: better-sqlite3 finishes (and fsyncs) each write
// synchronously, so it is durable before the promise resolves.
class SqliteJobBackend implements JobBackend {
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #completeTx;
  readonly #cancelTx;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#st = prepareStatements(db);
    this.#completeTx = db.transaction((id: string, result: unknown, opts: CompleteOptions, now: number) => {
      const current = this.#get(id);
      if (current === null || current.state !== 'running') return null;
      const files = [...new Set([...current.files, ...(opts.files ?? [])])];
      const params = { id, now, result: jsonText(result), files: jsonText(files), expiresAt: now + opts.ttlMs };
      return rowOrNull(this.#st.complete.get(params));
    });
    this.#cancelTx = db.transaction((id: string, now: number, ttlMs: number) => {
      this.#st.cancelQueued.run({ id, now, expiresAt: now + ttlMs });
      this.#st.cancelRunning.run({ id, now });
      return this.#get(id);
    });
  }

  #get(id: string): JobRecord | null {
    return rowOrNull(this.#st.get.get(id));
  }

  async enqueue(type: string, payload: unknown, opts: EnqueueOptions, now: number): Promise<JobRecord> {
    validateEnqueue(type, opts);
    const id = opts.id ?? randomUUID();
    this.#st.insert.run({
      id,
      type,
      now,
      payload: jsonText(payload),
      maxAttempts: opts.maxAttempts ?? 1,
      timeoutMs: opts.timeoutMs ?? null,
      stallMs: opts.stallMs ?? null,
      files: jsonText(opts.files ?? []),
      version: opts.version ?? null,
      owner: opts.owner ?? null,
    });
    return this.#get(id) as JobRecord;
  }

  async get(id: string): Promise<JobRecord | null> {
    return this.#get(id);
  }

  async list(opts: ListOptions = {}): Promise<JobRecord[]> {
    const limit = opts.limit ?? DEFAULT_LIST_LIMIT;
    const rows = opts.state === undefined ? this.#st.listAll.all(limit) : this.#st.listState.all(opts.state, limit);
    return rows.map(toRecord);
  }

  async claim(types: string[], workerId: string, leaseMs: number, now: number, version: string | null = null): Promise<JobRecord | null> {
    if (types.length === 0) return null;
    return rowOrNull(this.#st.claim.get({ now, workerId, leaseUntil: now + leaseMs, types: jsonText(types), version }));
  }

  async announce(workerId: string, version: string, until: number): Promise<void> {
    this.#st.announce.run({ workerId, version, until });
  }

  async retire(workerId: string): Promise<void> {
    this.#st.retire.run(workerId);
  }

  async progress(id: string, update: ProgressUpdate, leaseMs: number, now: number): Promise<boolean> {
    const { progress, etaSeconds, message } = update;
    // Progress and lease renewals are advisory, so they do not wait for an fsync (a blocking
    // one, several times a second per running job): the WAL keeps them in order, and the next
    // durable commit makes them durable too. A power cut may lose the last few, never a job.
    this.#db.pragma('synchronous = NORMAL');
    try {
      const row = this.#st.progress.get({ id, now, leaseUntil: now + leaseMs, progress, etaSeconds, message }) as { cancel_requested: number } | undefined;
      return row === undefined || row.cancel_requested !== 0;
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  async complete(id: string, result: unknown, opts: CompleteOptions, now: number): Promise<JobRecord | null> {
    return this.#completeTx.immediate(id, result, opts, now);
  }

  async fail(id: string, failure: JobFailure, opts: FailOptions, now: number): Promise<JobRecord | null> {
    const params = { id, now, error: jsonText(failure), retryAt: opts.retryAt ?? null, expiresAt: now + opts.ttlMs };
    return rowOrNull(this.#st.fail.get(params));
  }

  async requestCancel(id: string, now: number, ttlMs = DEFAULT_TTL_MS): Promise<JobRecord | null> {
    return this.#cancelTx.immediate(id, now, ttlMs);
  }

  async markCancelled(id: string, ttlMs: number, now: number): Promise<JobRecord | null> {
    return rowOrNull(this.#st.markCancelled.get({ id, now, expiresAt: now + ttlMs }));
  }

  async release(id: string, ttlMs: number, now: number): Promise<JobRecord | null> {
    return rowOrNull(this.#st.release.get({ id, now, expiresAt: now + ttlMs }));
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const { state, n } of this.#st.counts.all()) counts[state] = n;
    return counts;
  }

  async recoverExpiredLeases(now: number, ttlMs = DEFAULT_TTL_MS): Promise<JobRecord[]> {
    this.#st.forgetWorkers.run(now); // workers that died without retiring
    return (this.#st.recover.all({ now, error: jsonText(INTERRUPTED), expiresAt: now + ttlMs }) as JobRow[]).map(toRecord);
  }

  async removeExpired(now: number): Promise<JobRecord[]> {
    return (this.#st.removeExpired.all({ now }) as JobRow[]).map(toRecord);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
