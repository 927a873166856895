// The gateway: the contract's prefixes routed to pools of service instances, with its own
// health, readiness (every service has a healthy instance) and metrics.
import type { AddressInfo } from 'node:net';
import { SERVICE_NAMES, createHttpApp, type Config, type HttpApp, type Metrics, type ServiceName } from '../kit/index.js';
import { startHealthChecks, type HealthChecker } from './health-checker.js';
import { InstancePool } from './pool.js';
import { createUpstreamAgent, proxyRequest } from './proxy.js';
import { GATEWAY_ROUTES } from './routes.js';

export { InstancePool, type Instance, type InstanceSpec, type Track } from './pool.js';
export { GATEWAY_ROUTES, type GatewayRoute } from './routes.js';

export interface Gateway {
  app: HttpApp;
  pools: Map<ServiceName, InstancePool>;
  listen(port: number, host: string): Promise<number>;
  /** Probe every instance now (the checker also runs on its interval). */
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export async function createGateway(options: { config: Config; metrics: Metrics; healthIntervalMs?: number }): Promise<Gateway> {
  const { config, metrics } = options;
  const pools = new Map(SERVICE_NAMES.map((s) => [s, new InstancePool(s)]));
  const readiness = [{
    name: 'upstreams',
    check: async () => {
      const empty = [...pools.values()].filter((p) => p.available().length === 0).map((p) => p.service);
      return empty.length === 0 ? { ok: true, detail: 'every service has a healthy instance' } : { ok: false, detail: `no healthy instance for ${empty.join(', ')}` };
    },
  }];
  const { app, health } = await createHttpApp({ service: 'gateway', title: 'Pitchey gateway', description: 'Routes the public API to the services.', config, metrics, readiness });
  const agent = createUpstreamAgent();
  await app.register(async (scope) => {
    // Bodies are streamed to the upstream untouched: no parser may read them here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    for (const route of GATEWAY_ROUTES) {
      const pool = pools.get(route.service) as InstancePool;
      scope.route({ method: [...METHODS], url: `${route.prefix}*`, config: { auth: 'public' }, schema: { hide: true }, handler: (req, reply) => proxyRequest(req, reply, route, pool, { agent, metrics }) });
    }
  });
  let checker: HealthChecker | null = null;
  return {
    app,
    pools,
    async listen(port, host) {
      checker = startHealthChecks(pools.values(), { agent, metrics, intervalMs: options.healthIntervalMs ?? 2_000 });
      await checker.checkNow();
      await app.listen({ port, host });
      return (app.server.address() as AddressInfo).port;
    },
    async checkHealth() {
      await checker?.checkNow();
    },
    async close() {
      health.draining = true;
      checker?.stop();
      await app.close();
      await agent.close();
    },
  };
}
