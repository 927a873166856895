// createService(): a service manifest (routes, job handlers, tools it needs) on the shared HTTP
// base, with its own job store and runner. Every one of the five services is built this way.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JobHandler } from '../jobs/index.js';
import type { Config } from './config.js';
import type { ReadinessCheck } from './health.js';
import { closeHttpApp, createHttpApp, type HttpApp } from './http-app.js';
import { registerJobRoutes, submitJob, type ServiceJobs, type SubmitSpec } from './job-http.js';
import { registerJobTransferRoutes } from './job-transfer-routes.js';
import { createServiceJobs, jobStoreCheck, openJobStore } from './service-jobs.js';
import { createMetrics, type Metrics } from './metrics.js';
import { SERVICE_PATHS, serviceDataDir } from './data-dir.js';
import type { ServiceName } from './roles.js';
import { registerStrictJson } from './strict-json.js';
import { STALE_TEMP_MS, sweepStaleTempDirs } from './uploads.js';
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

/** How other hosts reach this instance when no address is set: the host name stands for "every address". */
function defaultAdvertiseUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' || host === '' ? hostname() : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}

export async function createService(manifest: ServiceManifest, options: { config: Config; metrics?: Metrics; logStream?: NodeJS.WritableStream }): Promise<RunningService> {
  const { config } = options;
  const metrics = options.metrics ?? createMetrics();
  const dataDir = serviceDataDir(config.dataDir, manifest.name);
  const tmpDir = join(dataDir, SERVICE_PATHS.tmp);
  const workRoot = join(dataDir, SERVICE_PATHS.jobs);
  await Promise.all([mkdir(tmpDir, { recursive: true }), mkdir(workRoot, { recursive: true })]);
  const readiness = manifest.requiredTools?.length ? [toolsCheck(manifest.requiredTools)] : [];
  const { app, health } = await createHttpApp({
    service: manifest.name,
    title: manifest.title,
    description: manifest.description,
    config,
    metrics,
    readiness,
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  const store = openJobStore(config, manifest.name, dataDir, app.log);
  const { backend } = store;
  health.checks.unshift(jobStoreCheck(store));
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
  const { jobs, runner } = createServiceJobs({ name: manifest.name, config, metrics, backend, workRoot, handlers: manifest.jobHandlers?.(ctx) ?? {}, shared: store.kind === 'redis', log: app.log });
  ctx.jobs = jobs;
  ctx.submit = (req, reply, spec) => submitJob(ctx.jobs, req, reply, spec);
  // What a process killed mid-request left in the shared temp folder: gone at start, then hourly.
  const sweep = async (): Promise<void> => {
    const removed = await sweepStaleTempDirs(tmpDir).catch((err: unknown) => void app.log.warn({ err }, 'could not sweep the temp folder'));
    if (removed) app.log.info({ removed }, 'removed temp folders left by requests of a stopped process');
  };
  await sweep();
  const sweeper = setInterval(() => void sweep(), STALE_TEMP_MS);
  sweeper.unref();
  registerJobRoutes(app, ctx.jobs);
  if (jobs.origin !== null) registerJobTransferRoutes(app, jobs, config.jobFileMaxMb * 1024 * 1024);
  await manifest.routes(app, ctx);

  let drained: Promise<void> | null = null;
  return {
    app,
    ctx,
    async listen(port, host) {
      await app.listen({ port, host });
      const bound = (app.server.address() as AddressInfo).port;
      if (jobs.origin !== null) {
        jobs.origin.url = config.advertiseUrl ?? defaultAdvertiseUrl(host, bound);
        if (config.advertiseUrl === null && /^(127\.|::1$|localhost$)/.test(host)) {
          app.log.warn({ url: jobs.origin.url }, 'PITCHEY_ADVERTISE_URL is unset and this instance listens on loopback: runners on other hosts cannot fetch the files of jobs it accepts');
        }
      }
      await runner.start();
      return bound;
    },
    drain() {
      drained ??= (async () => {
        health.draining = true;
        clearInterval(sweeper);
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
