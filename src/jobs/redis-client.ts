// Redis clients for state that must answer at once or not at all (the job store, the gateways'
// shared state): no offline queue, a bounded connect, reconnects backed off to 1 s. The package
// is passed in by a caller that imported it when first needed (~0.3 s of CPU to load).

/** A client that fails fast: queued commands would wait out an outage; callers answer (or fall back) at once instead. */
export function newFailFastClient(redis: typeof import('redis'), url: string, timeoutMs: number) {
  return redis.createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 1_000) } });
}

export type FailFastClient = ReturnType<typeof newFailFastClient>;

/** Closes gracefully when connected, else drops the connection attempts. */
export async function closeRedisClient(client: FailFastClient): Promise<void> {
  if (client.isReady) await client.close().catch(() => client.destroy());
  else if (client.isOpen) client.destroy();
}
