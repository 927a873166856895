// Behaviour every JobBackend must show, whatever stores it. A backend's test file calls
// runJobBackendContract with a factory; time is always passed in, so nothing here sleeps.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobBackend } from '../../src/jobs/index.js';

export interface ContractFixture {
  backend: JobBackend;
  /** Opens the same store again (after the first is closed) to prove durability. */
  reopen?: () => Promise<JobBackend>;
}

const T0 = 1_700_000_000_000;
const LEASE = 1_000;
const TTL = 60_000;

export function runJobBackendContract(name: string, make: () => Promise<ContractFixture>): void {
  describe(`JobBackend contract: ${name}`, () => {
    let fixture: ContractFixture;
    let backend: JobBackend;

    beforeEach(async () => {
      fixture = await make();
      backend = fixture.backend;
    });
    afterEach(async () => {
      await backend.close();
    });

    /** Enqueues one job and claims it as worker w1. */
    async function running(opts: { maxAttempts?: number; files?: string[] } = {}, now = T0) {
      const job = await backend.enqueue('t', { n: 1 }, opts, now);
      const claimed = await backend.claim(['t'], 'w1', LEASE, now);
      expect(claimed?.id).toBe(job.id);
      return job.id;
    }

    it('enqueues with defaults and gets the record back', async () => {
      const job = await backend.enqueue('transcode', { src: 'a.mp4', sizes: [1, 2] }, {}, T0);
      expect(job).toMatchObject({
        type: 'transcode',
        state: 'queued',
        payload: { src: 'a.mp4', sizes: [1, 2] },
        progress: 0,
        etaSeconds: null,
        message: null,
        result: null,
        error: null,
        attempts: 0,
        maxAttempts: 1,
        timeoutMs: null,
        stallMs: null,
        cancelRequested: false,
        createdAt: T0,
        startedAt: null,
        updatedAt: T0,
        finishedAt: null,
        expiresAt: null,
        runAt: T0,
        files: [],
        version: null,
        owner: null,
      });
      expect(job.id).toMatch(/\S/);
      expect(await backend.get(job.id)).toEqual(job);
      expect(await backend.get('no-such-job')).toBeNull();
    });

    it('honours enqueue options and is idempotent per id', async () => {
      const opts = { id: 'job-1', maxAttempts: 3, timeoutMs: 500, stallMs: 200, files: ['/tmp/in.bin'], owner: 'key:abc' };
      const job = await backend.enqueue('ocr', 'p', opts, T0);
      expect(job).toMatchObject({ id: 'job-1', maxAttempts: 3, timeoutMs: 500, stallMs: 200, files: ['/tmp/in.bin'], owner: 'key:abc' });
      const again = await backend.enqueue('ocr', 'other', { id: 'job-1' }, T0 + 5);
      expect(again).toEqual(job);
      expect((await backend.counts()).queued).toBe(1);
    });

    it('claims the oldest claimable job of the requested types', async () => {
      const a = await backend.enqueue('x', 1, {}, T0 + 1);
      const b = await backend.enqueue('x', 2, {}, T0 + 2);
      const c = await backend.enqueue('y', 3, {}, T0);
      expect(await backend.claim([], 'w', LEASE, T0 + 10)).toBeNull();
      const first = await backend.claim(['x'], 'w', LEASE, T0 + 10);
      expect(first).toMatchObject({ id: a.id, state: 'running', attempts: 1, startedAt: T0 + 10 });
      expect((await backend.claim(['x'], 'w', LEASE, T0 + 10))?.id).toBe(b.id);
      expect(await backend.claim(['x'], 'w', LEASE, T0 + 10)).toBeNull();
      expect((await backend.claim(['x', 'y'], 'w', LEASE, T0 + 10))?.id).toBe(c.id);
    });

    it('leaves a job to its release while a worker of that release is announced, then to anyone', async () => {
      const canaryJob = await backend.enqueue('t', 'c', { version: 'v2' }, T0);
      const stableJob = await backend.enqueue('t', 's', { version: 'v1' }, T0 + 1);
      const anyone = await backend.enqueue('t', 'a', {}, T0 + 2);
      expect(canaryJob.version).toBe('v2');
      expect(anyone.version).toBeNull();
      await backend.announce('stable-1', 'v1', T0 + 5_000);
      await backend.announce('canary-1', 'v2', T0 + 5_000);
      // Stable skips the canary's older job; the canary takes its own, then the unversioned one.
      expect((await backend.claim(['t'], 'stable-1', LEASE, T0 + 10, 'v1'))?.id).toBe(stableJob.id);
      expect(await backend.claim(['t'], 'stable-2', LEASE, T0 + 10, 'v1')).toMatchObject({ id: anyone.id });
      expect(await backend.claim(['t'], 'stable-1', LEASE, T0 + 10, 'v1')).toBeNull();
      expect((await backend.claim(['t'], 'canary-1', LEASE, T0 + 10, 'v2'))?.id).toBe(canaryJob.id);
    });

    it("hands a release's jobs to others once its workers retired or stopped announcing", async () => {
      const first = await backend.enqueue('t', 1, { version: 'v2' }, T0);
      const second = await backend.enqueue('t', 2, { version: 'v2' }, T0 + 1);
      await backend.announce('canary-1', 'v2', T0 + 5_000);
      await backend.announce('canary-2', 'v2', T0 + 1_000);
      expect(await backend.claim(['t'], 'stable-1', LEASE, T0 + 10, 'v1')).toBeNull();
      await backend.retire('canary-1');
      expect(await backend.claim(['t'], 'stable-1', LEASE, T0 + 10, 'v1')).toBeNull(); // canary-2 is still alive
      expect((await backend.claim(['t'], 'stable-1', LEASE, T0 + 1_000, 'v1'))?.id).toBe(first.id); // and now it is not
      await backend.announce('canary-3', 'v2', T0 + 9_000);
      expect(await backend.claim(['t'], 'stable-1', LEASE, T0 + 1_000, 'v1')).toBeNull();
      await backend.retire('canary-3');
      expect((await backend.claim(['t'], 'worker-without-release', LEASE, T0 + 1_000))?.id).toBe(second.id);
    });

    it('breaks createdAt ties in insertion order', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await backend.enqueue('t', i, {}, T0)).id);
      const claimed: string[] = [];
      for (let i = 0; i < 5; i += 1) claimed.push((await backend.claim(['t'], 'w', LEASE, T0))?.id ?? '');
      expect(claimed).toEqual(ids);
    });

    it('never hands the same job to two claims', async () => {
      for (let i = 0; i < 20; i += 1) await backend.enqueue('t', i, {}, T0 + i);
      const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => backend.claim(['t'], `w${i % 3}`, LEASE, T0 + 100)));
      const ids = claims.flatMap((job) => (job === null ? [] : [job.id]));
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
      expect((await backend.counts()).running).toBe(20);
    });

    it('records progress, extends the lease and reports no cancel', async () => {
      const id = await running();
      const stop = await backend.progress(id, { progress: 40, etaSeconds: 12.5, message: 'pass 1' }, LEASE, T0 + 800);
      expect(stop).toBe(false);
      expect(await backend.get(id)).toMatchObject({ progress: 40, etaSeconds: 12.5, message: 'pass 1', updatedAt: T0 + 800 });
      // The lease now runs to T0 + 1800, not T0 + 1000.
      expect(await backend.recoverExpiredLeases(T0 + 1500)).toEqual([]);
      expect((await backend.recoverExpiredLeases(T0 + 1800)).map((job) => [job.id, job.state])).toEqual([[id, 'failed']]);
    });

    it('tells a worker to stop when its job is no longer running', async () => {
      const id = await running();
      await backend.complete(id, null, { ttlMs: TTL }, T0 + 1);
      expect(await backend.progress(id, { progress: 50, etaSeconds: null, message: null }, LEASE, T0 + 2)).toBe(true);
      expect(await backend.progress('gone', { progress: 50, etaSeconds: null, message: null }, LEASE, T0 + 2)).toBe(true);
    });

    it('completes with a result, merged files and an expiry', async () => {
      const id = await running({ files: ['/data/in.mp4'] });
      const done = await backend.complete(id, { url: 'x' }, { ttlMs: TTL, files: ['/data/out.mp4'] }, T0 + 500);
      expect(done).toMatchObject({
        state: 'completed',
        result: { url: 'x' },
        progress: 100,
        finishedAt: T0 + 500,
        expiresAt: T0 + 500 + TTL,
        files: ['/data/in.mp4', '/data/out.mp4'],
      });
      expect(await backend.get(id)).toEqual(done);
      expect(await backend.complete(id, 'again', { ttlMs: TTL }, T0 + 600)).toBeNull();
      const queued = await backend.enqueue('t', null, {}, T0);
      expect(await backend.complete(queued.id, 1, { ttlMs: TTL }, T0)).toBeNull();
    });

    it('requeues a failure at retryAt while attempts remain, then fails it for good', async () => {
      const id = await running({ maxAttempts: 2 });
      const retried = await backend.fail(id, { code: 'E1', message: 'first' }, { retryAt: T0 + 500, ttlMs: TTL }, T0 + 100);
      expect(retried).toMatchObject({ state: 'queued', runAt: T0 + 500, attempts: 1, error: { code: 'E1', message: 'first' } });
      expect(retried?.finishedAt).toBeNull();
      expect(await backend.claim(['t'], 'w1', LEASE, T0 + 499)).toBeNull();
      expect(await backend.claim(['t'], 'w1', LEASE, T0 + 500)).toMatchObject({ id, attempts: 2, state: 'running' });
      const failed = await backend.fail(id, { code: 'E2', message: 'second' }, { retryAt: T0 + 900, ttlMs: TTL }, T0 + 600);
      expect(failed).toMatchObject({ state: 'failed', attempts: 2, error: { code: 'E2' }, finishedAt: T0 + 600, expiresAt: T0 + 600 + TTL });
    });

    it('fails at once without retryAt even when attempts remain', async () => {
      const id = await running({ maxAttempts: 5 });
      const failed = await backend.fail(id, { code: 'BAD', message: 'no' }, { retryAt: null, ttlMs: TTL }, T0 + 1);
      expect(failed).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'BAD', message: 'no' } });
    });

    it('cancels a queued job at once', async () => {
      const job = await backend.enqueue('t', null, {}, T0);
      const cancelled = await backend.requestCancel(job.id, T0 + 5, TTL);
      expect(cancelled).toMatchObject({ state: 'cancelled', finishedAt: T0 + 5, expiresAt: T0 + 5 + TTL });
      expect(await backend.claim(['t'], 'w', LEASE, T0 + 10)).toBeNull();
      expect(await backend.requestCancel('unknown', T0)).toBeNull();
    });

    it('flags a running job for its worker, which then marks it cancelled', async () => {
      const id = await running();
      expect(await backend.requestCancel(id, T0 + 5)).toMatchObject({ state: 'running', cancelRequested: true });
      expect(await backend.progress(id, { progress: 10, etaSeconds: null, message: null }, LEASE, T0 + 6)).toBe(true);
      const cancelled = await backend.markCancelled(id, TTL, T0 + 7);
      expect(cancelled).toMatchObject({ state: 'cancelled', finishedAt: T0 + 7, expiresAt: T0 + 7 + TTL });
      expect(await backend.requestCancel(id, T0 + 8)).toEqual(cancelled);
      expect(await backend.markCancelled(id, TTL, T0 + 9)).toBeNull();
    });

    it('releases a running job back to the queue with its attempt refunded', async () => {
      const id = await running();
      expect(await backend.release(id, TTL, T0 + 10)).toMatchObject({ state: 'queued', attempts: 0, runAt: T0 + 10 });
      expect(await backend.claim(['t'], 'w2', LEASE, T0 + 10)).toMatchObject({ id, attempts: 1 });
      await backend.requestCancel(id, T0 + 11);
      expect(await backend.release(id, TTL, T0 + 12)).toMatchObject({ state: 'cancelled', expiresAt: T0 + 12 + TTL });
    });

    it('recovers jobs whose lease expired: requeue, fail when out of attempts, honour cancel', async () => {
      const retry = await running({ maxAttempts: 2 });
      const last = await running({ maxAttempts: 1 });
      const doomed = await running({ maxAttempts: 3 });
      await backend.requestCancel(doomed, T0 + 1);
      const fresh = await running({}, T0 + 5_000);
      expect(await backend.recoverExpiredLeases(T0 + LEASE - 1)).toEqual([]);
      const touched = await backend.recoverExpiredLeases(T0 + LEASE, TTL);
      expect(touched.map((job) => [job.id, job.state]).sort()).toEqual(
        [
          [retry, 'queued'],
          [last, 'failed'],
          [doomed, 'cancelled'],
        ].sort(),
      );
      expect(await backend.get(retry)).toMatchObject({ state: 'queued', attempts: 1, runAt: T0 + LEASE });
      expect(await backend.get(last)).toMatchObject({
        state: 'failed',
        error: { code: 'JOB_INTERRUPTED' },
        finishedAt: T0 + LEASE,
        expiresAt: T0 + LEASE + TTL,
      });
      expect(await backend.get(doomed)).toMatchObject({ state: 'cancelled' });
      expect(await backend.get(fresh)).toMatchObject({ state: 'running' });
      expect((await backend.claim(['t'], 'w2', LEASE, T0 + LEASE))?.id).toBe(retry);
    });

    it('removes only finished jobs whose expiry has come, returning them', async () => {
      const done = await running({ files: ['/data/a'] });
      await backend.complete(done, 1, { ttlMs: 100, files: ['/data/b'] }, T0);
      const failed = await running();
      await backend.fail(failed, { code: 'E', message: 'e' }, { ttlMs: 300 }, T0);
      const queued = await backend.enqueue('t', null, {}, T0);
      expect(await backend.removeExpired(T0 + 99)).toEqual([]);
      const removed = await backend.removeExpired(T0 + 100);
      expect(removed.map((job) => [job.id, job.files])).toEqual([[done, ['/data/a', '/data/b']]]);
      expect(await backend.get(done)).toBeNull();
      expect((await backend.removeExpired(T0 + 10_000_000)).map((job) => job.id)).toEqual([failed]);
      expect(await backend.get(queued.id)).not.toBeNull();
    });

    it('counts every state and lists newest first', async () => {
      expect(await backend.counts()).toEqual({ queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 });
      const a = await backend.enqueue('t', null, {}, T0);
      const b = await backend.enqueue('t', null, {}, T0 + 1);
      const c = await backend.enqueue('t', null, {}, T0 + 2);
      await backend.claim(['t'], 'w', LEASE, T0 + 3);
      await backend.requestCancel(c.id, T0 + 3);
      expect(await backend.counts()).toEqual({ queued: 1, running: 1, completed: 0, failed: 0, cancelled: 1 });
      expect((await backend.list()).map((job) => job.id)).toEqual([c.id, b.id, a.id]);
      expect((await backend.list({ state: 'queued' })).map((job) => job.id)).toEqual([b.id]);
      expect((await backend.list({ limit: 2 })).map((job) => job.id)).toEqual([c.id, b.id]);
    });

    it('keeps every accepted job across a reopen', async ({ skip }) => {
      if (fixture.reopen === undefined) skip('backend has no reopen');
      const doing = await running();
      const queued = await backend.enqueue('t', { keep: true }, { maxAttempts: 2 }, T0);
      await backend.progress(doing, { progress: 30, etaSeconds: 7, message: 'm' }, LEASE, T0 + 1);
      const before = await backend.list();
      await backend.close();
      backend = await (fixture.reopen as () => Promise<JobBackend>)();
      expect(await backend.list()).toEqual(before);
      expect(await backend.get(queued.id)).toMatchObject({ payload: { keep: true }, maxAttempts: 2 });
      expect((await backend.claim(['t'], 'w', LEASE, T0 + 2))?.id).toBe(queued.id);
    });
  });
}
