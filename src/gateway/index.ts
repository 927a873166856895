// The gateway: the contract's prefixes routed to pools of service instances, with its own
// health, readiness (every service has a healthy instance) and metrics, the contract's per-client
// rate limits, per-track stats and the traffic controls (weights, stickiness, instances, drain) a
// deployment controller drives.
import type { AddressInfo } from 'node:net';
import { SERVICE_NAMES, closeHttpApp, createAuthenticator, createHttpApp, type Config, type HttpApp, type Metrics, type ServiceName } from '../kit/index.js';
import { registerAdminRoutes } from './admin.js';
import { resolveDataPlane } from './data-plane.js';
import { withDataPlane } from './nginx/control.js';
import { startNginxPlane, type NginxPlane } from './nginx/plane.js';
import { registerDashboard } from './dashboard.js';
import { startHealthChecks, type HealthChecker } from './health-checker.js';
import { InstancePool, type InstanceSpec } from './pool.js';
import { createUpstreamAgent, proxyRequest, type ProxyDeps } from './proxy.js';
import { enforceRate } from './rate-limit.js';
import { PUBLIC_DOCUMENT_NAME, PUBLIC_DOCUMENT_PATH, registerPublicDocs } from './public-docs.js';
import { GATEWAY_ROUTES } from './routes.js';
import { createGatewayState, type TrackWindows } from './shared-state.js';
import { TrackStats } from './track-stats.js';
import { createTrafficControl, type TrafficControl } from './traffic-control.js';

export { ADMIN_PREFIX } from './admin.js';
export { resolveDataPlane, type DataPlane } from './data-plane.js';
export { DASHBOARD_PATH } from './dashboard.js';
export { InstancePool, TRACKS, stickyBucket, stickyTrack, type DrainResult, type Instance, type InstanceSpec, type PickOptions, type Track, type TrackWeights } from './pool.js';
export { RATE_ZONES, RateLimiter, type RouteRateLimit } from './rate-limit.js';
export { PUBLIC_DOCUMENT_PATH } from './public-docs.js';
export { GATEWAY_PORT, GATEWAY_ROUTES, type GatewayRoute } from './routes.js';
export { TRACK_COOKIE, TRACK_HEADER } from './track-choice.js';
export { TrackStats, type TrackStatsOptions, type TrackWindowStats } from './track-stats.js';
export type { TrackWindows } from './shared-state.js';
export {
  createTrafficControl,
  checkInstanceUrl,
  instanceHealth,
  type InstanceView,
  type PoolView,
  type SeriesView,
  type StatsView,
  type TrafficControl,
  type TrafficControlDeps,
} from './traffic-control.js';

export interface Gateway {
  app: HttpApp;
  pools: Map<ServiceName, InstancePool>;
  /** Per-track traffic of every request this gateway proxied. */
  stats: TrackStats;
  /** Per-track traffic over a window, summed over every replica when they share state (PITCHEY_GATEWAY_STATE). */
  window(service: string, windowMs: number, now: number): Promise<TrackWindows>;
  /** The admin API's operations, callable in process. */
  control: TrafficControl;
  /**
   * Instances run by this process's own driver (`pitchey up`): put in (or taken out of) their
   * pool and, like those added through the admin API, shared with the other replicas.
   */
  registerInstance(service: ServiceName, spec: InstanceSpec): void;
  unregisterInstance(service: ServiceName, id: string): void;
  listen(port: number, host: string): Promise<number>;
  /** Probe every instance now (the checker also runs on its interval). */
  checkHealth(): Promise<void>;
  /** Stops taking requests; those in flight get the drain timeout, then their connections are closed. */
  close(): Promise<void>;
  /**
   * With the nginx data plane (PITCHEY_DATA_PLANE, once listening): pushes the pools to nginx now
   * and reads the statistics it has counted so far (both also run on their own timers).
   * Otherwise nothing.
   */
  syncDataPlane(): Promise<void>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** The levels at which Fastify logs each request (at info). */
const LOGS_REQUESTS = new Set(['info', 'debug', 'trace']);

export interface GatewayOptions {
  config: Config;
  metrics: Metrics;
  /** Default 2 s. */
  healthIntervalMs?: number;
  /** The stats clock. Default Date.now. */
  now?: () => number;
  /** With shared state: how often weights are re-read in case a change's message was lost. Default 5 s. */
  stateRereadMs?: number;
  /** Where its logs go (default stdout): `pitchey up` passes its terminal printer. */
  logStream?: NodeJS.WritableStream;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { metrics } = options;
  const nginxMode = resolveDataPlane(options.config) === 'nginx';
  // Behind nginx, the Node gateway's peer is nginx on loopback: its X-Forwarded-For is believed.
  const config = nginxMode ? { ...options.config, trustedProxies: [...(options.config.trustedProxies ?? []), '127.0.0.1'] } : options.config;
  let plane: NginxPlane | null = null;
  const pools = new Map(SERVICE_NAMES.map((s) => [s, new InstancePool(s)]));
  const stats = new TrackStats();
  const authenticate = createAuthenticator(config);
  let checker: HealthChecker | null = null;
  const checkHealth = async (): Promise<void> => {
    await checker?.checkNow();
  };
  const state = createGatewayState({
    url: config.gatewayState,
    local: stats,
    pools,
    rateLimit: config.rateLimit,
    now: options.now,
    rereadMs: options.stateRereadMs,
    onInstancesAdopted: () => void checkHealth(),
    log: (m) => app.log.warn(m),
  });
  // On the nginx plane, the answers nginx counted since its last read first: an analysis reading
  // now sees the traffic up to now, as on the Node plane (its statistics are otherwise read once a second).
  const window: Gateway['window'] = async (service, windowMs, now) => {
    await plane?.readStats().catch(() => undefined); // the periodic read reports what fails
    return state.window(service, windowMs, now);
  };
  const inProcess = createTrafficControl({ pools, window, timeline: state.timeline, checkHealth, instances: state.instances, now: options.now });
  const control = nginxMode
    ? withDataPlane(
        inProcess,
        () => plane,
        pools,
        (m) => app.log.warn(m),
      )
    : inProcess;
  const readiness = [
    {
      name: 'upstreams',
      check: () => {
        const empty = [...pools.values()].filter((p) => p.available().length === 0).map((p) => p.service);
        return empty.length === 0 ? { ok: true, detail: 'every service has a healthy instance' } : { ok: false, detail: `no healthy instance for ${empty.join(', ')}` };
      },
    },
  ];
  // The gateway is the edge: a client's own X-Forwarded-For buys it nothing unless a proxy in front is configured.
  const { app, health, trustsPeer, logFields } = await createHttpApp({
    service: 'gateway',
    title: 'Pitchey gateway',
    description: 'Routes the public API to the services.',
    config,
    metrics,
    readiness,
    defaultTrustedProxies: [],
    // The whole public API first; then the admin API; then each service's own document as the
    // gateway serves it, so "Try it out" calls /api/<service>/….
    docsUrls: [
      { name: PUBLIC_DOCUMENT_NAME, url: PUBLIC_DOCUMENT_PATH },
      { name: 'Pitchey gateway (admin API)', url: '/openapi.json' },
      ...GATEWAY_ROUTES.filter((r) => r.strip).map((r) => ({ name: `${r.service} service`, url: `${r.prefix}openapi.json` })),
    ],
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  const agent = createUpstreamAgent();
  const limiter = state.limiter;
  const proxyDeps: ProxyDeps = { agent, metrics, stats: state, authenticate, now: options.now, waitForInstanceMs: config.gatewayWaitMs, trustsPeer };
  // A plugin without a `done` parameter must return a promise for Fastify to treat it as async.
  // eslint-disable-next-line @typescript-eslint/require-await
  await app.register(async (scope) => {
    // Bodies are streamed to the upstream untouched: no parser may read them here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    for (const route of GATEWAY_ROUTES) {
      const pool = pools.get(route.service) as InstancePool;
      const limit = route.rateLimit;
      scope.route({
        method: [...METHODS],
        url: `${route.prefix}*`,
        config: { auth: 'public' },
        schema: { hide: true },
        handler: async (req, reply) => {
          if (limiter !== null && limit !== null) await enforceRate(req, limit, limiter, authenticate);
          return proxyRequest(req, reply, route, pool, proxyDeps);
        },
      });
    }
  });
  registerAdminRoutes(app, control);
  registerDashboard(app);
  registerPublicDocs(app, { pools, agent, rateLimited: config.rateLimit, version: config.version, trustsPeer });
  return {
    app,
    pools,
    stats,
    window,
    control,
    registerInstance(service, spec) {
      pools.get(service)?.add(spec);
      state.instances.added(service, spec);
    },
    unregisterInstance(service, id) {
      pools.get(service)?.remove(id);
      state.instances.removed(service, id);
    },
    async listen(port, host) {
      await state.start();
      checker = startHealthChecks(pools.values(), { agent, metrics, intervalMs: options.healthIntervalMs ?? 2_000 });
      await checker.checkNow();
      if (!nginxMode) {
        await app.listen({ port, host });
        return (app.server.address() as AddressInfo).port;
      }
      await app.listen({ port: 0, host: '127.0.0.1' });
      const nodePort = (app.server.address() as AddressInfo).port;
      // nginx logs the requests it answers as the Node gateway would, into the same stream.
      const out = options.logStream ?? process.stdout;
      const requestLog = LOGS_REQUESTS.has(config.logLevel) ? { bindings: logFields, write: (lines: string) => void out.write(lines) } : null;
      plane = await startNginxPlane({ config: options.config, pools, record: { stats: state, metrics }, host, port, nodePort, log: (m) => app.log.warn(m), requestLog });
      return plane.port;
    },
    checkHealth,
    async syncDataPlane() {
      await plane?.sync();
      await plane?.readStats();
    },
    async close() {
      health.draining = true;
      checker?.stop();
      // nginx first: it stops taking requests and finishes its own, some of which Node is serving.
      await plane?.close(config.drainTimeoutMs);
      await closeHttpApp(app, config.drainTimeoutMs);
      // A proxied request cut above may still hold its upstream stream: destroy, do not wait.
      await agent.destroy();
      await state.close();
    },
  };
}
