// Pre-deployment checks, the folder's public face: `runChecks` runs every machine-checkable item
// of the checklist at once, applies waivers, and never lets one broken check crash the run.
import { ConfigError, SERVICE_NAMES, loadConfig, type Config } from '../../kit/index.js';
import { checkAlerts } from './alerts.js';
import { checkBackups } from './backups.js';
import type { CheckId } from './catalogue.js';
import type { ChecksConfig } from './checks-config.js';
import { checkCapacity, type CapacityReaders } from './capacity.js';
import { checkConfigSecrets } from './config-secrets.js';
import { failedEvidence } from './create-evidence.js';
import { checkDeployInProgress } from './deploy-state.js';
import { checkDeployWindow } from './deploy-window.js';
import { checkErrorBudget } from './error-budget.js';
import { checkDns, type Resolver } from './dns.js';
import { checkDrift, type DriftOptions } from './environment-drift.js';
import type { Evidence } from './evidence.js';
import { checkServiceHealth, readHealthTargets, type HealthTarget } from './service-health.js';
import { checkTls } from './tls-expiry.js';
import { inspectDeployedImage, type DeployedImage } from './deployed-image.js';
import { checkVulnerabilities, fillReportPath } from './vulnerabilities.js';
import { applyWaivers } from './waivers.js';

export { CHECKS, type CheckId } from './catalogue.js';
export { DEFAULT_CHECKS_CONFIG, checksConfigJsonSchema, defaultChecksConfigPath, parseChecksConfig, readChecksConfig, type ChecksConfig, type Waiver } from './checks-config.js';
export type { CheckStatus, Evidence } from './evidence.js';
export type { DeployedImage } from './deployed-image.js';
export type { DriftOptions } from './environment-drift.js';

/**
 * What a deployment is about to run: fills `{service}` and `{version}` in the Trivy report path;
 * with `docker` (the docker driver) the image `pitchey/<service>:<version>` is inspected on that
 * engine and the report must be of it.
 */
export interface DeployTarget {
  service: string;
  version: string;
  docker: { host: string | null } | null;
}

export interface RunChecksOptions {
  /** The checks' settings: `readChecksConfig(…)` or `DEFAULT_CHECKS_CONFIG`. */
  config: ChecksConfig;
  /** The deploy environment checked: its deployments and lock, and PITCHEY_DEPLOY_ENV for the config check. */
  env: string;
  /** The platform's data dir: run/instances.json, controller.sqlite, and the disk measured. */
  dataDir: string;
  /** Where the target configuration is read from. Default `process.env`. */
  processEnv?: NodeJS.ProcessEnv;
  /** The time every check judges against (expiry, backup age, waivers, the window). */
  now: Date;
  /** The release being deployed, when there is one (`pitchey check --service S --version V`, the controller). */
  target?: DeployTarget | undefined;
  /** The environment before this one in the promotion chain, to compare configurations with. Default: no drift check. */
  drift?: Omit<DriftOptions, 'now' | 'deploying'> | undefined;
  /** Run only these checks. Default: all of them. */
  only?: CheckId[];
  /** Seams for tests: host readers, the DNS resolver, the health targets. Defaults: the real ones. */
  capacityReaders?: CapacityReaders;
  resolve?: Resolver;
  healthTargets?: HealthTarget[];
  inspectImage?: typeof inspectDeployedImage;
}

export interface ChecksResult {
  evidence: Evidence[];
  passed: boolean;
}

/** One check to run: what it is (for the failure Evidence if it throws) and how. */
export interface CheckTask {
  ids: CheckId[];
  source: string;
  run: () => Evidence | Evidence[] | Promise<Evidence | Evidence[]>;
}

/** Runs tasks concurrently; a task that throws yields a failing Evidence with its message. */
export async function settleTasks(tasks: CheckTask[], now: Date): Promise<Evidence[]> {
  const results = await Promise.all(
    tasks.map(async (t) => {
      try {
        const out = await t.run();
        return Array.isArray(out) ? out : [out];
      } catch (err) {
        return [failedEvidence(t.ids[0] as CheckId, t.source, err, now)];
      }
    }),
  );
  return results.flat();
}

function planTasks(o: RunChecksOptions): CheckTask[] {
  const { config, now, dataDir } = o;
  const timeoutMs = config.timeoutMs;
  const health = o.healthTargets === undefined ? readHealthTargets(dataDir) : { targets: o.healthTargets, source: 'given targets' };
  return [
    { ids: ['service-health'], source: health.source, run: () => checkServiceHealth({ ...health, timeoutMs, now }) },
    { ids: ['capacity-cpu', 'capacity-memory', 'capacity-disk'], source: 'host', run: () => checkCapacity({ limits: config.capacity, dataDir, now, readers: o.capacityReaders }) },
    { ids: ['tls-expiry'], source: 'checks config tls', run: () => checkTls({ ...config.tls, timeoutMs, now }) },
    { ids: ['dns'], source: 'checks config dns', run: () => checkDns(config.dns, { timeoutMs, now, resolve: o.resolve }) },
    { ids: ['backups'], source: config.backups.dir ?? 'data dir backups', run: () => checkBackups(config.backups, dataDir, now) },
    { ids: ['vulnerabilities'], source: config.vulnerabilities.report ?? 'checks config vulnerabilities', run: () => vulnerabilities(o) },
    {
      ids: ['config-env', 'config-valid', 'config-secrets'],
      source: 'loadConfig',
      run: () => checkConfigSecrets({ processEnv: o.processEnv ?? process.env, deployEnv: o.env, requiredEnv: config.requiredEnv, now }),
    },
    { ids: ['alerts'], source: config.alertmanagerUrl ?? 'checks config alertmanagerUrl', run: () => checkAlerts({ alertmanagerUrl: config.alertmanagerUrl, timeoutMs, now }) },
    { ids: ['deploy-in-progress'], source: dataDir, run: () => checkDeployInProgress({ dataDir, env: o.env, now }) },
    { ids: ['deploy-window'], source: 'checks config window', run: () => checkDeployWindow(config.window, now) },
    { ids: ['error-budget'], source: dataDir, run: () => checkErrorBudget({ dataDir, env: o.env, services: o.target ? [o.target.service] : SERVICE_NAMES, now }) },
    ...(o.drift === undefined ? [] : [{ ids: ['environment-drift'] as CheckId[], source: o.drift.there.source, run: () => checkDrift({ ...o.drift!, deploying: o.target?.service, now }) }]),
  ];
}

async function vulnerabilities(o: RunChecksOptions): Promise<Evidence> {
  const { target } = o;
  const image: DeployedImage | null = target?.docker == null ? null : await (o.inspectImage ?? inspectDeployedImage)(target.docker.host, target.service, target.version);
  const trivy = { command: 'trivy', dockerHost: target?.docker?.host ?? null };
  return checkVulnerabilities({ reportPath: fillReportPath(o.config.vulnerabilities.report, target), image, now: o.now, trivy });
}

export async function runChecks(options: RunChecksOptions): Promise<ChecksResult> {
  const only = options.only;
  const tasks = planTasks(options).filter((t) => only === undefined || t.ids.some((id) => only.includes(id)));
  const evidence = applyWaivers(await settleTasks(tasks, options.now), options.config.waivers, options.now).filter((e) => only === undefined || only.includes(e.check as CheckId));
  return { evidence, passed: evidence.every((e) => e.status !== 'fail') };
}

/**
 * The environment and data dir checked, and the engine releases run on (docker driver): `env` or
 * the configured PITCHEY_DEPLOY_ENV. A configuration that does not validate is itself a finding
 * (config-valid), so it falls back to those settings alone.
 */
export function resolveTarget(processEnv: NodeJS.ProcessEnv, env: string | undefined): { env: string; dataDir: string; docker: DeployTarget['docker'] } {
  const config = loadFirstValid(processEnv, [
    ['PITCHEY_DATA_DIR', 'PITCHEY_DEPLOY_ENV', 'PITCHEY_DRIVER', 'PITCHEY_DOCKER_HOST'],
    ['PITCHEY_DATA_DIR', 'PITCHEY_DEPLOY_ENV'],
  ]);
  return { env: env ?? config.deployEnv, dataDir: config.dataDir, docker: config.driver === 'docker' ? { host: config.dockerHost } : null };
}

/** The whole configuration, else only the first key set of `fallbacks` that validates (the last one must). */
function loadFirstValid(processEnv: NodeJS.ProcessEnv, fallbacks: string[][]): Config {
  const [keys, ...rest] = fallbacks;
  try {
    return loadConfig(processEnv);
  } catch (err) {
    if (!(err instanceof ConfigError) || keys === undefined) throw err;
    return loadFirstValid(Object.fromEntries(keys.map((k) => [k, processEnv[k]])), rest);
  }
}
