// createService(): a service manifest (routes, job handlers, tools it needs) on the shared HTTP
// base, with its own job store and runner. Every one of the five services is built this way.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createJobRunner, createSqliteJobBackend, JobError, type JobContext, type JobHandler, type JobRecord } from '../jobs/index.js';
import type { Config } from './config.js';
import type { ReadinessCheck } from './health.js';
import { closeHttpApp, createHttpApp, type HttpApp } from './http-app.js';
import { registerJobRoutes, submitJob, type ServiceJobs, type SubmitSpec } from './job-http.js';
import { createMetrics, JOB_OUTCOME, type Metrics } from './metrics.js';
import { isClientProblem, Problem } from './problems.js';
import { SERVICE_PATHS, serviceDataDir } from './data-dir.js';
import type { ServiceName } from './roles.js';
import { registerStrictJson } from './strict-json.js';
import { detectTools } from './tools.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ServiceContext {
  name: ServiceName;
  config: Config;
  metrics: Metrics;
  /** This service's own folder under the data dir. */
  dataDir: string;
  /** Where request temp folders (uploads) are made; removed with each response. */
  tmpDir: string;
  jobs: ServiceJobs;
  /** Enqueue a job and answer by the HTTP convention (`?async=true` → 202, else wait up to a bound). */
  submit(req: FastifyRequest, reply: FastifyReply, spec: SubmitSpec): Promise<FastifyReply>;
  /** A dependency the service cannot work without: `GET /ready` fails, naming it, while this check does. */
  addReadinessCheck(check: ReadinessCheck): void;
}

export interface ServiceManifest {
  name: ServiceName;
  title: string;
  description: string;
  /** System tools without which the service is not ready (names from the kit's TOOLS table). */
  requiredTools?: string[];
  jobHandlers?: (ctx: ServiceContext) => Record<string, JobHandler>;
  routes: (app: HttpApp, ctx: ServiceContext) => void | Promise<void>;
  /** Called once when the service starts draining, before requests and jobs are awaited: stop what is not a job (e.g. live ingest processes). */
  onDrain?: (ctx: ServiceContext) => Promise<void>;
}

export interface RunningService {
  app: HttpApp;
  ctx: ServiceContext;
  /** Starts listening; resolves the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Not ready, finish in-flight requests and jobs within the drain timeout (then cut / requeue them), close stores. */
  drain(): Promise<void>;
}

function toolsCheck(names: string[]): ReadinessCheck {
  return {
    name: 'tools',
    check: async () => {
      const missing = (await detectTools(names)).filter((t) => !t.present).map((t) => `${t.name} (apt-get install ${t.debianPackage})`);
      return missing.length === 0 ? { ok: true, detail: names.join(', ') } : { ok: false, detail: `missing ${missing.join(', ')}` };
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

export async function createService(manifest: ServiceManifest, options: { config: Config; metrics?: Metrics; logStream?: NodeJS.WritableStream }): Promise<RunningService> {
  const { config } = options;
  const metrics = options.metrics ?? createMetrics();
  const dataDir = serviceDataDir(config.dataDir, manifest.name);
  const tmpDir = join(dataDir, SERVICE_PATHS.tmp);
  const workRoot = join(dataDir, SERVICE_PATHS.jobs);
  await Promise.all([mkdir(tmpDir, { recursive: true }), mkdir(workRoot, { recursive: true })]);
  const backend = createSqliteJobBackend({ path: join(dataDir, SERVICE_PATHS.jobsDb) });
  const storeCheck: ReadinessCheck = {
    name: 'job-store',
    check: async () => {
      await backend.counts();
      return { ok: true, detail: 'open' };
    },
  };
  const readiness = [storeCheck, ...(manifest.requiredTools?.length ? [toolsCheck(manifest.requiredTools)] : [])];
  const { app, health } = await createHttpApp({
    service: manifest.name,
    title: manifest.title,
    description: manifest.description,
    config,
    metrics,
    readiness,
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  registerStrictJson(app);

  const ctx = {
    name: manifest.name,
    config,
    metrics,
    dataDir,
    tmpDir,
    addReadinessCheck: (check: ReadinessCheck) => {
      health.checks.push(check);
    },
  } as ServiceContext;
  const runner = createJobRunner({
    backend,
    workRoot,
    concurrency: config.jobConcurrency,
    ttlMs: config.jobTtlMs,
    version: config.version,
    handlers: problemsAsJobErrors(manifest.jobHandlers?.(ctx) ?? {}),
    onError: (err) => app.log.error({ err }, 'job runner error'),
    onSettled: (job) => {
      const labels = { service: manifest.name, job_type: job.type, outcome: jobOutcome(job) };
      metrics.jobsSettled.inc(labels);
      if (job.startedAt !== null && job.finishedAt !== null) metrics.jobDuration.observe(labels, (job.finishedAt - job.startedAt) / 1000);
    },
  });
  ctx.jobs = { backend, runner, workRoot, concurrency: config.jobConcurrency, maxAttempts: config.jobMaxAttempts, waitMs: config.jobWaitMs, version: config.version };
  ctx.submit = (req, reply, spec) => submitJob(ctx.jobs, req, reply, spec);
  metrics.jobsActiveSources.set(manifest.name, () => runner.active());
  registerJobRoutes(app, ctx.jobs);
  await manifest.routes(app, ctx);

  let drained: Promise<void> | null = null;
  return {
    app,
    ctx,
    async listen(port, host) {
      await app.listen({ port, host });
      await runner.start();
      return (app.server.address() as AddressInfo).port;
    },
    drain() {
      drained ??= (async () => {
        health.draining = true;
        await manifest.onDrain?.(ctx).catch((err: unknown) => app.log.error({ err }, 'drain hook failed'));
        // Requests and jobs share the one grace period, so a drain takes it once, not once each:
        // what is still running at its end is cut (requests) or requeued for another instance (jobs).
        const [http] = await Promise.all([closeHttpApp(app, config.drainTimeoutMs), runner.stop({ drainMs: config.drainTimeoutMs })]);
        await backend.close();
        app.log.info({ requestsCut: http.cut }, 'stopped');
      })();
      return drained;
    },
  };
}
