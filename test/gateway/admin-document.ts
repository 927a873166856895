// The admin document as `pitchey up` serves it: a gateway with the controller's deploy, release and
// environment APIs registered on it, over a real controller store and an unstarted local driver
// (no instance runs: a document only needs the routes).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createGatewayMetricSource } from '../../src/deploy/adapters/gateway-metric-source.js';
import { createGatewayRouter } from '../../src/deploy/adapters/gateway-router.js';
import { Controller } from '../../src/deploy/controller.js';
import { registerEnvironmentApi } from '../../src/deploy/environment-api.js';
import { registerDeployApi } from '../../src/deploy/http.js';
import { registerReleaseApi } from '../../src/deploy/release-api.js';
import { openControllerDb, type ControllerDb } from '../../src/deploy/store.js';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { SERVICE_NAMES, createMetrics, dataPath, type Config } from '../../src/kit/index.js';
import { createDriver } from '../../src/platform/drivers.js';

/** The gateway's `/openapi.json` with the controller's APIs on it. */
export async function adminDocument(config: Config): Promise<Record<string, unknown>> {
  return withAdminApi(config, async (app) => (await app.inject({ method: 'GET', url: '/openapi.json' })).json());
}

/** `use` given a gateway with the controller's APIs on it (not listening) and the controller's store; both closed after. */
export async function withAdminApi<T>(config: Config, use: (app: Gateway['app'], db: ControllerDb) => Promise<T>): Promise<T> {
  const gateway = await createGateway({ config, metrics: createMetrics(), healthIntervalMs: 60_000 });
  const dbPath = dataPath(config.dataDir, 'controllerDb');
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = openControllerDb(dbPath);
  try {
    const nothing = (): void => undefined;
    const driver = await createDriver(config, { baseEnv: {}, onUp: nothing, onDown: nothing, log: nothing });
    const controller = new Controller(
      { db, driver, router: createGatewayRouter(gateway), metrics: createGatewayMetricSource(gateway) },
      { env: config.deployEnv, baseVersion: config.version, production: false },
    );
    const analysis = { intervalMs: config.analysisIntervalMs, windowMs: config.analysisWindowMs };
    const traffic = () => Promise.resolve({ requestsPerSecond: 0, overS: 900 });
    const api = { controller, driver, services: SERVICE_NAMES, baseVersion: config.version, env: config.deployEnv, db, dataDir: config.dataDir, enforceChecks: false, analysis, traffic };
    registerDeployApi(gateway.app, api);
    registerReleaseApi(gateway.app, api);
    registerEnvironmentApi(gateway.app, { db, env: config.deployEnv, controller, config, services: SERVICE_NAMES });
    return await use(gateway.app, db);
  } finally {
    await gateway.close();
    db.close();
  }
}
