// The embedded platform (`pitchey up`): the gateway and the deployment controller in this process,
// and each service's instances on free ports — supervised children (the local driver) or
// containers (the docker driver, PITCHEY_DRIVER=docker) — each registered in the gateway's pool
// under its track and version. Instance addresses are written to
// the data dir's run state for `pitchey health`. The composition root: it wires; only the CLI's
// `up` (and tests that start a platform) import it.
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGatewayMetricSource } from '../deploy/adapters/gateway-metric-source.js';
import { withJobOutcomes } from '../deploy/adapters/job-outcome-source.js';
import { createAvailabilitySampler, readErrorBudget } from '../deploy/budget-store.js';
import { createGatewayRouter } from '../deploy/adapters/gateway-router.js';
import type { Driver, InstanceHandle } from '../deploy/adapters/driver.js';
import { Controller, DeployRefused, currentVersionOf } from '../deploy/controller.js';
import { EXIT_MARGIN_MS } from '../deploy/release-start.js';
import { registerDeployApi, type DeployApiOptions } from '../deploy/http.js';
import { registerReleaseApi } from '../deploy/release-api.js';
import { createEnvironmentReader } from '../deploy/adapters/environment-reader.js';
import { effectiveConfig, registerEnvironmentApi } from '../deploy/environment-api.js';
import { earlierEnvironment, readEnvironments } from '../deploy/environments.js';
import { PostDeployValidator } from '../deploy/validation.js';
import { openControllerDb, readDeployments, type DeploymentRow } from '../deploy/store.js';
import { latestPerService, registerDeploymentMetrics } from '../deploy/adapters/deployment-metrics.js';
import { Notifier } from '../deploy/notify/outbox.js';
import type { AuditInput } from '../deploy/notify/events.js';
import { createGateway, type Gateway } from '../gateway/index.js';
import type { Evidence } from '../deploy/checks/index.js';
import { smokeService } from '../deploy/smoke/index.js';
import { SIGNOFF_ROLES, isSignoffRole, judgeSmokeAfterPromotion, type AfterPromotion, type SignoffRole, type Track } from '../deploy/engine/index.js';
import { SERVICE_NAMES, createMetrics, fileSettingsEnv, dataPath, removeRunState, writeRunState, type Config, type InstanceEntry, type ServiceName } from '../kit/index.js';
import { createDriver } from './drivers.js';
import type { OutputSink } from './supervisor.js';

export type { InstanceEntry } from '../kit/index.js';

export interface Platform {
  gatewayUrl: string;
  gateway: Gateway;
  controller: Controller;
  driver: Driver;
  instances(): InstanceEntry[];
  /** Resolves once every service has a healthy instance in the gateway, or rejects at the deadline. */
  waitReady(timeoutMs: number): Promise<void>;
  /**
   * Starts `pitchey worker` processes for stable (`up --workers`): the stable release's workers,
   * which a deployment's promotion retires and replaces with the new release's.
   */
  startWorkers(counts: ReadonlyMap<ServiceName, number>): Promise<InstanceHandle[]>;
  stop(): Promise<void>;
}

function childEnv(config: Config): NodeJS.ProcessEnv {
  // The settings file's values too, as variables: a container cannot read the file's host path.
  const env: NodeJS.ProcessEnv = {
    ...fileSettingsEnv(),
    ...process.env,
    PITCHEY_API_KEYS: config.apiKeys.map((k) => `${k.key}:${k.scopes.join('+')}${k.holder === undefined ? '' : `@${k.holder}`}`).join(','),
  };
  delete env.PITCHEY_FAULTS; // faults reach an instance only through a deployment that asks for them
  return env;
}

/** The checklist's six roles sign off production; other environments need none unless configured. */
function requiredSignoffs(config: Config): SignoffRole[] {
  if (config.signoffs !== null) return config.signoffs.filter(isSignoffRole);
  return config.deployEnv === 'production' ? (Object.keys(SIGNOFF_ROLES) as SignoffRole[]) : [];
}

/** Smoke requests through the gateway's track header: readiness and the API description, as a client reaches them. */
function createSmoke(config: Config, gatewayUrl: () => string): (service: string, track: Track) => Promise<Evidence> {
  const key = config.apiKeys.find((k) => k.scopes.includes('*') || k.scopes.includes('admin'))?.key;
  return async (service, track) => {
    if (key === undefined) {
      return {
        check: `smoke-${service}`,
        title: `${service} smoke journey`,
        status: 'warn',
        observed: 'not run: no key with the admin scope to send the track header with',
        threshold: 'every step answers 2xx with a real result',
        source: gatewayUrl(),
        at: new Date().toISOString(),
      };
    }
    return smokeService(service as ServiceName, { baseUrl: gatewayUrl(), apiKey: key, track: track === 'stable' ? null : track, timeoutMs: 60_000 });
  };
}

/**
 * The environment before this one in the environments file's chain, read with its read key: its
 * evidence gates deployments here and its configuration is compared for drift. Undefined when this
 * environment is first in the chain, or there is no file.
 */
function promotionChain(config: Config, controller: Controller): DeployApiOptions['chain'] {
  const envs = readEnvironments(config.environmentsFile);
  const earlier = envs === null ? null : earlierEnvironment(envs, config.deployEnv);
  if (envs === null || earlier === null) return undefined;
  return { earlier: createEnvironmentReader(envs, earlier), driftAllow: envs.driftAllow, here: () => effectiveConfig(config, controller, SERVICE_NAMES) };
}

export interface PlatformOptions {
  gatewayPort: number;
  /** The controller's and supervisor's events, one line each. */
  log?: (msg: string) => void;
  /** Where the gateway's and the instances' logs go, by source (`gateway`, an instance id); default this process's stdout and stderr. */
  output?: OutputSink;
}

/** A stream for the in-process gateway's logger that hands each chunk to the sink. */
const sinkStream = (output: OutputSink, id: string): NodeJS.WritableStream =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      output(id, chunk, 'stdout');
      done();
    },
  });

/** An instance that is up: into its service's pool, and probed now rather than at the next health check. */
function registerUp(gateway: Gateway, h: InstanceHandle): void {
  if (h.url !== null) gateway.registerInstance(h.service as ServiceName, { id: h.id, url: h.url, track: h.track, version: h.version });
  void gateway.checkHealth();
}

export async function startPlatform(config: Config, options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? (() => undefined);
  const db = openControllerDb(dataPath(config.dataDir, 'controllerDb'));
  // The services start first: their start-up is the longest part of `pitchey up`, and they need
  // only their version (the store's) and the driver. The gateway is built while they load; an
  // instance that reports in before it exists is registered (and probed at once) when it does.
  const early = new Map<string, InstanceHandle>();
  let live: Gateway | null = null;
  let gatewayUrl = '';
  const entries = (): InstanceEntry[] =>
    driver
      .list()
      .filter((h): h is InstanceHandle & { url: string; pid: number } => h.role === 'instance' && h.url !== null && h.pid !== null)
      .map((h) => ({ role: h.service, id: h.id, url: h.url, pid: h.pid, track: h.track, version: h.version }));
  // Written once the gateway listens (services may report in before it does), then on every change.
  const record = (): void => {
    if (gatewayUrl !== '') writeRunState(config.dataDir, { gateway: { url: gatewayUrl, pid: process.pid }, instances: entries() });
  };
  const driver = await createDriver(config, {
    baseEnv: childEnv(config),
    log,
    ...(options.output ? { output: options.output } : {}),
    onUp: (h) => {
      if (live === null) early.set(h.id, h);
      else registerUp(live, h);
      record();
    },
    onDown: (h) => {
      early.delete(h.id);
      live?.unregisterInstance(h.service as ServiceName, h.id);
      record();
    },
  }).catch((err: unknown) => {
    db.close();
    throw err;
  });
  const failed: string[] = [];
  const startStable = (): Array<Promise<unknown>> =>
    SERVICE_NAMES.map((service) =>
      driver.start({ service, track: 'stable', version: currentVersionOf(db, config.deployEnv, service, config.version), count: 1, faults: null }, 60_000).catch((err: Error) => {
        failed.push(`${service}: ${err.message}`);
        log(`${service} did not start: ${err.message}`);
      }),
    );
  // A deployment left active may be completed by its recovery, which changes its service's version:
  // then the services start after the controller has recovered it, as they always did.
  const recovering = readDeployments(db, { env: config.deployEnv, activeOnly: true }).length > 0;
  let starting = recovering ? [] : startStable();
  const metrics = createMetrics();
  const gateway = await createGateway({ config, metrics, healthIntervalMs: 1_000, ...(options.output ? { logStream: sinkStream(options.output, 'gateway') } : {}) }).catch(async (err: unknown) => {
    // The services already starting must not outlive a gateway that could not be built.
    await driver.close(0);
    db.close();
    throw err;
  });
  live = gateway;
  for (const h of early.values()) registerUp(gateway, h);
  early.clear();
  // Gateway traffic, and the job outcomes each instance counts (the processing objectives).
  const metricsKey = config.apiKeys.find((k) => k.scopes.includes('*') || k.scopes.includes('metrics'))?.key ?? null;
  const metricSource = withJobOutcomes(createGatewayMetricSource(gateway), { instances: () => driver.list(), metricsKey, log });
  // The availability error budget's counts, a sample a minute (the gateway keeps 15 minutes).
  const stopSampling = createAvailabilitySampler({ db, env: config.deployEnv, services: SERVICE_NAMES, source: createGatewayMetricSource(gateway), log }).start();
  const smoke = createSmoke(config, () => gatewayUrl);
  // The controller's deployments on the gateway's /metrics (the controller runs in its process).
  const deploymentMetrics = registerDeploymentMetrics(metrics.registry, {
    latest: () => latestPerService(readDeployments(db, { env: config.deployEnv })),
    weights: (service) => gateway.pools.get(service as ServiceName)?.weights() ?? {},
  });
  // Deliveries left pending by the last run go out again once the loop starts.
  const notifier = new Notifier(db, config.notifyReceivers, { log });
  const controller = new Controller(
    {
      db,
      driver,
      router: createGatewayRouter(gateway),
      metrics: metricSource,
      smoke,
      log,
      // With no receiver, audit events skip the notifier (and its service lookup) altogether.
      stateChanged: (row, before) => deploymentMetrics.stateChanged(row, before),
      ...(config.notifyReceivers.length > 0 ? { notify: (e: AuditInput, service: string | null) => notifier.publish(e, service) } : {}),
    },
    {
      env: config.deployEnv,
      baseVersion: config.version,
      production: config.mode === 'production',
      intervalMs: config.analysisIntervalMs,
      windowMs: config.analysisWindowMs,
      drainMs: config.drainTimeoutMs,
      signoffs: requiredSignoffs(config),
      signoffTtlMs: config.signoffTtlMs,
      signoffTimeoutMs: config.signoffTimeoutMs,
      signoffSharedRoles: config.signoffSharedRoles,
      rollbackPolicy: { signoffs: config.rollbackSignoffs, maxAgeMs: config.rollbackMaxAgeMs },
    },
  );
  /** What the engine decided after a promotion (validation breach, failed smoke journey): back to the version before, or an alert. */
  const carryOut = (row: DeploymentRow, action: AfterPromotion, kind: 'validation' | 'smoke', data: Record<string, unknown>): void => {
    if (action.kind === 'none') return;
    if (action.kind === 'alert') {
      controller.audit(`${kind}.alert`, 'controller', { reason: action.reason, ...data }, row.id);
      return;
    }
    try {
      const back = controller.deploy({ service: row.service, toVersion: action.to, strategy: 'blue-green', steps: [100], bakeMs: 0, rules: [], author: 'controller' });
      controller.audit(`${kind}.rollback`, 'controller', { to: action.to, deployment: back.id, reason: action.reason, ...data }, row.id);
    } catch (err) {
      // The lock is held (a platform release still running): an operator decides, told by the audit event.
      if (!(err instanceof DeployRefused)) throw err;
      controller.audit(`${kind}.rollback-refused`, 'controller', { to: action.to, reason: action.reason, refused: err.message, ...data }, row.id);
    }
  };
  const validator = new PostDeployValidator(
    {
      db,
      env: config.deployEnv,
      metrics: metricSource,
      log,
      audit: (kind, data, id) => controller.audit(kind, 'controller', data, id),
      act: (row, action, verdict) => carryOut(row, action, 'validation', { verdict: { ...verdict } }),
    },
    { phasesMs: config.validationPhasesMs, sampleMs: Math.max(1_000, config.analysisIntervalMs * 4) },
  );
  controller.onPromoted((row) => {
    validator.start(row);
    // The record shows the budget before (the error-budget check) and after the deployment.
    controller.audit('error-budget', 'controller', { when: 'after', service: row.service, budget: readErrorBudget(db, config.deployEnv, row.service, Date.now()) }, row.id);
    if (row.author === 'controller') return; // the controller's own rollback is not smoke-tested (it would only alert)
    void smoke(row.service, 'stable').then((evidence) => {
      controller.audit('smoke', 'controller', { when: 'after-deploy', track: 'stable', evidence }, row.id);
      carryOut(row, judgeSmokeAfterPromotion(evidence.status, evidence.observed, row.state.plan, row.author), 'smoke', {});
    });
  });
  const chain = promotionChain(config, controller);
  // Each deployment active when the controller stopped gets the engine's decision (audited); they act once the gateway listens.
  for (const { row, recovery } of controller.recover()) log(`deployment ${row.id} was active when the controller stopped: ${recovery.decision} (${recovery.why})`);
  for (const id of validator.resume()) log(`validation of ${id} resumed after a restart`);
  if (recovering) starting = startStable();
  notifier.start();
  const deployApi: DeployApiOptions = {
    controller,
    driver,
    services: SERVICE_NAMES,
    baseVersion: config.version,
    env: config.deployEnv,
    db,
    dataDir: config.dataDir,
    enforceChecks: config.deployEnv === 'production',
    docker: config.driver === 'docker' ? { host: config.dockerHost } : null,
    chain,
    analysis: { intervalMs: config.analysisIntervalMs, windowMs: config.analysisWindowMs },
    traffic: async (service) => {
      // The gateway keeps 15 minutes of per-track traffic: the rate over that span.
      const overS = 900;
      const tracks = await gateway.window(service, overS * 1000, Date.now());
      const requests = Object.values(tracks).reduce((n, t) => n + (t?.requests ?? 0), 0);
      return { requestsPerSecond: requests / overS, overS };
    },
  };
  registerDeployApi(gateway.app, deployApi);
  registerReleaseApi(gateway.app, deployApi);
  registerEnvironmentApi(gateway.app, { db, env: config.deployEnv, controller, config, services: SERVICE_NAMES });
  const port = await gateway.listen(options.gatewayPort, config.host).catch(async (err: unknown) => {
    // The services already starting must not outlive a gateway that could not listen.
    await driver.close(0);
    throw err;
  });
  gatewayUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  record();
  controller.resumeRecovered();
  let stopped: Promise<void> | null = null;
  // Forced out before stop() finished (its deadline, a second signal): the file must not say it runs.
  const forgetInstances = (): void => removeRunState(config.dataDir);
  process.on('exit', forgetInstances);
  return {
    gatewayUrl,
    gateway,
    controller,
    driver,
    instances: entries,
    async waitReady(timeoutMs) {
      await Promise.all(starting);
      // No image, a refused signature, an instance that never answered: waiting longer changes nothing.
      if (failed.length > 0) throw new Error(`not every service started:\n  ${failed.join('\n  ')}`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const missing = SERVICE_NAMES.filter((s) => (gateway.pools.get(s)?.available().length ?? 0) === 0);
        if (missing.length === 0) return;
        if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${missing.join(', ')}`);
        await sleep(100);
      }
    },
    async startWorkers(counts) {
      const started = await Promise.all(
        [...counts].map(([service, count]) => driver.start({ service, role: 'worker', track: 'stable', version: controller.currentVersion(service), count, faults: null }, 60_000)),
      );
      return started.flat();
    },
    stop() {
      stopped ??= (async () => {
        validator.stop();
        stopSampling();
        await controller.stop();
        await notifier.stop();
        // Replicas sharing this gateway's instances stop sending them requests now, while Redis is
        // still open (the driver's own onDown comes after the gateway state is closed).
        if (config.gatewayState !== null) for (const h of driver.list()) gateway.unregisterInstance(h.service as ServiceName, h.id);
        // Side by side, each bounded: the gateway cuts what is still in flight after the drain
        // timeout, and an instance still alive shortly after its own (equal) bound is SIGKILLed.
        await Promise.all([gateway.close(), driver.close(config.drainTimeoutMs + EXIT_MARGIN_MS)]);
        db.close();
        forgetInstances();
        process.off('exit', forgetInstances);
      })();
      return stopped;
    },
  };
}
