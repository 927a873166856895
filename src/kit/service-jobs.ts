// The job half of a service, shared by createService() (with its HTTP API) and createWorker()
// (without): its store, Redis when PITCHEY_JOBS is set and its own SQLite file otherwise, and a
// runner over the manifest's handlers, reporting to the metrics and the log.
import { join } from 'node:path';
import {
  createJobRunner,
  createRedisJobBackend,
  createSqliteJobBackend,
  JobError,
  JobStoreUnavailableError,
  type JobBackend,
  type JobContext,
  type JobHandler,
  type JobRecord,
  type JobRunner,
} from '../jobs/index.js';
import type { Config } from './config.js';
import { SERVICE_PATHS } from './data-dir.js';
import type { ReadinessCheck } from './health.js';
import type { ServiceJobs } from './job-http.js';
import { withJobTransfers } from './job-transfer.js';
import { JOB_OUTCOME, type Metrics } from './metrics.js';
import { isClientProblem, Problem } from './problems.js';
import type { ServiceName } from './roles.js';

/** The log line (`msg`) of each job this process settled, with the job's id. */
export const JOB_SETTLED = 'job settled';

/** The few log calls made here; Fastify's logger and a plain pino logger both fit. */
export interface JobLog {
  info(msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface JobStore {
  backend: JobBackend;
  kind: 'sqlite' | 'redis';
}

/** Redis when a URL is set (shared by every host), else the service's own SQLite file. */
export function openJobStore(config: Config, name: ServiceName, dataDir: string, log: JobLog): JobStore {
  if (config.jobStoreUrl === null) return { backend: createSqliteJobBackend({ path: join(dataDir, SERVICE_PATHS.jobsDb) }), kind: 'sqlite' };
  const onConnectionChange = ({ up, error }: { up: boolean; error?: unknown }): void => {
    if (up) log.info('job store (Redis) connected');
    else log.warn({ err: error }, 'job store (Redis) connection lost; job routes answer 503 until it is back');
  };
  const onDurabilityWarning = (warning: string): void => log.warn({}, warning);
  return { backend: createRedisJobBackend({ url: config.jobStoreUrl, namespace: name, onConnectionChange, onDurabilityWarning }), kind: 'redis' };
}

/** `/ready` fails, naming the store, while it cannot be read (a Redis outage: within its command timeout). */
export function jobStoreCheck({ backend, kind }: JobStore): ReadinessCheck {
  return {
    name: 'job-store',
    check: async () => {
      await backend.counts();
      return { ok: true, detail: `${kind} open` };
    },
  };
}

/** A Problem thrown by a job handler is its deliberate failure: recorded with the Problem's code, not retried. */
function problemsAsJobErrors(handlers: Record<string, JobHandler>): Record<string, JobHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([type, handler]) => [
      type,
      async (ctx: JobContext) => {
        try {
          return await handler(ctx);
        } catch (err) {
          throw err instanceof Problem ? new JobError(err.code, err.message) : err;
        }
      },
    ]),
  );
}

/**
 * A settled job's outcome as pitchey_jobs_settled_total counts it: a job that failed on a 4xx
 * problem (input it could not process: the client's mistake) is `rejected`, neither a success
 * nor a failure of processing; every other failure (5xx, timeout, stall, crash) is `failed`.
 */
export function jobOutcome(job: Pick<JobRecord, 'state' | 'error'>): string {
  return job.state === 'failed' && isClientProblem(job.error?.code) ? JOB_OUTCOME.rejected : job.state;
}

export interface ServiceJobsOptions {
  name: ServiceName;
  config: Config;
  metrics: Metrics;
  backend: JobBackend;
  workRoot: string;
  handlers: Record<string, JobHandler>;
  /** Jobs run at once here. Default: the jobConcurrency setting. */
  concurrency?: number;
  /** The store is shared by hosts (Redis): jobs carry their files' address (job-transfer.ts). */
  shared: boolean;
  log: JobLog;
}

/** A runner (not started) over the handlers, and what job routes need: the store, the runner, the limits. */
export function createServiceJobs(options: ServiceJobsOptions): { jobs: ServiceJobs; runner: JobRunner } {
  const { name, config, metrics, backend, workRoot, log } = options;
  const concurrency = options.concurrency ?? config.jobConcurrency;
  const runner = createJobRunner({
    backend,
    workRoot,
    concurrency,
    ttlMs: config.jobTtlMs,
    version: config.version,
    handlers: problemsAsJobErrors(withJobTransfers(options.handlers)),
    // An outage is logged once, by the store's connection events, not at every poll.
    onError: (err) => {
      if (!(err instanceof JobStoreUnavailableError)) log.error({ err }, 'job runner error');
    },
    onSettled: (job) => {
      const labels = { service: name, job_type: job.type, outcome: jobOutcome(job) };
      // Who ran a job (instance or worker, which release and track) is this line's bindings: with
      // workers on several hosts, where to look for a job's trouble.
      log.info({ job: job.id, type: job.type, outcome: labels.outcome, attempts: job.attempts }, JOB_SETTLED);
      metrics.jobsSettled.inc(labels);
      if (job.startedAt !== null && job.finishedAt !== null) metrics.jobDuration.observe(labels, (job.finishedAt - job.startedAt) / 1000);
    },
  });
  metrics.jobsActiveSources.set(name, () => runner.active());
  return {
    runner,
    jobs: { backend, runner, workRoot, concurrency, maxAttempts: config.jobMaxAttempts, waitMs: config.jobWaitMs, version: config.version, origin: options.shared ? { url: null } : null },
  };
}
