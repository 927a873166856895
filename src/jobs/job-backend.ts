// The storage port for jobs: the record shape and the operations any backend (SQLite, embedded;
// Redis, for several hosts) must offer. Types only; no implementation lives here.

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobFailure {
  code: string;
  message: string;
}

export interface JobRecord {
  id: string;
  type: string;
  state: JobState;
  payload: unknown;
  /** 0..100 */
  progress: number;
  /** Estimated from the progress rate; null until there is a rate. */
  etaSeconds: number | null;
  /** Last progress message. */
  message: string | null;
  /** null until the job completes. */
  result: unknown;
  error: JobFailure | null;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number | null;
  stallMs: number | null;
  cancelRequested: boolean;
  createdAt: number;
  startedAt: number | null;
  updatedAt: number;
  finishedAt: number | null;
  /** Finished jobs are deleted (with their files) after this. */
  expiresAt: number | null;
  /** Not claimable before this (retry backoff). */
  runAt: number;
  /** Absolute paths owned by the job, removed at expiry. */
  files: string[];
  /** The release that accepted the job: its workers run it while any is alive. Null: anyone's. */
  version: string | null;
  /** Who submitted the job (a principal id); only they (and admins) may see it. Null: not recorded. */
  owner: string | null;
}

export interface EnqueueOptions {
  /** Caller-chosen id (letters, digits, `.`, `_`, `-`; it names a directory). Default: a random UUID. */
  id?: string;
  /** Default 1: no retries. */
  maxAttempts?: number;
  timeoutMs?: number;
  stallMs?: number;
  files?: string[];
  /** The accepting release (see JobRecord.version). */
  version?: string;
  /** The submitting principal (see JobRecord.owner). */
  owner?: string;
}

export interface ProgressUpdate {
  progress: number;
  etaSeconds: number | null;
  message: string | null;
}

export interface ListOptions {
  state?: JobState;
  /** Default 100. */
  limit?: number;
}

export interface CompleteOptions {
  ttlMs: number;
  /** Added to the job's files (kept until expiry). */
  files?: string[];
}

export interface FailOptions {
  /** When set and attempts remain, the job is queued again, claimable from this time. */
  retryAt?: number | null;
  ttlMs: number;
}

/**
 * A durable job store. Every method resolves only once its write is durable.
 * Time is always passed in (`now`, ms since epoch) so the caller owns the clock.
 */
export interface JobBackend {
  /**
   * Adds a queued job. Idempotent per id: enqueueing an id that exists returns the
   * stored record unchanged. Defaults: random UUID id, maxAttempts 1, no timeout/stall.
   */
  enqueue(type: string, payload: unknown, opts: EnqueueOptions, now: number): Promise<JobRecord>;

  /** The job, or null when unknown or already expired and removed. */
  get(id: string): Promise<JobRecord | null>;

  /** Newest first; default limit 100, all states. */
  list(opts?: ListOptions): Promise<JobRecord[]>;

  /**
   * Atomically takes the oldest claimable queued job (runAt <= now) of the given types:
   * running, attempts+1, startedAt=now, progress reset, leased to `workerId` until now+leaseMs.
   * Two claims, even from separate processes, never get the same job. Null when none.
   * A job accepted by another release is claimable only once no worker of that release is
   * announced (so a canary's jobs run on the canary, and stable's on stable, while both run);
   * `version` is the claiming worker's release (null: it has none).
   */
  claim(types: string[], workerId: string, leaseMs: number, now: number, version?: string | null): Promise<JobRecord | null>;

  /** Worker `workerId` of release `version` is alive until `until` (renewed while it runs). */
  announce(workerId: string, version: string, until: number): Promise<void>;

  /** The worker has stopped: its release's jobs go to others once none of its workers is left. */
  retire(workerId: string): Promise<void>;

  /**
   * Records progress of a running job and extends its lease to now+leaseMs.
   * Resolves true when the worker should stop: cancel was requested, or the job is no
   * longer running (removed, cancelled, or requeued after its lease expired).
   */
  progress(id: string, update: ProgressUpdate, leaseMs: number, now: number): Promise<boolean>;

  /** running → completed, kept until now+ttlMs. Null when the job is not running. */
  complete(id: string, result: unknown, opts: CompleteOptions, now: number): Promise<JobRecord | null>;

  /**
   * running → queued at `retryAt` when it is set and attempts remain, otherwise → failed
   * (kept until now+ttlMs). The failure is recorded either way. Null when not running.
   */
  fail(id: string, failure: JobFailure, opts: FailOptions, now: number): Promise<JobRecord | null>;

  /**
   * queued → cancelled at once (kept until now+ttlMs, default 1 h); running → cancelRequested,
   * for its worker to act on. Finished jobs are returned unchanged; unknown ids give null.
   */
  requestCancel(id: string, now: number, ttlMs?: number): Promise<JobRecord | null>;

  /** running → cancelled (the worker has stopped), kept until now+ttlMs. Null when not running. */
  markCancelled(id: string, ttlMs: number, now: number): Promise<JobRecord | null>;

  /**
   * running → queued immediately, giving the attempt back: the worker is shutting down, which
   * is not the job's fault. A job whose cancel was requested becomes cancelled instead.
   */
  release(id: string, ttlMs: number, now: number): Promise<JobRecord | null>;

  /** Number of jobs per state; every state is present. */
  counts(): Promise<Record<JobState, number>>;

  /**
   * Running jobs whose lease ended (their process died) go back to queued, the lost attempt
   * counted; those out of attempts fail with JOB_INTERRUPTED and those with a cancel request
   * become cancelled, both kept until now+ttlMs (default 1 h). Resolves the jobs touched, as
   * they now are, so the caller can clean up after those that finished.
   */
  recoverExpiredLeases(now: number, ttlMs?: number): Promise<JobRecord[]>;

  /** Deletes finished jobs with expiresAt <= now; resolves their records so the caller can delete files. */
  removeExpired(now: number): Promise<JobRecord[]>;

  /**
   * Optional: calls `listener` soon after any process enqueues or requeues a job, so runners
   * elsewhere claim it at once instead of at their next poll. Returns the unsubscribe. A backend
   * without it (SQLite) is only polled; a notice may be lost or spurious, never relied upon.
   */
  watch?(listener: () => void): () => void;

  /** Releases the store. Idempotent. */
  close(): Promise<void>;
}
