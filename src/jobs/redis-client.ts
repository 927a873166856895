// Redis clients for state that must answer at once or not at all (the job store, the gateways'
// shared state): no offline queue, a bounded connect, reconnects backed off to 1 s. The package is
// loaded once, by the first part that needs it (~0.3 s of CPU to load): no process pays for it
// unless it is configured to use Redis.

type RedisModule = typeof import('redis');
let redisModule: Promise<RedisModule> | null = null;

/** The redis package, imported by the first caller and shared by the rest. */
export function loadRedis(): Promise<RedisModule> {
  redisModule ??= import('redis');
  return redisModule;
}

/** A client that fails fast: queued commands would wait out an outage; callers answer (or fall back) at once instead. */
export function newFailFastClient(redis: RedisModule, url: string, timeoutMs: number) {
  return redis.createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 1_000) } });
}

export type FailFastClient = ReturnType<typeof newFailFastClient>;

/** What closing needs of any node-redis client, fail-fast or not. */
interface ClosableClient {
  isReady: boolean;
  isOpen: boolean;
  close(): Promise<unknown>;
  destroy(): void;
}

/** Closes gracefully when connected, else drops the connection attempts. */
export async function closeRedisClient(client: ClosableClient): Promise<void> {
  if (client.isReady) await client.close().catch(() => client.destroy());
  else if (client.isOpen) client.destroy();
}
