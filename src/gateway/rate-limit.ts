// Per-client request rates at the gateway, as the contract's nginx `limit_req` zones had them: a
// zone's rate is shared by every prefix that names it, each prefix allows its own burst, and a
// request over its burst is refused at once (nginx's `nodelay`) with 429 and Retry-After, rather
// than held open. A client is its verified credential (so callers behind one NAT keep their own
// allowance) or, without one that verifies, its address (so made-up keys buy nothing).
import type { FastifyRequest } from 'fastify';
import { Problem, type Authenticator } from '../kit/index.js';
import { hasBody } from './proxy.js';

/** Requests per second each zone refills, per client. */
export const RATE_ZONES = { uploads: 2, api: 10 } as const;

export type RateZone = keyof typeof RATE_ZONES;

export interface RouteRateLimit {
  zone: RateZone;
  /** Requests a client may send beyond the zone's rate before it is refused. */
  burst: number;
}

interface Excess {
  /** Requests beyond the rate, still to drain (nginx's `excess`). */
  excess: number;
  at: number;
}

export interface RateLimiterOptions {
  /** Clients remembered per zone before the least recently admitted is forgotten. Default 100,000. */
  maxClients?: number;
  now?: (() => number) | undefined;
}

export class RateLimiter {
  private readonly clients = new Map<string, Excess>();
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: RateLimiterOptions = {}) {
    this.maxClients = options.maxClients ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Admits one request: 0 when it may pass, else the seconds after which it would. */
  take(limit: RouteRateLimit, client: string): number {
    const rate = RATE_ZONES[limit.zone];
    const key = `${limit.zone}\u0000${client}`;
    const now = this.now();
    const prior = this.clients.get(key);
    const excess = prior === undefined ? 0 : Math.max(0, prior.excess - (rate * (now - prior.at)) / 1000 + 1);
    if (excess > limit.burst) return Math.max(1, Math.ceil((excess - limit.burst) / rate));
    // Re-inserting keeps the map in admission order, so the oldest entry is the one to forget.
    this.clients.delete(key);
    this.clients.set(key, { excess, at: now });
    if (this.clients.size > this.maxClients) this.clients.delete(this.clients.keys().next().value as string);
    return 0;
  }

  get size(): number {
    return this.clients.size;
  }
}

const ANONYMOUS_TOKEN = 'jwt:anonymous';

async function clientOf(req: FastifyRequest, authenticate: Authenticator): Promise<string> {
  if (req.headers['x-api-key'] !== undefined || req.headers.authorization !== undefined) {
    try {
      const { id } = await authenticate(req.headers, null);
      // Tokens without a subject are all `jwt:anonymous`: one holder must not starve the rest.
      if (id !== ANONYMOUS_TOKEN) return id;
    } catch {
      // Credentials that do not verify are the service's to refuse; the address is the client.
    }
  }
  return `ip:${req.ip}`;
}

/** What counts requests: this process's RateLimiter, or one shared by gateway replicas. */
export interface RateCounter {
  /** 0 when the request may pass, else the seconds after which it would. */
  take(limit: RouteRateLimit, client: string): number | Promise<number>;
}

/** Throws a 429 Problem when the caller is over the route's rate. */
export async function enforceRate(req: FastifyRequest, limit: RouteRateLimit, limiter: RateCounter, authenticate: Authenticator): Promise<void> {
  const waitS = await limiter.take(limit, await clientOf(req, authenticate));
  if (waitS === 0) return;
  throw new Problem('RATE_LIMITED', `This client is over ${RATE_ZONES[limit.zone]} requests per second (burst ${limit.burst}) on this route; retry in ${waitS} s.`, {
    // An upload refused before its body is read would otherwise be read whole to keep the connection.
    headers: { 'retry-after': String(waitS), ...(hasBody(req) ? { connection: 'close' } : {}) },
  });
}
