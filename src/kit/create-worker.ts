// createWorker(): a service's jobs without its HTTP API, for `pitchey worker <service>`. On a Redis
// job store (PITCHEY_JOBS) it shares the queue with the service's instances and with other
// workers, on this host or another; its release is announced like an instance's, so a canary's
// workers take the canary's jobs. A job accepted on another disk brings its input from the
// instance that accepted it, and its output goes back there (job-transfer.ts). It serves no job
// API, only what an instance serves to be watched: /metrics (its job counts, for Prometheus and the
// controller's canary analysis), /health and /ready.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Config } from './config.js';
import type { ServiceContext, ServiceManifest } from './create-service.js';
import { SERVICE_PATHS, serviceDataDir } from './data-dir.js';
import type { ReadinessCheck } from './health.js';
import { closeHttpApp, createHttpApp, type HttpApp } from './http-app.js';
import { createLoggerOptions } from './logging.js';
import { createMetrics } from './metrics.js';
import { WORKER_STARTED } from './roles.js';
import { createServiceJobs, jobStoreCheck, openJobStore } from './service-jobs.js';

export interface WorkerOptions {
  config: Config;
  /** Jobs run at once. Default: the jobConcurrency setting. */
  concurrency?: number;
  /** Where the JSON log goes. Default stdout. */
  logStream?: NodeJS.WritableStream;
}

export interface RunningWorker {
  /** /metrics (the `metrics` scope), /health and /ready; nothing else. */
  app: HttpApp;
  /** Serves `app` on host:port (0: a free port); resolves the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Starts claiming; resolves once the runner has announced itself and taken back orphaned jobs. */
  start(): Promise<void>;
  /** Lets running jobs finish within the drain timeout, hands the rest back, closes the store, then stops listening. */
  stop(): Promise<void>;
}

/** Once the jobs are drained: how long a scrape under way may take before its connection is cut. */
const HTTP_CLOSE_MS = 1_000;

export async function createWorker(manifest: ServiceManifest, options: WorkerOptions): Promise<RunningWorker> {
  const { config } = options;
  const bindings = { service: manifest.name, role: 'worker', version: config.version, track: config.track };
  const log = options.logStream ? pino(createLoggerOptions(config.logLevel, bindings), options.logStream) : pino(createLoggerOptions(config.logLevel, bindings));
  const dataDir = serviceDataDir(config.dataDir, manifest.name);
  const tmpDir = join(dataDir, SERVICE_PATHS.tmp);
  const workRoot = join(dataDir, SERVICE_PATHS.jobs);
  await Promise.all([mkdir(tmpDir, { recursive: true }), mkdir(workRoot, { recursive: true })]);
  const metrics = createMetrics();
  const store = openJobStore(config, manifest.name, dataDir, log);
  const { backend, kind } = store;
  let started = false;
  const runnerCheck: ReadinessCheck = { name: 'runner', check: () => ({ ok: started, detail: started ? 'claiming jobs' : 'not started' }) };
  const { app, health } = await createHttpApp({
    service: manifest.name,
    title: `${manifest.title} (worker)`,
    description: manifest.description,
    config,
    metrics,
    readiness: [jobStoreCheck(store), runnerCheck],
    docs: false,
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  if (kind === 'sqlite') log.warn({ dataDir }, 'no PITCHEY_JOBS: this worker shares jobs only with instances on this data dir');
  const ctx = {
    name: manifest.name,
    config,
    metrics,
    dataDir,
    tmpDir,
    addReadinessCheck: (check: ReadinessCheck) => {
      health.checks.push(check);
    },
    submit: () => Promise.reject(new Error('a worker takes no requests')),
  } as unknown as ServiceContext;
  const handlers = manifest.jobHandlers?.(ctx) ?? {};
  const concurrency = options.concurrency ?? config.jobConcurrency;
  const { jobs, runner } = createServiceJobs({ name: manifest.name, config, metrics, backend, workRoot, handlers, concurrency, shared: kind === 'redis', log });
  ctx.jobs = jobs;
  let stopped: Promise<void> | null = null;
  return {
    app,
    async listen(port, host) {
      await app.listen({ port, host });
      return (app.server.address() as AddressInfo).port;
    },
    async start() {
      await runner.start();
      started = true;
      // Whatever the log level: a container's supervisor (the docker driver) waits for this line.
      log.child({}, { level: 'info' }).info({ concurrency, store: kind, types: Object.keys(handlers) }, WORKER_STARTED);
    },
    stop() {
      stopped ??= (async () => {
        health.draining = true;
        await runner.stop({ drainMs: config.drainTimeoutMs });
        await backend.close();
        // Closed last: scrapes are answered while the jobs drain, so those settling then are counted.
        await closeHttpApp(app, HTTP_CLOSE_MS);
        log.info('worker stopped');
      })();
      return stopped;
    },
  };
}
