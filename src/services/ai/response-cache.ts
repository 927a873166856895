// The response cache of /generate and /v1/chat/completions, keyed by the normalised request: in memory (bounded, LRU) or in
// Redis when configured. A cache that fails is a miss, never an error for the caller.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeRedisClient, loadRedis } from '../../kit/index.js';

export interface ResponseCache {
  kind: 'memory' | 'redis';
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}

/**
 * Same request, same key: the caller fixes field order and defaults (and trims what it trims)
 * before hashing; the resolved chain is part of the key, so an alias changed in config misses.
 */
export function cacheKey(kind: 'gen' | 'chat', targets: { provider: string; model: string }[], request: unknown): string {
  const canonical = JSON.stringify([targets.map((t) => `${t.provider}:${t.model}`), request]);
  return `pitchey:ai:${kind}:${createHash('sha256').update(canonical).digest('hex')}`;
}

export function createMemoryCache(ttlMs: number, maxEntries = 1_000): ResponseCache {
  const entries = new Map<string, { value: unknown; expires: number }>();
  return {
    kind: 'memory',
    get(key) {
      const hit = entries.get(key);
      if (hit === undefined) return Promise.resolve(undefined);
      entries.delete(key);
      if (hit.expires <= Date.now()) return Promise.resolve(undefined);
      entries.set(key, hit);
      return Promise.resolve(hit.value);
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expires: Date.now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return Promise.resolve();
    },
    close() {
      entries.clear();
      return Promise.resolve();
    },
  };
}

export function createRedisCache(url: string, ttlMs: number, onError: (err: unknown) => void): ResponseCache {
  // The client is imported only when a Redis cache is configured: loading it costs ~250 ms at every start.
  const created = loadRedis().then(({ createClient }) => {
    const c = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: (retries) => Math.min(retries * 200, 5_000) } });
    c.on('error', onError);
    return c;
  });
  let client: Awaited<typeof created> | null = null;
  const ready = created
    .then((c) => {
      client = c;
      return c.connect();
    })
    .then(
      () => true,
      (err: unknown) => {
        onError(err);
        return false;
      },
    );
  // While Redis is away the client keeps reconnecting in the background; requests do not wait for it.
  const usable = async (): Promise<boolean> => client?.isReady === true || Promise.race([ready, sleep(250, false, { ref: false })]);
  return {
    kind: 'redis',
    async get(key) {
      if (!(await usable()) || client === null) return undefined;
      try {
        const raw = await client.get(key);
        return raw === null ? undefined : (JSON.parse(raw) as unknown);
      } catch (err) {
        onError(err);
        return undefined;
      }
    },
    async set(key, value) {
      if (!(await usable()) || client === null) return;
      try {
        await client.set(key, JSON.stringify(value), { PX: ttlMs });
      } catch (err) {
        onError(err);
      }
    },
    async close() {
      const c = await created.catch(() => null);
      if (c !== null) await closeRedisClient(c);
    },
  };
}
