// Forwards one request to an instance of its service, streaming both bodies: the body limit is
// enforced while streaming, connect failures eject the instance and idempotent requests are
// retried on another, and every upstream answer is counted by service, track and version.
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent, errors as undiciErrors } from 'undici';
import { Problem, formatBytes, statusClass, type Metrics } from '../kit/index.js';
import type { Instance, InstancePool } from './pool.js';
import type { GatewayRoute } from './routes.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const MAX_ATTEMPTS = 3;

export interface ProxyDeps { agent: Agent; metrics: Metrics }

export function createUpstreamAgent(): Agent {
  return new Agent({ connections: 256, keepAliveTimeout: 10_000, connect: { timeout: 2_000 } });
}

class BodyLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) { super(); }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) done(new Problem('BODY_TOO_LARGE', `Bodies on this route may be at most ${formatBytes(this.limit)}.`, { headers: { connection: 'close' } }));
    else done(null, chunk);
  }
}

function hasBody(req: FastifyRequest): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function forwardHeaders(req: FastifyRequest, route: GatewayRoute): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length'];
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior === undefined ? req.ip : `${String(prior)}, ${req.ip}`;
  headers['x-forwarded-proto'] = req.protocol;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-request-id'] = req.id;
  if (route.strip) headers['x-forwarded-prefix'] = route.prefix.replace(/\/$/, '');
  return headers;
}

function isConnectFailure(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return err instanceof undiciErrors.ConnectTimeoutError || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'UND_ERR_SOCKET';
}

function upstreamPath(req: FastifyRequest, route: GatewayRoute): string {
  return route.strip ? `/${req.url.slice(route.prefix.length)}` : req.url;
}

/** Proxies the request through the pool; throws a Problem when no instance can answer. */
export async function proxyRequest(req: FastifyRequest, reply: FastifyReply, route: GatewayRoute, pool: InstancePool, deps: ProxyDeps): Promise<FastifyReply> {
  const withBody = hasBody(req);
  if (withBody && Number(req.headers['content-length'] ?? 0) > route.maxBodyBytes) {
    throw new Problem('BODY_TOO_LARGE', `Bodies on ${route.prefix} may be at most ${formatBytes(route.maxBodyBytes)}.`, { headers: { connection: 'close' } });
  }
  const retryable = !withBody && IDEMPOTENT.has(req.method);
  const tried = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const instance = pool.pick(tried);
    if (instance === null) throw new Problem('UPSTREAM_UNAVAILABLE', `No healthy ${route.service} instance is available.`, { headers: { 'retry-after': '5' } });
    tried.add(instance.id);
    try {
      return await forward(req, reply, route, instance, deps, withBody);
    } catch (err) {
      if (!isConnectFailure(err)) throw err;
      instance.healthy = false; // passive ejection; the health checker brings it back
      if (!retryable || attempt >= MAX_ATTEMPTS) throw new Problem('UPSTREAM_UNAVAILABLE', `The ${route.service} instance could not be reached.`, { headers: { 'retry-after': '5' } });
    }
  }
}

async function forward(req: FastifyRequest, reply: FastifyReply, route: GatewayRoute, instance: Instance, deps: ProxyDeps, withBody: boolean): Promise<FastifyReply> {
  const labels = { service: route.service, track: instance.track, version: instance.version, instance: instance.id };
  const started = performance.now();
  instance.inflight++;
  let released = false;
  const release = (): void => { if (!released) { released = true; instance.inflight--; } };
  try {
    const res = await deps.agent.request({
      origin: instance.url, path: upstreamPath(req, route), method: req.method as 'GET',
      headers: forwardHeaders(req, route),
      body: withBody ? req.raw.pipe(new BodyLimit(route.maxBodyBytes)) : null,
      headersTimeout: route.timeoutMs, bodyTimeout: route.timeoutMs,
    });
    const answered = { ...labels, status_class: statusClass(res.statusCode) };
    deps.metrics.upstreamRequests.inc(answered);
    deps.metrics.upstreamDuration.observe(answered, (performance.now() - started) / 1000);
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) reply.header(k, v);
    if (res.headers['content-length'] !== undefined) reply.header('content-length', res.headers['content-length']);
    // In flight until the body has been relayed, so long downloads count against their instance.
    res.body.once('close', release);
    return reply.code(res.statusCode).send(res.body);
  } catch (err) {
    release();
    if (err instanceof Problem) throw err;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Problem) throw cause;
    if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
      deps.metrics.upstreamRequests.inc({ ...labels, status_class: 'timeout' });
      throw new Problem('UPSTREAM_TIMEOUT', `${route.service} did not answer within ${route.timeoutMs / 1000} s.`);
    }
    deps.metrics.upstreamRequests.inc({ ...labels, status_class: 'error' });
    throw err;
  }
}
