// Nothing accepted is lost to Redis going away: a redis-server SIGKILLed mid-run (append-only file,
// fsync always) comes back with every job it acknowledged, and they all finish; while it is down,
// a service answers its job routes 503 JOB_STORE_UNAVAILABLE and /ready fails, never a 500 or a hang.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createJobRunner, createRedisJobBackend, JobStoreUnavailableError, type JobBackend, type JobRecord } from '../../src/jobs/index.js';
import { TEST_KEY, cleanupsAfterEach, makeTempDir, testConfig, until } from '../helpers.js';
import { startTestService } from '../kit/test-service.js';
import { startRedisFor } from '../support/redis.js';

const cleanups = cleanupsAfterEach();

/** Enqueues `n` jobs; the ids of those the store acknowledged (during an outage, none are). */
async function submit(backend: JobBackend, n: number): Promise<string[]> {
  const accepted: string[] = [];
  for (let i = 0; i < n; i += 1) {
    try {
      accepted.push((await backend.enqueue('work', { i }, { maxAttempts: 5 }, Date.now())).id);
    } catch (error) {
      if (!(error instanceof JobStoreUnavailableError)) throw error;
    }
  }
  return accepted;
}

describe('Redis restarted mid-run', () => {
  it('keeps every acknowledged job, and all of them complete', async () => {
    const redis = await startRedisFor(cleanups);
    const namespace = randomUUID();
    const producer = createRedisJobBackend({ url: redis.url, namespace, commandTimeoutMs: 500 });
    const workerStore = createRedisJobBackend({ url: redis.url, namespace, commandTimeoutMs: 500 });
    cleanups.push(
      () => producer.close(),
      () => workerStore.close(),
    );
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    let completed = 0;
    const runner = createJobRunner({
      backend: workerStore,
      workRoot: tmp.dir,
      concurrency: 4,
      pollMs: 20,
      leaseMs: 1_000,
      retryBackoffMs: 50,
      handlers: { work: async () => sleep(30, { result: 'ok' }) },
      onSettled: (job) => {
        if (job.state === 'completed') completed += 1;
      },
      onError: () => undefined, // the outage, at every poll
    });
    await runner.start();
    cleanups.push(() => runner.stop());

    const before = await submit(producer, 40);
    expect(before).toHaveLength(40);
    await until('some jobs to complete', async () => (completed >= 5 ? true : undefined), 10_000);
    await redis.kill();
    const during = await submit(producer, 5);
    await redis.start();
    await until(
      'the client to reconnect',
      () =>
        producer.counts().then(
          () => true,
          () => undefined,
        ),
      5_000,
    );
    const after = await submit(producer, 10);
    expect(after).toHaveLength(10);

    const accepted = [...before, ...during, ...after];
    // The AOF gave back every job it acknowledged before the kill, done or not.
    for (const id of before) expect(await producer.get(id)).not.toBeNull();
    const finished = await until(
      'every accepted job to complete',
      async () => {
        const jobs = await Promise.all(accepted.map((id) => producer.get(id)));
        return jobs.every((job) => job?.state === 'completed') ? (jobs as JobRecord[]) : undefined;
      },
      20_000,
    );
    expect(finished.map((job) => job.result)).toEqual(accepted.map(() => 'ok'));
    console.info(`${accepted.length} accepted (${during.length} of 5 during the outage), all completed; ${finished.filter((j) => j.attempts > 1).length} ran twice`);
  });
});

describe('a service whose Redis is down', () => {
  it('answers job routes 503 JOB_STORE_UNAVAILABLE, fails /ready, and recovers when Redis is back', async () => {
    const redis = await startRedisFor(cleanups);
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const svc = await startTestService(testConfig(tmp.dir, { PITCHEY_JOBS: redis.url, PITCHEY_JOB_WAIT_MS: '5000', PITCHEY_RATE_LIMIT: 'false' }));
    cleanups.push(() => svc.drain());
    await svc.listen(0, '127.0.0.1');
    const headers = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };
    const echo = () => svc.app.inject({ method: 'POST', url: '/echo', headers, payload: { text: 'hi' } });

    const ok = await echo();
    expect([ok.statusCode, ok.json<{ status: string }>().status]).toEqual([200, 'completed']);
    expect((await svc.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);

    await redis.kill();
    const refused = await echo();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json()).toMatchObject({ code: 'JOB_STORE_UNAVAILABLE', status: 503 });
    const status = await svc.app.inject({ method: 'GET', url: '/status/some-job', headers });
    expect([status.statusCode, status.json<{ code: string }>().code]).toEqual([503, 'JOB_STORE_UNAVAILABLE']);
    const queue = await svc.app.inject({ method: 'GET', url: '/queue/status', headers });
    expect(queue.statusCode).toBe(503);
    const ready = await svc.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json<{ checks: Array<{ name: string; ok: boolean }> }>().checks).toContainEqual(expect.objectContaining({ name: 'job-store', ok: false }));

    await redis.start();
    await until('/ready to pass again', async () => ((await svc.app.inject({ method: 'GET', url: '/ready' })).statusCode === 200 ? true : undefined), 10_000);
    const again = await echo();
    expect([again.statusCode, again.json<{ status: string }>().status]).toEqual([200, 'completed']);
  });
});
