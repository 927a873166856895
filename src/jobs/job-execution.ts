// One claimed job while it runs in this process: its abort controller, timeout and stall timers,
// and coalesced progress writes that also keep its lease alive.
import { performance } from 'node:perf_hooks';
import type { JobBackend, JobRecord } from './job-backend.js';
import { JobError, type JobContext, type JobHandler, type JobOutput } from './job-handler.js';

export type StopReason = 'timeout' | 'stalled' | 'cancelled' | 'released';

export type Outcome = { kind: 'ok'; output: JobOutput } | { kind: 'error'; error: unknown } | { kind: 'stopped'; reason: StopReason };

export interface Settings {
  backend: JobBackend;
  leaseMs: number;
  ttlMs: number;
  clock: () => number;
  onError: (error: unknown) => void;
}

// Progress is cheap to report but each write is an fsync, so writes are coalesced.
const PROGRESS_WRITE_MS = 250;

export const STOP_ERRORS: Record<StopReason, [code: string, message: string]> = {
  timeout: ['JOB_TIMEOUT', 'job exceeded its time limit'],
  stalled: ['JOB_STALLED', 'job reported no progress within its stall limit'],
  cancelled: ['JOB_CANCELLED', 'job was cancelled'],
  released: ['JOB_RELEASED', 'runner is shutting down; job will run again'],
};

/** Seconds left at the average rate so far; null until there is a rate. */
function estimateEta(percent: number, elapsedMs: number): number | null {
  if (percent <= 0) return null;
  if (percent >= 100) return 0;
  return Math.round((elapsedMs * (100 - percent)) / percent / 100) / 10;
}

export /** One claimed job while it runs here: its abort controller, timers and progress reporting. */
class JobExecution {
  readonly controller = new AbortController();
  reason: StopReason | null = null;
  readonly #settings: Settings;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #startedAt = performance.now();
  #lastProgressAt = performance.now();
  #percent = 0;
  #message: string | null = null;
  #lastWriteAt = 0;
  #trailingWrite: NodeJS.Timeout | null = null;
  #stallTimer: NodeJS.Timeout | null = null;
  #writing = false;
  #writeAgain = false;
  #finished = false;

  constructor(
    readonly job: JobRecord,
    settings: Settings,
  ) {
    this.#settings = settings;
  }

  /** Aborts the handler; the first reason wins. */
  stop(reason: StopReason): void {
    if (this.reason !== null || this.#finished) return;
    this.reason = reason;
    const [code, message] = STOP_ERRORS[reason];
    this.controller.abort(new JobError(code, message));
  }

  /** Runs the handler until it settles or the job is stopped, whichever comes first. */
  async run(handler: JobHandler, workDir: string, limits: { timeoutMs?: number | undefined; stallMs?: number | undefined }): Promise<Outcome> {
    if (this.reason !== null) return { kind: 'stopped', reason: this.reason };
    this.#arm(limits);
    const signal = this.controller.signal;
    const ctx: JobContext = {
      job: this.job,
      payload: this.job.payload,
      signal,
      workDir,
      progress: (percent, message) => this.#report(percent, message),
    };
    const work = Promise.resolve()
      .then(() => handler(ctx))
      .then(
        (output): Outcome => ({ kind: 'ok', output }),
        (error: unknown): Outcome => ({ kind: 'error', error }),
      );
    const aborted = new Promise<Outcome>((done) => {
      const onAbort = (): void => done({ kind: 'stopped', reason: this.reason ?? 'cancelled' });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const first = await Promise.race([work, aborted]);
    // A handler failing after we aborted it is failing because of the abort.
    if (first.kind === 'error' && this.reason !== null) return { kind: 'stopped', reason: this.reason };
    return first;
  }

  /** Ends all timers and progress writes; later reports are ignored. */
  finish(): void {
    this.#finished = true;
    for (const timer of this.#timers) clearTimeout(timer);
    if (this.#trailingWrite !== null) clearTimeout(this.#trailingWrite);
    if (this.#stallTimer !== null) clearTimeout(this.#stallTimer);
  }

  #arm(limits: { timeoutMs?: number | undefined; stallMs?: number | undefined }): void {
    const heartbeatMs = Math.max(1, Math.floor(this.#settings.leaseMs / 3));
    this.#timers.push(setInterval(() => void this.#write(), heartbeatMs).unref());
    if (limits.timeoutMs !== undefined) {
      this.#timers.push(setTimeout(() => this.stop('timeout'), limits.timeoutMs).unref());
    }
    if (limits.stallMs !== undefined) this.#watchStall(limits.stallMs, limits.stallMs);
  }

  // Re-arms for the remaining time instead of resetting a timer on every progress call.
  #watchStall(stallMs: number, delayMs: number): void {
    this.#stallTimer = setTimeout(() => {
      const idleMs = performance.now() - this.#lastProgressAt;
      if (idleMs >= stallMs) this.stop('stalled');
      else if (!this.#finished) this.#watchStall(stallMs, stallMs - idleMs);
    }, delayMs).unref();
  }

  #report(percent: number, message?: string): void {
    if (this.#finished || this.reason !== null) return;
    this.#lastProgressAt = performance.now();
    if (Number.isFinite(percent)) this.#percent = Math.max(this.#percent, Math.min(100, Math.max(0, percent)));
    if (message !== undefined) this.#message = message;
    const waitMs = PROGRESS_WRITE_MS - (performance.now() - this.#lastWriteAt);
    if (waitMs <= 0) void this.#write();
    else if (this.#trailingWrite === null) {
      this.#trailingWrite = setTimeout(() => {
        this.#trailingWrite = null;
        void this.#write();
      }, waitMs).unref();
    }
  }

  /** Writes progress and renews the lease; a stop signal from the store (cancel) aborts the job. */
  async #write(): Promise<void> {
    if (this.#finished) return;
    if (this.#writing) {
      this.#writeAgain = true;
      return;
    }
    this.#writing = true;
    this.#lastWriteAt = performance.now();
    const { backend, leaseMs, clock } = this.#settings;
    const etaSeconds = estimateEta(this.#percent, performance.now() - this.#startedAt);
    try {
      const update = { progress: this.#percent, etaSeconds, message: this.#message };
      const shouldStop = await backend.progress(this.job.id, update, leaseMs, clock());
      if (shouldStop && !this.#finished) this.stop('cancelled');
    } catch (error) {
      this.#settings.onError(error);
    } finally {
      this.#writing = false;
      if (this.#writeAgain) {
        this.#writeAgain = false;
        void this.#write();
      }
    }
  }
}
