// The HTTP base every service and the gateway stand on: request ids, JSON logs, security headers,
// auth per route, rate limits, problems for every error (404/405 included), request metrics,
// health/ready/metrics, OpenAPI docs, temp-file cleanup, and drain.
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyBaseLogger,
  type RawServerDefault,
  type RawRequestDefaultExpression,
  type RawReplyDefaultExpression,
} from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { createAuthenticator, type Principal } from './auth.js';
import type { Config } from './config.js';
import { onClientGone } from './client-gone.js';
import { sendProblem } from './errors.js';
import { registerHealthRoutes, type HealthState, type ReadinessCheck } from './health.js';
import { registerFaults } from './faults.js';
import { createLoggerOptions } from './logging.js';
import { ProbeQuietLogController, isProbe } from './probe-logging.js';
import type { Metrics } from './metrics.js';
import { Problem } from './problems.js';
import { registerLingeringClose } from './unread-body.js';
import { API_LICENSE, completeDocument, createRouteTransform, withServer } from './openapi.js';
import { LOOPBACK_PROXIES, createProxyTrust } from './trusted-proxies.js';
import { registerTempCleanup } from './uploads.js';
import { LAZY_SCHEMAS } from './lazy-schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `'public'`, or the scope a caller needs. Default: the service's own name. */
    auth?: string;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export type HttpApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface HttpAppOptions {
  service: string;
  title: string;
  description: string;
  config: Config;
  metrics: Metrics;
  /** Largest non-multipart body. Default 1 MiB. */
  bodyLimit?: number;
  readiness?: ReadinessCheck[];
  /** Peers whose X-Forwarded-For is believed when `PITCHEY_TRUSTED_PROXIES` is unset. Default loopback. */
  defaultTrustedProxies?: readonly string[];
  /** The OpenAPI documents `/docs` offers, the first shown (the gateway's: the public API, its own, each service's). Default: this app's own. */
  docsUrls?: ReadonlyArray<{ name: string; url: string }>;
  /** Where logs go (default stdout); tests pass a stream to read what was logged. */
  logStream?: NodeJS.WritableStream;
  /** Serve `/docs` and `/openapi.json`. Default true; a worker, with no API to describe, has none. */
  docs?: boolean;
}

export interface HttpAppHandle {
  app: HttpApp;
  health: HealthState;
  /** Whether a direct peer is a trusted proxy (its X-Forwarded-For believed). */
  trustsPeer: (address: string) => boolean;
  /** The fields on every line its logger writes (pino's base: pid, service, version, track). */
  logFields: Record<string, unknown>;
}

export const SECURITY_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-resource-policy': 'same-site',
};
export const REQUEST_ID = /^[\w.-]{1,128}$/;

function registerAuth(app: HttpApp, options: HttpAppOptions): void {
  const authenticate = createAuthenticator(options.config);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const scope = req.routeOptions.config.auth ?? options.service;
    if (scope === 'public' || req.routeOptions.url === undefined) return;
    req.principal = await authenticate(req.headers, scope);
  });
}

function registerMethodNotAllowed(app: HttpApp): void {
  // Fastify answers 404 for a known path with the wrong method; a shadow router tells the two apart.
  const shadow = FindMyWay();
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) if (m !== 'HEAD') shadow.on(m as HTTPMethod, route.url, () => undefined);
  });
  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((m) => shadow.find(m, path) !== null);
    if (allowed.length > 0) {
      return sendProblem(req, reply, new Problem('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}.`, { headers: { allow: allowed.join(', ') } }));
    }
    return sendProblem(req, reply, new Problem('ROUTE_NOT_FOUND', `No route ${req.method} ${path}.`));
  });
}

/** The scope `/metrics` needs: scrapers get a key with it, not the data scopes. */
export const METRICS_SCOPE = 'metrics';
const METRICS_CACHE_MS = 1_000;

/** `produce`'s result, shared by every call within `ms` of the call that made it. */
function cachedFor<T>(ms: number, produce: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = performance.now();
    if (cached === null || now - cached.at >= ms) {
      const value = produce();
      cached = { at: now, value };
      value.catch(() => {
        cached = null;
      });
    }
    return cached.value;
  };
}

function registerMetrics(app: HttpApp, options: HttpAppOptions): void {
  const { metrics, config } = options;
  const labelsOf = (req: FastifyRequest, status: number) => ({
    service: options.service,
    route: req.routeOptions.url ?? 'unmatched',
    method: req.method,
    status: String(status),
    version: config.version,
    track: config.track,
  });
  app.addHook('onResponse', async (req, reply) => {
    const labels = labelsOf(req, reply.statusCode);
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
  // A request whose client hung up before its answer never finishes a response, so onResponse
  // never runs (nor Fastify's "request completed" line): counted and logged as nginx's 499 when
  // the connection closes first (body read or not), whatever the route goes on to do.
  app.addHook('onRequest', async (req, reply) => {
    onClientGone(reply, () => {
      metrics.httpRequests.inc(labelsOf(req, 499));
      const fields = { res: { statusCode: 499 }, responseTime: reply.elapsedTime };
      if (isProbe(req.url)) reply.log.debug(fields, 'request completed');
      else reply.log.info(fields, 'request completed');
    });
  });
  // Scrapers hold the `metrics` scope (an API key, also as a bearer token); a storm of scrapes
  // renders the text once per second, not once per request.
  const render = cachedFor(METRICS_CACHE_MS, () => metrics.registry.metrics());
  const doc = { ok: { file: [metrics.registry.contentType] } };
  app.get('/metrics', { config: { auth: METRICS_SCOPE, rateLimit: false }, schema: { summary: 'Prometheus metrics (a key with the `metrics` scope)', doc } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return render();
  });
}

async function registerDocs(app: HttpApp, options: HttpAppOptions, trustsPeer: (address: string) => boolean): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, description: options.description, version: options.config.version, license: API_LICENSE },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' }, bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
    transform: createRouteTransform(options.service),
    transformObject: completeDocument,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Several documents: Swagger UI's top bar picks one; the first is shown.
    uiConfig: { docExpansion: 'list', ...(options.docsUrls === undefined ? {} : { urls: [...options.docsUrls] }) },
    transformSpecificationClone: false,
    transformSpecification: (spec, req) => withServer(spec as Record<string, unknown>, req, trustsPeer),
  });
  app.get('/openapi.json', { config: { auth: 'public', rateLimit: false }, schema: { hide: true } }, (req) => withServer(app.swagger() as unknown as Record<string, unknown>, req, trustsPeer));
}

async function registerRateLimit(app: HttpApp): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    keyGenerator: (req) => req.principal?.id ?? `ip:${req.ip}`,
    errorResponseBuilder: (_req, ctx) =>
      new Problem('RATE_LIMITED', `Rate limit of ${ctx.max} requests per ${ctx.after === undefined ? 'window' : ctx.after.replace(/^\d+ /, '')} exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s.`, {
        headers: { 'retry-after': String(Math.ceil(ctx.ttl / 1000)) },
      }),
  });
}

/**
 * Stops taking requests and lets those in flight finish for up to `graceMs`; then every connection
 * is closed, so a stuck request (a handler that never answers, a client that stalls mid-body)
 * cannot hold a drain open. Resolves whether any had to be cut.
 */
export async function closeHttpApp(app: HttpApp, graceMs: number): Promise<{ cut: boolean }> {
  const closing = app.close();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'cut'>((resolve) => {
    timer = setTimeout(() => resolve('cut'), graceMs);
  });
  const outcome = await Promise.race([closing.then(() => 'drained' as const), graceOver]);
  clearTimeout(timer);
  if (outcome === 'drained') return { cut: false };
  app.server.closeAllConnections();
  await closing;
  return { cut: true };
}

/** Builds the configured Fastify app; callers add their routes, then `listen`. */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpAppHandle> {
  const { config } = options;
  // Every answer names the release that produced it, so clients and tests can tell canary from stable.
  const versionHeaders = { ...SECURITY_HEADERS, 'x-pitchey-version': config.version };
  const standardHeaders = (req: FastifyRequest, reply: FastifyReply): void => {
    if (!reply.hasHeader('x-pitchey-version')) reply.headers(versionHeaders);
    else reply.headers(SECURITY_HEADERS);
    reply.header('x-request-id', req.id);
  };
  const trustsPeer = createProxyTrust(config.trustedProxies ?? options.defaultTrustedProxies ?? LOOPBACK_PROXIES);
  const logger = createLoggerOptions(config.logLevel, { service: options.service, version: config.version, track: config.track });
  const app = Fastify({
    logger: { ...logger, ...(options.logStream ? { stream: options.logStream } : {}) },
    logController: new ProbeQuietLogController(),
    genReqId: (req) => {
      const id = req.headers['x-request-id'];
      return typeof id === 'string' && REQUEST_ID.test(id) ? id : randomUUID();
    },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: (address: string) => trustsPeer(address),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    schemaController: LAZY_SCHEMAS,
    // A bad percent-encoding or an over-long path parameter is answered by the router itself: a problem like any other.
    // Its reply skips the hooks, so it gets the standard headers here.
    frameworkErrors: (err, req, reply) => {
      standardHeaders(req, reply);
      sendProblem(req, reply, err);
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as HttpApp;
  const health: HealthState = { service: options.service, version: config.version, track: config.track, startedAt: Date.now(), draining: false, checks: [...(options.readiness ?? [])] };
  app.setErrorHandler((err, req, reply) => sendProblem(req, reply, err));
  registerMethodNotAllowed(app);
  app.addHook('onSend', async (req, reply) => {
    standardHeaders(req, reply);
  });
  // Multipart bodies are left unread here; the route streams them to disk with its own cap.
  app.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null));
  // Swagger UI's own routes (assets, spec) are documentation: public and never rate-limited.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, auth: 'public', rateLimit: false };
  });
  if (config.faults !== null) registerFaults(app, config.faults);
  registerAuth(app, options);
  if (config.rateLimit) await registerRateLimit(app);
  registerMetrics(app, options);
  registerTempCleanup(app);
  registerLingeringClose(app);
  if (options.docs ?? true) await registerDocs(app, options, trustsPeer);
  registerHealthRoutes(app, health);
  return { app, health, trustsPeer, logFields: logger.base ?? {} };
}
