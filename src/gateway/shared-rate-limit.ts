// Rate limits counted over every gateway replica: the same leaky bucket as RateLimiter (nginx's
// `limit_req` with `nodelay`), held in Redis and advanced by one script, so two replicas cannot
// both admit the last request of a burst. The script reads Redis's own clock: replicas' clocks
// may disagree, Redis's is one.
//
// Redis down: each replica falls back to its own in-memory limiter and says so in its log. A
// limit that holds per replica (at most replicas × the allowance) keeps abuse bounded, while
// refusing every request (503) would turn a lost counter store into a lost API.
import type { RedisState } from './redis-state.js';
import { RATE_ZONES, type RateLimiter, type RouteRateLimit } from './rate-limit.js';

/** The bucket's step, run in Redis (the nginx data plane's Lua runs the same one: pitchey_limits.lua). */
export const RATE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prior = redis.call('HMGET', KEYS[1], 'excess', 'at')
local excess = 0
if prior[1] then
  excess = math.max(0, tonumber(prior[1]) - rate * (now - tonumber(prior[2])) / 1000 + 1)
end
if excess > burst then
  return math.max(1, math.ceil((excess - burst) / rate))
end
redis.call('HSET', KEYS[1], 'excess', tostring(excess), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst + 1) / rate * 1000) + 1000)
return 0
`;

/** A client's bucket in a zone: the same key on either data plane, so mixed replicas share it. */
export const rateKey = (prefix: string, zone: string, client: string): string => `${prefix}rate:${zone}:${client}`;

export interface SharedRateLimiterOptions {
  redis: RedisState;
  /** Counts while Redis cannot answer. */
  fallback: RateLimiter;
  /** Told once when counting falls back to this replica alone, and once when it is shared again. */
  log: (message: string) => void;
}

/** While Redis fails, requests skip it for this long between tries: a frozen Redis costs one request a timeout, not each. */
const RETRY_MS = 1_000;

export class SharedRateLimiter {
  private shared = true;
  private retryAt = 0;

  constructor(private readonly options: SharedRateLimiterOptions) {}

  /** Admits one request: 0 when it may pass, else the seconds after which it would. */
  async take(limit: RouteRateLimit, client: string): Promise<number> {
    const key = rateKey(this.options.redis.prefix, limit.zone, client);
    if (!this.shared && Date.now() < this.retryAt) return this.options.fallback.take(limit, client);
    try {
      const wait = Number(await this.options.redis.script(RATE_SCRIPT, [key], [RATE_ZONES[limit.zone], limit.burst]));
      this.mark(true);
      return wait;
    } catch (error) {
      this.retryAt = Date.now() + RETRY_MS;
      this.mark(false, error);
      return this.options.fallback.take(limit, client);
    }
  }

  private mark(shared: boolean, error?: unknown): void {
    if (shared === this.shared) return;
    this.shared = shared;
    this.options.log(
      shared
        ? 'rate limits are counted over all gateway replicas again (Redis answers)'
        : `rate limits are counted by this gateway replica alone until Redis answers: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
