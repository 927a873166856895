// createWorker(): a service's jobs without its HTTP API, for `pitchey worker <service>`. On a Redis
// job store (PITCHEY_JOBS) it shares the queue with the service's instances and with other
// workers, on this host or another; its release is announced like an instance's, so a canary's
// workers take the canary's jobs. A job accepted on another disk brings its input from the
// instance that accepted it, and its output goes back there (job-transfer.ts).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Config } from './config.js';
import type { ServiceContext, ServiceManifest } from './create-service.js';
import { SERVICE_PATHS, serviceDataDir } from './data-dir.js';
import { createLoggerOptions } from './logging.js';
import { createMetrics } from './metrics.js';
import { WORKER_STARTED } from './roles.js';
import { createServiceJobs, openJobStore } from './service-jobs.js';

export interface WorkerOptions {
  config: Config;
  /** Jobs run at once. Default: the jobConcurrency setting. */
  concurrency?: number;
  /** Where the JSON log goes. Default stdout. */
  logStream?: NodeJS.WritableStream;
}

export interface RunningWorker {
  /** Starts claiming; resolves once the runner has announced itself and taken back orphaned jobs. */
  start(): Promise<void>;
  /** Lets running jobs finish within the drain timeout, hands the rest back, closes the store. */
  stop(): Promise<void>;
}

export async function createWorker(manifest: ServiceManifest, options: WorkerOptions): Promise<RunningWorker> {
  const { config } = options;
  const bindings = { service: manifest.name, role: 'worker', version: config.version, track: config.track };
  const log = options.logStream ? pino(createLoggerOptions(config.logLevel, bindings), options.logStream) : pino(createLoggerOptions(config.logLevel, bindings));
  const dataDir = serviceDataDir(config.dataDir, manifest.name);
  const tmpDir = join(dataDir, SERVICE_PATHS.tmp);
  const workRoot = join(dataDir, SERVICE_PATHS.jobs);
  await Promise.all([mkdir(tmpDir, { recursive: true }), mkdir(workRoot, { recursive: true })]);
  const metrics = createMetrics();
  const { backend, kind } = openJobStore(config, manifest.name, dataDir, log);
  if (kind === 'sqlite') log.warn({ dataDir }, 'no PITCHEY_JOBS: this worker shares jobs only with instances on this data dir');
  const ctx = {
    name: manifest.name,
    config,
    metrics,
    dataDir,
    tmpDir,
    addReadinessCheck: () => undefined,
    submit: () => Promise.reject(new Error('a worker takes no requests')),
  } as unknown as ServiceContext;
  const handlers = manifest.jobHandlers?.(ctx) ?? {};
  const concurrency = options.concurrency ?? config.jobConcurrency;
  const { jobs, runner } = createServiceJobs({ name: manifest.name, config, metrics, backend, workRoot, handlers, concurrency, shared: kind === 'redis', log });
  ctx.jobs = jobs;
  let stopped: Promise<void> | null = null;
  return {
    async start() {
      await runner.start();
      // Whatever the log level: a container's supervisor (the docker driver) waits for this line.
      log.child({}, { level: 'info' }).info({ concurrency, store: kind, types: Object.keys(handlers) }, WORKER_STARTED);
    },
    stop() {
      stopped ??= (async () => {
        await runner.stop({ drainMs: config.drainTimeoutMs });
        await backend.close();
        log.info('worker stopped');
      })();
      return stopped;
    },
  };
}
