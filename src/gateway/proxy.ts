// Forwards one request to an instance of its service, streaming both bodies: the body limit is
// enforced while streaming, connect failures eject the instance and idempotent requests are
// retried on another, and every upstream answer is counted by service, track and version, in the
// metrics and in the per-track stats the deployment controller reads.
import { EventEmitter } from 'node:events';
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent, errors as undiciErrors } from 'undici';
import { Problem, formatBytes, onClientGone, statusClass, toProblem, type Authenticator, type Metrics } from '../kit/index.js';
import type { Instance, InstancePool, PickOptions } from './pool.js';
import type { GatewayRoute } from './routes.js';
import { TRACK_HEADER, choiceFor } from './track-choice.js';
import type { TrackStats } from './track-stats.js';
import { answerFacts, isCredentialed, type Asked } from './answer-facts.js';
import { setTimeout as sleep } from 'node:timers/promises';

const HOP_BY_HOP = new Set(['connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const MAX_ATTEMPTS = 3;
/** nginx's status for a request whose client closed the connection before its answer. */
const CLIENT_CLOSED = 499;
const WAIT_POLL_MS = 25;

export interface ProxyDeps {
  agent: Agent;
  metrics: Metrics;
  stats: Pick<TrackStats, 'record'>;
  /** Checks the admin scope of a request that pins its track. */
  authenticate: Authenticator;
  /** The stats clock. Default Date.now. */
  now?: (() => number) | undefined;
  /**
   * How long an idempotent request without a body waits for a healthy instance when none is
   * available (an instance restarting after a crash) before it is refused. Default 0.
   */
  waitForInstanceMs?: number;
  /** Whether the direct peer is a trusted proxy, whose `X-Forwarded-For` is passed on. Default: none is. */
  trustsPeer?: (address: string) => boolean;
}

export function createUpstreamAgent(): Agent {
  return new Agent({ connections: 256, keepAliveTimeout: 10_000, connect: { timeout: 2_000 } });
}

class BodyLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) done(new Problem('BODY_TOO_LARGE', `Bodies on this route may be at most ${formatBytes(this.limit)}.`, { headers: { connection: 'close' } }));
    else done(null, chunk);
  }
}

export function hasBody(req: FastifyRequest): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function forwardHeaders(req: FastifyRequest, route: GatewayRoute, trustsPeer: (address: string) => boolean): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && k !== TRACK_HEADER) headers[k] = v;
  if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length'];
  // A chain from an untrusted peer is its own claim: the service sees only the address we trust.
  const prior = req.headers['x-forwarded-for'];
  const peer = req.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = prior !== undefined && trustsPeer(peer) ? `${String(prior)}, ${peer}` : req.ip;
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

/** A connection that broke while the request was under way (e.g. `write EPIPE`): the upstream's failure, not ours. */
function isSocketFailure(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return isConnectFailure(err) || code === 'EPIPE' || code === 'ECONNABORTED' || err instanceof undiciErrors.SocketError;
}

/** Emits 'abort' (and is `aborted`) once the client has gone. */
type ClientGone = EventEmitter & { aborted: boolean };

/**
 * undici takes an EventEmitter as a request's signal. An AbortSignal (an EventTarget, whose
 * listeners are slow to add and remove in Node 20) halved the gateway's requests per second.
 */
function clientGoneEmitter(reply: FastifyReply): ClientGone {
  const gone: ClientGone = Object.assign(new EventEmitter(), { aborted: false });
  onClientGone(reply, () => {
    gone.aborted = true;
    gone.emit('abort');
  });
  return gone;
}

/** An instance to send to, waiting up to `waitMs` for one to become healthy. */
async function pickWaiting(pool: InstancePool, options: PickOptions, waitMs: number, signal: ClientGone): Promise<Instance | null> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const instance = pool.pick(options);
    if (instance !== null || performance.now() >= deadline || signal.aborted) return instance;
    await sleep(WAIT_POLL_MS);
  }
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
  const choice = await choiceFor(req, reply, pool, deps.authenticate);
  const retryable = !withBody && IDEMPOTENT.has(req.method);
  const clientGone = clientGoneEmitter(reply);
  const tried = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const instance = await pickWaiting(pool, { ...choice, exclude: tried }, retryable ? (deps.waitForInstanceMs ?? 0) : 0, clientGone);
    if (instance === null) {
      const which = choice.track === undefined ? '' : `${choice.track} `;
      throw new Problem('UPSTREAM_UNAVAILABLE', `No healthy ${which}${route.service} instance is available.`, { headers: { 'retry-after': '5' } });
    }
    tried.add(instance.url);
    const record = attemptRecorder(route, instance, deps, { method: req.method, credentialed: isCredentialed(req.headers) });
    try {
      return await forward(req, reply, { route, instance, deps, withBody, signal: clientGone, onAnswer: record });
    } catch (err) {
      const answered = record.done();
      const failure = asProblem(err, route);
      record(clientGone.aborted ? CLIENT_CLOSED : failure.status);
      if (clientGone.aborted) throw failure;
      // A relay that broke after the headers went out cannot be retried.
      if (!isConnectFailure(err) || answered) throw err;
      instance.healthy = false; // passive ejection; the health checker brings it back
      if (!retryable || attempt >= MAX_ATTEMPTS) throw failure;
    }
  }
}

/**
 * Counts one attempt in the track stats, once: a relay that fails after the headers went out
 * has already been counted by its status. Latency runs from the pick to the upstream's headers.
 * The objectives' operations and critical latency go to the stats and the metrics alike.
 */
function attemptRecorder(route: GatewayRoute, instance: Instance, deps: ProxyDeps, asked: Asked): ((status: number) => void) & { done(): boolean } {
  const started = performance.now();
  let recorded = false;
  return Object.assign(
    (status: number): void => {
      if (recorded) return;
      recorded = true;
      recordAnswer(deps, route, instance, asked, { status, latencyMs: performance.now() - started, at: (deps.now ?? Date.now)() });
    },
    { done: () => recorded },
  );
}

/**
 * Counts one answer of an instance in the track stats, and the objectives' operations and
 * critical latency in the metrics: the Node proxy's attempts and the nginx data plane's logged answers alike.
 */
export function recordAnswer(
  deps: Pick<ProxyDeps, 'stats' | 'metrics'>,
  route: GatewayRoute,
  instance: Pick<Instance, 'track' | 'version'>,
  asked: Asked,
  answer: { status: number; latencyMs: number; at: number },
): void {
  const { status, latencyMs } = answer;
  const facts = answerFacts(route, asked, status);
  deps.stats.record(route.service, instance.track, instance.version, status, latencyMs, answer.at, facts);
  const labels = { service: route.service, track: instance.track, version: instance.version };
  for (const [operation, outcome] of Object.entries(facts.outcomes ?? {})) deps.metrics.gatewayOperations.inc({ ...labels, operation, outcome });
  if (facts.critical === true) deps.metrics.gatewayCriticalDuration.observe({ ...labels, route: route.prefix }, latencyMs / 1000);
}

/** The answer a failed attempt becomes: a refused connection is an unreachable upstream. */
function asProblem(err: unknown, route: GatewayRoute): Problem {
  if (isConnectFailure(err)) return new Problem('UPSTREAM_UNAVAILABLE', `The ${route.service} instance could not be reached.`, { headers: { 'retry-after': '5' } });
  if (isSocketFailure(err)) return new Problem('UPSTREAM_UNAVAILABLE', `The ${route.service} instance closed the connection before it answered.`, { headers: { 'retry-after': '5' } });
  return toProblem(err);
}

interface Attempt {
  route: GatewayRoute;
  instance: Instance;
  deps: ProxyDeps;
  withBody: boolean;
  /** Aborted when the client hangs up: the upstream request is cancelled with it. */
  signal: ClientGone;
  /** Called with the upstream's status once its headers arrive. */
  onAnswer: (status: number) => void;
}

async function forward(req: FastifyRequest, reply: FastifyReply, attempt: Attempt): Promise<FastifyReply> {
  const { route, instance, deps, withBody } = attempt;
  const labels = { service: route.service, track: instance.track, version: instance.version, upstream_instance: instance.id };
  const started = performance.now();
  instance.inflight++;
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      instance.inflight--;
    }
  };
  try {
    const res = await deps.agent.request({
      origin: instance.url,
      path: upstreamPath(req, route),
      method: req.method,
      headers: forwardHeaders(req, route, deps.trustsPeer ?? (() => false)),
      body: withBody ? req.raw.pipe(new BodyLimit(route.maxBodyBytes)) : null,
      headersTimeout: route.timeoutMs,
      bodyTimeout: route.timeoutMs,
      signal: attempt.signal,
    });
    attempt.onAnswer(res.statusCode);
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
