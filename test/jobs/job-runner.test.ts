// The job runner against a real SQLite store and real (small) timers: the lifecycle a service
// relies on, from progress and limits to cancel, expiry, crash recovery and shutdown.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createJobRunner, createSqliteJobBackend, JOB_INPUTS_DIR, JobError, type JobBackend, type JobHandler, type JobRecord, type JobRunner, type JobRunnerOptions } from '../../src/jobs/index.js';

interface Harness {
  backend: JobBackend;
  runner: JobRunner;
  root: string;
  workRoot: string;
  settled: JobRecord[];
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(handlers: Record<string, JobHandler>, opts: Partial<JobRunnerOptions> = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'jobs-runner-'));
  const workRoot = join(root, 'work');
  const backend = createSqliteJobBackend({ path: join(root, 'jobs.db') });
  const settled: JobRecord[] = [];
  const runner = createJobRunner({
    backend,
    handlers,
    workRoot,
    concurrency: 2,
    pollMs: 10,
    onSettled: (job) => settled.push(job),
    ...opts,
  });
  cleanups.push(async () => {
    await runner.stop({ drainMs: 0 });
    await backend.close();
    await rm(root, { recursive: true, force: true });
  });
  return { backend, runner, root, workRoot, settled };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function until(check: () => Promise<boolean> | boolean, maxMs = 3000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const timeoutsAlive = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('job runner', () => {
  it('starts a job enqueued in this process at once when poked, without waiting for the poll', async () => {
    const h = await harness({ quick: async () => ({ result: { ok: true } }) }, { pollMs: 600_000 });
    await h.runner.start();
    await sleep(50); // the start-up poll has found nothing; the next one is ten minutes away
    const job = await h.backend.enqueue('quick', {}, {}, Date.now());
    h.runner.poke();
    expect((await h.runner.waitFor(job.id, 5_000))?.state).toBe('completed');
  });

  it('completes a job, reporting clamped monotonic progress and an ETA', async () => {
    const h = await harness({
      t: async ({ progress, workDir }) => {
        await sleep(100);
        progress(50, 'half');
        progress(20); // going back is ignored
        await sleep(350);
        progress(150, 'done');
        await writeFile(join(workDir, 'out.txt'), 'x');
        return { result: { ok: true }, files: ['out.txt'] };
      },
    });
    const { id } = await h.backend.enqueue('t', { n: 1 }, { stallMs: 1000 }, Date.now());
    await h.runner.start();
    await until(async () => (await h.backend.get(id))?.progress === 50);
    const midway = await h.backend.get(id);
    expect(midway).toMatchObject({ state: 'running', message: 'half', attempts: 1 });
    expect(midway?.etaSeconds).toBeGreaterThan(0);
    expect(midway?.etaSeconds).toBeLessThan(5);

    const done = await h.runner.waitFor(id, 5000);
    const out = join(h.workRoot, id, 'out.txt');
    expect(done).toMatchObject({ state: 'completed', progress: 100, result: { ok: true }, files: [out], error: null });
    expect(existsSync(out)).toBe(true);
    expect(h.settled.map((job) => [job.id, job.state])).toEqual([[id, 'completed']]);
  });

  it('fails a job that runs past its timeout with JOB_TIMEOUT and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const h = await harness({
      t: async ({ signal }) => {
        seen = signal;
        await untilAborted(signal);
        throw signal.reason;
      },
    });
    const { id } = await h.backend.enqueue('t', null, { timeoutMs: 100, maxAttempts: 3 }, Date.now());
    await h.runner.start();
    const job = await h.runner.waitFor(id, 5000);
    expect(job).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'JOB_TIMEOUT' } });
    expect(seen?.aborted).toBe(true);
    expect(existsSync(join(h.workRoot, id))).toBe(false);
  });

  it('fails a job that stops reporting progress with JOB_STALLED', async () => {
    let lastProgressAt = 0;
    const h = await harness(
      {
        t: async ({ signal, progress }) => {
          for (const percent of [10, 20, 30]) {
            progress(percent);
            lastProgressAt = Date.now();
            await sleep(50);
          }
          await untilAborted(signal);
          return { result: 'too late' };
        },
      },
      { defaultStallMs: 120 },
    );
    const { id } = await h.backend.enqueue('t', null, {}, Date.now());
    await h.runner.start();
    const job = await h.runner.waitFor(id, 5000);
    expect(job).toMatchObject({ state: 'failed', error: { code: 'JOB_STALLED' } });
    // Regular progress kept it alive; only the silence after the last call tripped the watchdog.
    expect((job?.finishedAt ?? 0) - lastProgressAt).toBeGreaterThanOrEqual(100);
  });

  it('retries failures with exponential backoff until one succeeds', async () => {
    const startedAt: number[] = [];
    const h = await harness(
      {
        t: async () => {
          startedAt.push(Date.now());
          if (startedAt.length === 1) throw new Error('flaky disk');
          if (startedAt.length === 2) throw new JobError('UPSTREAM_UNAVAILABLE', 'try later', { retryable: true });
          return { result: 'third time' };
        },
      },
      { retryBackoffMs: 30 },
    );
    const { id } = await h.backend.enqueue('t', null, { maxAttempts: 3 }, Date.now());
    await h.runner.start();
    const job = await h.runner.waitFor(id, 5000);
    expect(job).toMatchObject({ state: 'completed', attempts: 3, result: 'third time' });
    const [first = 0, second = 0, third = 0] = startedAt;
    expect(second - first).toBeGreaterThanOrEqual(30);
    expect(third - second).toBeGreaterThanOrEqual(60);
  });

  it('fails at once on a non-retryable JobError, keeping its code', async () => {
    let calls = 0;
    const h = await harness({
      t: async () => {
        calls += 1;
        throw new JobError('UNPROCESSABLE', 'not a video');
      },
    });
    const { id } = await h.backend.enqueue('t', null, { maxAttempts: 3 }, Date.now());
    await h.runner.start();
    const job = await h.runner.waitFor(id, 5000);
    expect(job).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'UNPROCESSABLE', message: 'not a video' } });
    expect(calls).toBe(1);
    expect(h.settled.map((settled) => settled.state)).toEqual(['failed']);
  });

  it('cancels a running job: signal aborted, state cancelled, workDir removed', async () => {
    let seen: AbortSignal | undefined;
    const h = await harness({
      t: async ({ signal, workDir }) => {
        seen = signal;
        await writeFile(join(workDir, 'partial.bin'), 'x');
        await untilAborted(signal);
        return { result: 'ignored' };
      },
    });
    const { id } = await h.backend.enqueue('t', null, {}, Date.now());
    await h.runner.start();
    await until(() => seen !== undefined);
    expect(await h.runner.cancel(id)).toMatchObject({ state: 'running', cancelRequested: true });
    const job = await h.runner.waitFor(id, 5000);
    expect(job).toMatchObject({ state: 'cancelled', result: null });
    expect(seen?.aborted).toBe(true);
    expect(existsSync(join(h.workRoot, id))).toBe(false);
    expect(h.settled.map((settled) => settled.state)).toEqual(['cancelled']);
  });

  it('notices a cancel requested by another process on its heartbeat', async () => {
    let seen: AbortSignal | undefined;
    const h = await harness(
      {
        t: async ({ signal }) => {
          seen = signal;
          await untilAborted(signal);
          throw new Error('aborted');
        },
      },
      { leaseMs: 90 },
    );
    const { id } = await h.backend.enqueue('t', null, {}, Date.now());
    await h.runner.start();
    await until(() => seen !== undefined);
    await h.backend.requestCancel(id, Date.now());
    expect(await h.runner.waitFor(id, 2000)).toMatchObject({ state: 'cancelled' });
    expect(seen?.aborted).toBe(true);
  });

  it('cancels a queued job without running it', async () => {
    const h = await harness({ t: async () => ({ result: 'never' }) });
    const { id } = await h.backend.enqueue('t', null, {}, Date.now());
    expect(await h.runner.cancel(id)).toMatchObject({ state: 'cancelled' });
    expect(h.settled.map((settled) => [settled.id, settled.state])).toEqual([[id, 'cancelled']]);
    expect(await h.runner.cancel('unknown')).toBeNull();
  });

  it('waitFor resolves as soon as the job finishes, or with the current record at maxWaitMs', async () => {
    const h = await harness({
      quick: async () => {
        await sleep(60);
        return { result: 1 };
      },
      slow: async ({ signal }) => {
        await untilAborted(signal);
        return { result: 2 };
      },
    });
    const quick = await h.backend.enqueue('quick', null, {}, Date.now());
    const slow = await h.backend.enqueue('slow', null, {}, Date.now());
    await h.runner.start();
    let startedAt = Date.now();
    expect(await h.runner.waitFor(quick.id, 10_000)).toMatchObject({ state: 'completed' });
    expect(Date.now() - startedAt).toBeLessThan(2000);
    startedAt = Date.now();
    expect(await h.runner.waitFor(slow.id, 80)).toMatchObject({ state: 'running' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(70);
    expect(await h.runner.waitFor('unknown', 1000)).toBeNull();
  });

  it('sweeps expired jobs with their workDir and files', async () => {
    const h = await harness(
      {
        t: async ({ workDir }) => {
          await writeFile(join(workDir, 'out.txt'), 'x');
          await writeFile(join(h.root, 'outside.bin'), 'y');
          return { result: null, files: ['out.txt', join(h.root, 'outside.bin')] };
        },
      },
      { ttlMs: 150, sweepMs: 30 },
    );
    const input = join(h.root, 'input.bin');
    await writeFile(input, 'z');
    const { id } = await h.backend.enqueue('t', null, { files: [input] }, Date.now());
    await h.runner.start();
    expect(await h.runner.waitFor(id, 5000)).toMatchObject({ state: 'completed' });
    const owned = [input, join(h.workRoot, id, 'out.txt'), join(h.root, 'outside.bin')];
    expect(owned.map((file) => existsSync(file))).toEqual([true, true, true]);
    // The record goes first, then the files: wait for the last of them.
    await until(() => [...owned, join(h.workRoot, id)].every((file) => !existsSync(file)));
    expect(await h.backend.get(id)).toBeNull();
  });

  it('sweeps work dirs whose job another host removed, once older than a sweep', async () => {
    const h = await harness({}, { sweepMs: 60_000 });
    const ghost = join(h.workRoot, 'ghost');
    const fresh = join(h.workRoot, 'fresh');
    const { id } = await h.backend.enqueue('t', null, {}, Date.now());
    for (const dir of [ghost, fresh, join(h.workRoot, id)]) await mkdir(dir, { recursive: true });
    const old = new Date(Date.now() - 120_000);
    for (const dir of [ghost, join(h.workRoot, id)]) await utimes(dir, old, old);
    await h.runner.start();
    expect([ghost, fresh, join(h.workRoot, id)].map((dir) => existsSync(dir))).toEqual([false, true, true]);
  });

  it('reruns a job left running by a dead process, in a clean workDir', async () => {
    let listing: string[] | undefined;
    const h = await harness({
      t: async ({ workDir }) => {
        listing = await readdir(workDir);
        return { result: 'recovered' };
      },
    });
    const { id } = await h.backend.enqueue('t', null, { maxAttempts: 2 }, Date.now() - 2000);
    // The "dead" worker took a short lease that has long run out, and left a partial file.
    expect(await h.backend.claim(['t'], 'dead-worker', 50, Date.now() - 1000)).toMatchObject({ id, state: 'running' });
    await mkdir(join(h.workRoot, id), { recursive: true });
    await writeFile(join(h.workRoot, id, 'stale.part'), 'x');
    await h.runner.start();
    expect(await h.runner.waitFor(id, 5000)).toMatchObject({ state: 'completed', attempts: 2, result: 'recovered' });
    expect(listing).toEqual([]);
  });

  it('keeps the uploaded inputs across attempts (all else cleared) and removes them with a failed job', async () => {
    const listings: string[][] = [];
    const h = await harness(
      {
        t: async ({ workDir }) => {
          listings.push((await readdir(workDir)).sort());
          await writeFile(join(workDir, 'partial.out'), 'x');
          throw new Error('flaky encoder');
        },
      },
      { retryBackoffMs: 10 },
    );
    const { id } = await h.backend.enqueue('t', null, { maxAttempts: 2 }, Date.now());
    await mkdir(join(h.workRoot, id, JOB_INPUTS_DIR), { recursive: true });
    await writeFile(join(h.workRoot, id, JOB_INPUTS_DIR, 'input-0.mp4'), 'media');
    await h.runner.start();
    expect(await h.runner.waitFor(id, 5000)).toMatchObject({ state: 'failed', attempts: 2 });
    expect(listings).toEqual([[JOB_INPUTS_DIR], [JOB_INPUTS_DIR]]);
    expect(existsSync(join(h.workRoot, id))).toBe(false);
  });

  it('stop() drains finishing jobs, requeues the rest and leaves no timers', async () => {
    const baseline = timeoutsAlive();
    let slowSignal: AbortSignal | undefined;
    const h = await harness(
      {
        quick: async () => {
          await sleep(80);
          return { result: 'drained' };
        },
        slow: async ({ signal }) => {
          slowSignal = signal;
          await untilAborted(signal);
          return { result: 'never stored' };
        },
      },
      { leaseMs: 60 },
    );
    const quick = await h.backend.enqueue('quick', null, {}, Date.now());
    const slow = await h.backend.enqueue('slow', null, {}, Date.now());
    await h.runner.start();
    await until(() => h.runner.active() === 2);
    const stoppingAt = Date.now();
    await h.runner.stop({ drainMs: 300 });
    expect(Date.now() - stoppingAt).toBeGreaterThanOrEqual(250);
    expect(Date.now() - stoppingAt).toBeLessThan(2000);
    expect(h.runner.active()).toBe(0);
    expect(await h.backend.get(quick.id)).toMatchObject({ state: 'completed', result: 'drained' });
    expect(await h.backend.get(slow.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(slowSignal?.aborted).toBe(true);
    expect((slowSignal?.reason as JobError).code).toBe('JOB_RELEASED');
    // At most: the test framework may have had a timer of its own pending at the baseline.
    expect(timeoutsAlive()).toBeLessThanOrEqual(baseline);
  });

  it("runs a release's jobs on that release's runner while it runs, and on another once it has stopped", async () => {
    const ranBy = new Map<string, string>();
    const handler =
      (who: string): JobHandler =>
      async ({ job }) => {
        ranBy.set(job.id, who);
        await sleep(5);
        return { result: who };
      };
    const stable = await harness({ t: handler('stable') }, { version: 'v1', concurrency: 1 });
    const canaryStore = createSqliteJobBackend({ path: join(stable.root, 'jobs.db') });
    const canary = createJobRunner({ backend: canaryStore, handlers: { t: handler('canary') }, workRoot: stable.workRoot, concurrency: 1, pollMs: 10, version: 'v2' });
    cleanups.push(async () => {
      await canary.stop();
      await canaryStore.close();
    });
    await Promise.all([stable.runner.start(), canary.start()]);
    const jobs = [];
    for (let i = 0; i < 12; i++) jobs.push(await stable.backend.enqueue('t', i, { version: i % 3 === 0 ? 'v2' : 'v1' }, Date.now()));
    await until(() => ranBy.size === 12, 10_000);
    for (const job of jobs) expect(ranBy.get(job.id), job.version ?? '').toBe(job.version === 'v2' ? 'canary' : 'stable');
    // The canary is rolled back: the jobs it accepted and never started are run by stable.
    await canary.stop();
    const left = await stable.backend.enqueue('t', 'after', { version: 'v2' }, Date.now());
    await until(async () => (await stable.backend.get(left.id))?.state === 'completed', 5_000);
    expect(ranBy.get(left.id)).toBe('stable');
  });
});
