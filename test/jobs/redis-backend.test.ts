// The Redis job store: the shared contract against a real redis-server this file starts (each test
// in a namespace of its own), plus what only a networked store shows: a reopen on a Redis that
// was killed and restarted keeps every accepted job, and an unreachable Redis is reported as such.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisJobBackend, JobStoreUnavailableError } from '../../src/jobs/index.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { runJobBackendContract } from './backend-contract.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

runJobBackendContract('redis', async () => {
  const namespace = randomUUID();
  const open = () => createRedisJobBackend({ url: redis.url, namespace });
  return { backend: open(), reopen: async () => open() };
});

describe('Redis job store', () => {
  it('keeps namespaces apart', async () => {
    const a = createRedisJobBackend({ url: redis.url, namespace: randomUUID() });
    const b = createRedisJobBackend({ url: redis.url, namespace: randomUUID() });
    try {
      await a.enqueue('t', 1, { id: 'same' }, 1);
      expect(await b.get('same')).toBeNull();
      expect(await b.claim(['t'], 'w', 1_000, 2)).toBeNull();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('tells watchers in other processes when a job is enqueued or requeued, until they unsubscribe', async () => {
    const namespace = randomUUID();
    const producer = createRedisJobBackend({ url: redis.url, namespace });
    const runnerSide = createRedisJobBackend({ url: redis.url, namespace });
    let notices = 0;
    let noticed = (): void => undefined;
    const unwatch = runnerSide.watch(() => {
      notices += 1;
      noticed();
    });
    const next = () => new Promise<void>((done) => (noticed = done));
    try {
      // The subscription is made in the background: enqueue until the first notice comes.
      const first = next();
      const feeding = setInterval(() => void producer.enqueue('t', null, {}, 1), 20);
      await first;
      clearInterval(feeding);
      const job = await producer.enqueue('u', null, { maxAttempts: 2 }, 2);
      await producer.claim(['u'], 'w', 1_000, 3);
      const requeued = next();
      expect(await producer.fail(job.id, { code: 'E', message: 'e' }, { retryAt: 4, ttlMs: 1_000 }, 3)).toMatchObject({ state: 'queued' });
      await requeued;
      unwatch();
      const before = notices;
      await producer.enqueue('t', null, {}, 5);
      await producer.counts(); // a round trip after the publish
      expect(notices).toBe(before);
    } finally {
      await Promise.all([producer.close(), runnerSide.close()]);
    }
  });

  it('rejects with JobStoreUnavailableError when Redis stops answering, rather than hanging', async () => {
    const backend = createRedisJobBackend({ url: redis.url, namespace: randomUUID(), commandTimeoutMs: 300 });
    try {
      await backend.counts();
      redis.freeze(true);
      await expect(backend.get('x')).rejects.toBeInstanceOf(JobStoreUnavailableError);
    } finally {
      redis.freeze(false);
      await backend.close();
    }
  });

  it('names each Redis setting that can lose accepted jobs, and none on a durable one', async () => {
    const loose = await startRedis({ aof: false });
    const lax = createRedisJobBackend({ url: loose.url, namespace: 'w' });
    const durable = createRedisJobBackend({ url: redis.url, namespace: 'w' });
    try {
      expect(await lax.durabilityWarnings()).toEqual([expect.stringContaining('without appendonly')]);
      expect(await durable.durabilityWarnings()).toEqual([]);
    } finally {
      await Promise.all([lax.close(), durable.close()]);
      await loose.stop();
    }
  });

  it('rejects with JobStoreUnavailableError while nothing listens', async () => {
    const dead = await startRedis();
    await dead.stop();
    const backend = createRedisJobBackend({ url: dead.url, namespace: 'x', commandTimeoutMs: 500 });
    try {
      await expect(backend.enqueue('t', 1, {}, 1)).rejects.toBeInstanceOf(JobStoreUnavailableError);
      await expect(backend.counts()).rejects.toBeInstanceOf(JobStoreUnavailableError);
    } finally {
      await backend.close();
    }
  });
});
