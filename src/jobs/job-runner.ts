// Runs queued jobs from a JobBackend in this process: claims up to `concurrency`, watches each
// (lease heartbeat, timeout, stall, cancel), settles it, and sweeps expired jobs and their files.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { JobBackend, JobFailure, JobRecord, JobState } from './job-backend.js';
import { JobStoreUnavailableError } from './job-store-unavailable.js';
import { JobExecution, STOP_ERRORS, type Outcome, type Settings, type StopReason } from './job-execution.js';
import { JOB_INPUTS_DIR, JobError, type JobHandler, type JobOutput } from './job-handler.js';

export { JOB_INPUTS_DIR, JobError, type JobContext, type JobHandler, type JobOutput } from './job-handler.js';

export interface JobRunnerOptions {
  backend: JobBackend;
  handlers: Record<string, JobHandler>;
  /** Jobs run at once by this runner. */
  concurrency: number;
  /** Parent of the per-job work directories. */
  workRoot: string;
  /** Idle wait between claims. Default 200 ms. */
  pollMs?: number;
  /**
   * Lease taken per claim and renewed by heartbeats every leaseMs/3. As often, the runner takes
   * back jobs whose lease ran out (their process died), so they run again within about a lease
   * and a third of one. Default 15000 ms.
   */
  leaseMs?: number;
  /** For jobs enqueued without timeoutMs. Default: no timeout. */
  defaultTimeoutMs?: number;
  /** For jobs enqueued without stallMs. Default: no stall watchdog. */
  defaultStallMs?: number;
  /** How long finished jobs (and their files) are kept. Default 3600000 ms. */
  ttlMs?: number;
  /** First retry delay, doubled per attempt. Default 1000 ms. */
  retryBackoffMs?: number;
  /** Interval of expiry sweeps. Default 60000 ms. */
  sweepMs?: number;
  /** Called once a job reaches completed, failed or cancelled (not when it is queued to retry). */
  onSettled?: (job: JobRecord) => void;
  /** Background errors (store unreachable, files not removable). Default: process.emitWarning. */
  onError?: (error: unknown) => void;
  /** Time passed to the backend. Default Date.now. */
  clock?: () => number;
  /**
   * The release this runner belongs to: it is announced to the store (every leaseMs/3, alive for
   * leaseMs), and jobs accepted by another release that still has a live runner are left to it.
   * Unset: no release; the runner takes unversioned and orphaned jobs.
   */
  version?: string;
}

export interface JobRunner {
  /** Requeues jobs orphaned by a dead process, sweeps, then starts claiming. */
  start(): Promise<void>;
  /**
   * Stops claiming, lets running jobs finish for up to drainMs (default 0), then aborts the rest
   * and requeues them for the next runner. Leaves no timers behind.
   */
  stop(opts?: { drainMs?: number }): Promise<void>;
  /** Resolves when the job is finished, or with its current record after maxWaitMs; null if unknown. */
  waitFor(id: string, maxWaitMs: number): Promise<JobRecord | null>;
  /** Cancels a queued job at once, or asks the running one (here or in another process) to stop. */
  cancel(id: string): Promise<JobRecord | null>;
  /** Jobs running in this runner now. */
  active(): number;
  /** A job was just enqueued in this process: look for work now rather than at the next poll. */
  poke(): void;
}

const TERMINAL: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled']);

function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state);
}

function defaultOnError(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : String(error), 'JobRunnerWarning');
}

// The error hook runs inside catch handlers; if it threw, that would become an unhandled rejection.
function safely(onError: (error: unknown) => void): (error: unknown) => void {
  return (error) => {
    try {
      onError(error);
    } catch {
      // Nothing sensible is left to report to.
    }
  };
}

/** Arrow-typed members: they are handed to promises and timers unbound. */
interface Waiter {
  settle: (job: JobRecord | null) => void;
  expire: () => void;
}

/** Creates a runner; nothing happens until start(). */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const runner = new Runner(options);
  return {
    start: () => runner.start(),
    stop: (opts) => runner.stop(opts?.drainMs ?? 0),
    waitFor: (id, maxWaitMs) => runner.waitFor(id, maxWaitMs),
    cancel: (id) => runner.cancel(id),
    active: () => runner.running.size,
    poke: () => runner.poke(),
  };
}

class Runner {
  readonly running = new Map<string, { execution: JobExecution; done: Promise<void> }>();
  readonly #opts: JobRunnerOptions;
  readonly #settings: Settings;
  readonly #types: string[];
  readonly #workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #waiters = new Map<string, Set<Waiter>>();
  #state: 'idle' | 'started' | 'stopped' = 'idle';
  #pollTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #heartbeat: Promise<void> | null = null;
  #tick: Promise<void> | null = null;
  #tickAgain = false;
  #sweep: Promise<void> | null = null;
  #unwatch: (() => void) | null = null;

  constructor(opts: JobRunnerOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new RangeError('concurrency must be an integer >= 1');
    }
    this.#opts = opts;
    this.#types = Object.keys(opts.handlers);
    this.#settings = {
      backend: opts.backend,
      leaseMs: opts.leaseMs ?? 15_000,
      ttlMs: opts.ttlMs ?? 3_600_000,
      clock: opts.clock ?? Date.now,
      onError: safely(opts.onError ?? defaultOnError),
    };
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`job runner cannot start: it is ${this.#state}`);
    this.#state = 'started';
    await mkdir(this.#opts.workRoot, { recursive: true });
    if (this.#state !== 'started') return; // stopped meanwhile: announcing now would outlive the retire
    await this.#runHeartbeat();
    await this.#runSweep();
    if (this.#state !== 'started') return;
    this.#sweepTimer = setInterval(() => void this.#runSweep(), this.#opts.sweepMs ?? 60_000).unref();
    this.#heartbeatTimer = setInterval(() => void this.#runHeartbeat(), this.#settings.leaseMs / 3).unref();
    // Jobs enqueued by other processes start at once where the store can say so; polling stays the floor.
    this.#unwatch = this.#settings.backend.watch?.(() => this.#wake()) ?? null;
    this.#schedulePoll(0);
  }

  /** This runner is alive, and jobs whose runner is not (its lease ran out) are taken back. */
  async #runHeartbeat(): Promise<void> {
    if (this.#heartbeat !== null) return this.#heartbeat;
    this.#heartbeat = this.#announceAlive()
      .then(() => this.#recoverOrphans())
      .finally(() => {
        this.#heartbeat = null;
      });
    return this.#heartbeat;
  }

  async #announceAlive(): Promise<void> {
    const { backend, clock, leaseMs, onError } = this.#settings;
    if (this.#opts.version !== undefined) await backend.announce(this.#workerId, this.#opts.version, clock() + leaseMs).catch(onError);
  }

  /**
   * Requeues the jobs of runners that died (a SIGKILLed instance runs no shutdown), so they run
   * again now rather than at the next sweep; one out of attempts (or cancelled meanwhile) is
   * settled here, its work dir removed, since no runner will ever finish it.
   */
  async #recoverOrphans(): Promise<void> {
    const { backend, clock, ttlMs, onError } = this.#settings;
    try {
      const touched = await backend.recoverExpiredLeases(clock(), ttlMs);
      for (const job of touched.filter((j) => isTerminal(j.state))) {
        await this.#removeWorkDir(job.id);
        this.#announce(job);
      }
      if (touched.some((job) => job.state === 'queued')) this.#wake();
    } catch (error) {
      onError(error);
    }
  }

  async stop(drainMs: number): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    if (this.#sweepTimer !== null) clearInterval(this.#sweepTimer);
    if (this.#heartbeatTimer !== null) clearInterval(this.#heartbeatTimer);
    this.#unwatch?.();
    await this.#heartbeat;
    await this.#tick;
    await this.#drain(drainMs);
    for (const { execution } of this.running.values()) execution.stop('released');
    await Promise.all([...this.running.values()].map((entry) => entry.done));
    // Gone: jobs its release accepted pass to other releases once none of its runners is left.
    if (this.#opts.version !== undefined) await this.#settings.backend.retire(this.#workerId).catch(this.#settings.onError);
    await this.#sweep;
    for (const waiters of this.#waiters.values()) for (const waiter of waiters) waiter.expire();
  }

  async #drain(drainMs: number): Promise<void> {
    if (this.running.size === 0 || drainMs <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((done) => {
      timer = setTimeout(done, drainMs);
    });
    await Promise.race([Promise.all([...this.running.values()].map((entry) => entry.done)), deadline]);
    clearTimeout(timer);
  }

  async cancel(id: string): Promise<JobRecord | null> {
    const { backend, clock, ttlMs } = this.#settings;
    const before = await backend.get(id);
    const job = await backend.requestCancel(id, clock(), ttlMs);
    if (job === null) return null;
    if (job.state === 'running') this.running.get(id)?.execution.stop('cancelled');
    // Only the queued → cancelled transition settles here; a running job settles when its worker stops.
    if (before?.state === 'queued' && job.state === 'cancelled') this.#announce(job);
    return job;
  }

  async waitFor(id: string, maxWaitMs: number): Promise<JobRecord | null> {
    const current = await this.#settings.backend.get(id);
    if (current === null || isTerminal(current.state) || maxWaitMs <= 0) return current;
    return new Promise((done) => this.#addWaiter(id, maxWaitMs, current, done));
  }

  #addWaiter(id: string, maxWaitMs: number, current: JobRecord, done: (job: JobRecord | null) => void): void {
    const { backend, onError } = this.#settings;
    const set = this.#waiters.get(id) ?? new Set<Waiter>();
    this.#waiters.set(id, set);
    let latest: JobRecord | null = current;
    const waiter: Waiter = {
      settle: (job) => {
        clearInterval(poll);
        clearTimeout(deadline);
        set.delete(waiter);
        if (set.size === 0) this.#waiters.delete(id);
        done(job);
      },
      expire: () => void backend.get(id).then(waiter.settle, () => waiter.settle(latest)),
    };
    set.add(waiter);
    // The job may run in another process, so the store is watched as well as local settlements.
    const poll = setInterval(() => {
      backend.get(id).then((job) => {
        latest = job;
        if (job === null || isTerminal(job.state)) waiter.settle(job);
      }, onError);
    }, this.#opts.pollMs ?? 200).unref();
    const deadline = setTimeout(waiter.expire, maxWaitMs).unref();
  }

  #announce(job: JobRecord): void {
    for (const waiter of this.#waiters.get(job.id) ?? []) waiter.settle(job);
    try {
      this.#opts.onSettled?.(job);
    } catch (error) {
      this.#settings.onError(error);
    }
  }

  // The poll timer stays referenced: a started runner keeps the process alive, as a server would.
  #schedulePoll(delayMs: number): void {
    if (this.#state !== 'started') return;
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = null;
      void this.#pollOnce();
    }, delayMs);
  }

  async #pollOnce(): Promise<void> {
    const tick = this.#claimAvailable();
    this.#tick = tick;
    await tick;
    this.#tick = null;
    this.#schedulePoll(this.#tickAgain ? 0 : (this.#opts.pollMs ?? 200));
    this.#tickAgain = false;
  }

  /** Claims until the slots are full or nothing is claimable; never rejects. */
  async #claimAvailable(): Promise<void> {
    const { backend, leaseMs, clock, onError } = this.#settings;
    try {
      while (this.#state === 'started' && this.running.size < this.#opts.concurrency) {
        const job = await backend.claim(this.#types, this.#workerId, leaseMs, clock(), this.#opts.version ?? null);
        if (job === null) break;
        this.#launch(job);
      }
    } catch (error) {
      onError(error);
    }
  }

  poke(): void {
    this.#wake();
  }

  /** Called when a slot frees up or a job arrives, so it starts without waiting for the poll. */
  #wake(): void {
    if (this.#tick !== null) this.#tickAgain = true;
    else this.#schedulePoll(0);
  }

  #launch(job: JobRecord): void {
    const execution = new JobExecution(job, this.#settings);
    const done = this.#execute(execution)
      .catch(this.#settings.onError)
      .finally(() => {
        execution.finish();
        this.running.delete(job.id);
        this.#wake();
      });
    this.running.set(job.id, { execution, done });
  }

  #workDir(id: string): string {
    // Backends other than SQLite may not police ids, and the id becomes a path here.
    if (basename(id) !== id || id === '.' || id === '..' || id.length === 0) {
      throw new JobError('JOB_INVALID_ID', `job id ${JSON.stringify(id)} cannot name a directory`);
    }
    return join(this.#opts.workRoot, id);
  }

  async #execute(execution: JobExecution): Promise<void> {
    const { job } = execution;
    let outcome: Outcome;
    try {
      const workDir = this.#workDir(job.id);
      // A previous attempt (perhaps in a process that died) may have left files behind.
      await this.#resetWorkDir(job.id);
      const handler = this.#opts.handlers[job.type];
      if (handler === undefined) throw new JobError('JOB_NO_HANDLER', `no handler for job type ${job.type}`);
      const timeoutMs = job.timeoutMs ?? this.#opts.defaultTimeoutMs;
      const stallMs = job.stallMs ?? this.#opts.defaultStallMs;
      outcome = await execution.run(handler, workDir, { timeoutMs, stallMs });
    } catch (error) {
      outcome = { kind: 'error', error };
    }
    execution.finish();
    const settled = await this.#settle(execution, outcome);
    if (settled !== null && isTerminal(settled.state)) this.#announce(settled);
  }

  async #settle(execution: JobExecution, outcome: Outcome): Promise<JobRecord | null> {
    const { job } = execution;
    const { backend, clock, ttlMs } = this.#settings;
    if (outcome.kind === 'ok') return this.#complete(job, outcome.output);
    if (outcome.kind === 'error') return this.#fail(job, toFailure(outcome.error));
    switch (outcome.reason) {
      case 'timeout':
        return this.#fail(job, { ...failureOf('timeout'), retryable: false });
      case 'stalled':
        // A stall looks like a hung tool, which another attempt may well get past.
        return this.#fail(job, { ...failureOf('stalled'), retryable: true });
      case 'cancelled':
        return this.#markCancelled(job);
      case 'released': {
        const released = await backend.release(job.id, ttlMs, clock());
        if (released?.state === 'cancelled') await this.#removeWorkDir(job.id);
        return released;
      }
    }
  }

  async #complete(job: JobRecord, output: JobOutput): Promise<JobRecord | null> {
    const { backend, clock, ttlMs } = this.#settings;
    const workDir = this.#workDir(job.id);
    const files = (output.files ?? []).map((file) => resolve(workDir, file));
    try {
      return await backend.complete(job.id, output.result ?? null, { ttlMs, files }, clock());
    } catch (error) {
      // A store that cannot be reached has not refused the result: the job stays running, and
      // once its lease runs out it is run again (its output is not lost to a passing outage).
      if (error instanceof JobStoreUnavailableError) throw error;
      // Most likely a result the store cannot serialise; retrying would not change it.
      const message = `could not store the result: ${error instanceof Error ? error.message : String(error)}`;
      return this.#fail(job, { code: 'JOB_RESULT_INVALID', message, retryable: false });
    }
  }

  async #fail(job: JobRecord, failure: JobFailure & { retryable: boolean }): Promise<JobRecord | null> {
    const { backend, clock, ttlMs } = this.#settings;
    const canRetry = failure.retryable && job.attempts < job.maxAttempts;
    const backoffMs = (this.#opts.retryBackoffMs ?? 1000) * 2 ** Math.max(0, job.attempts - 1);
    // Files go before the state changes, so whoever sees the job finished sees it cleaned up;
    // a job that will be retried keeps only its inputs.
    if (canRetry) await this.#resetWorkDir(job.id, { create: false }).catch(this.#settings.onError);
    else await this.#removeWorkDir(job.id);
    const now = clock();
    return backend.fail(job.id, { code: failure.code, message: failure.message }, { retryAt: canRetry ? now + backoffMs : null, ttlMs }, now);
  }

  /** Cancels only if the store still shows this job running with a cancel request, not merely gone. */
  async #markCancelled(job: JobRecord): Promise<JobRecord | null> {
    const { backend, clock, ttlMs } = this.#settings;
    const current = await backend.get(job.id);
    if (current === null || current.state !== 'running' || !current.cancelRequested) return current;
    await this.#removeWorkDir(job.id);
    return backend.markCancelled(job.id, ttlMs, clock());
  }

  /**
   * Empties the work dir for a fresh attempt, keeping the uploaded inputs. `create: false` leaves a
   * dir that is gone (a handler run on another host's files removes its copy) gone.
   */
  async #resetWorkDir(id: string, { create = true } = {}): Promise<void> {
    const dir = this.#workDir(id);
    if (create) await mkdir(dir, { recursive: true });
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && !create) return [];
      throw error;
    });
    const leftovers = names.filter((name) => name !== JOB_INPUTS_DIR);
    await Promise.all(leftovers.map((name) => rm(join(dir, name), { recursive: true, force: true })));
  }

  async #removeWorkDir(id: string): Promise<void> {
    try {
      await rm(this.#workDir(id), { recursive: true, force: true });
    } catch (error) {
      this.#settings.onError(error);
    }
  }

  async #runSweep(): Promise<void> {
    if (this.#sweep !== null) return this.#sweep;
    this.#sweep = this.#sweepOnce()
      .catch(this.#settings.onError)
      .finally(() => {
        this.#sweep = null;
      });
    return this.#sweep;
  }

  async #sweepOnce(): Promise<void> {
    const { backend, clock } = this.#settings;
    const expired = await backend.removeExpired(clock());
    await Promise.all(
      expired.map(async (job) => {
        await this.#removeWorkDir(job.id);
        const files = job.files.filter((file) => isAbsolute(file));
        await Promise.all(files.map((file) => rm(file, { recursive: true, force: true }).catch(this.#settings.onError)));
      }),
    );
    await this.#sweepOrphanDirs();
  }

  /**
   * On a store shared by hosts, the runner that removes an expired job may be on another disk than
   * its files: each runner also removes the work dirs here whose job the store no longer has. Only
   * dirs older than a sweep, so a job's dir made just before it is enqueued is left alone.
   */
  async #sweepOrphanDirs(): Promise<void> {
    const { backend, clock } = this.#settings;
    const root = this.#opts.workRoot;
    const cutoff = clock() - (this.#opts.sweepMs ?? 60_000);
    for (const id of await readdir(root).catch(() => [])) {
      if (this.running.has(id)) continue;
      const info = await stat(join(root, id)).catch(() => null);
      if (info !== null && info.mtimeMs < cutoff && (await backend.get(id)) === null) await this.#removeWorkDir(id);
    }
  }
}

function failureOf(reason: StopReason): JobFailure {
  const [code, message] = STOP_ERRORS[reason];
  return { code, message };
}

function toFailure(error: unknown): JobFailure & { retryable: boolean } {
  if (error instanceof JobError) return { code: error.code, message: error.message, retryable: error.retryable };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'JOB_FAILED', message, retryable: true };
}
