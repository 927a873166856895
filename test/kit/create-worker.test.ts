// Workers without an HTTP API sharing one Redis queue, as on two hosts (separate data dirs): a
// burst of jobs spreads over both, one is SIGKILLed mid-burst, and every job still completes, the
// dead worker's on the survivor once their lease runs out.
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createRedisJobBackend, type JobRecord } from '../../src/jobs/index.js';
import { cleanupsAfterEach, makeTempDir, until } from '../helpers.js';
import { bundleEntry, killIfRunning } from '../support/processes.js';
import { startRedisFor } from '../support/redis.js';

const cleanups = cleanupsAfterEach();

async function startWorker(entry: string, url: string, name: string): Promise<ChildProcess> {
  const tmp = makeTempDir(`pitchey-worker-${name}-`);
  cleanups.push(tmp.remove);
  const child = spawn(process.execPath, [entry, url, tmp.dir, name, '2'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  cleanups.push(() => killIfRunning(child.pid));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before it started`)));
  });
  return child;
}

describe('two workers on one Redis', () => {
  it('share a burst, and when one is killed mid-burst every job still completes', async () => {
    const redis = await startRedisFor(cleanups);
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const entry = await bundleEntry(new URL('../support/worker-process.ts', import.meta.url), tmp.dir);
    const producer = createRedisJobBackend({ url: redis.url, namespace: 'video' });
    cleanups.push(() => producer.close());
    const a = await startWorker(entry, redis.url, 'a');
    await startWorker(entry, redis.url, 'b');

    const ids: string[] = [];
    for (let i = 0; i < 24; i += 1) ids.push((await producer.enqueue('tick', { ms: 250 }, { maxAttempts: 3 }, Date.now())).id);
    const byWorker = async () => {
      const jobs = await Promise.all(ids.map((id) => producer.get(id)));
      return new Set(jobs.flatMap((job) => (job?.state === 'completed' ? [(job.result as { by: string }).by] : [])));
    };
    await until('both workers to complete a job', async () => ((await byWorker()).size === 2 ? true : undefined), 15_000);
    const runningOnA = (await producer.list({ state: 'running' })).length;
    a.kill('SIGKILL');

    // The runner's lease is 15 s: the dead worker's jobs run again within about 20 s.
    const finished = await until(
      'every job to complete',
      async () => {
        const jobs = await Promise.all(ids.map((id) => producer.get(id)));
        return jobs.every((job) => job?.state === 'completed') ? (jobs as JobRecord[]) : undefined;
      },
      40_000,
    );
    expect(finished).toHaveLength(24);
    const rerun = finished.filter((job) => job.attempts > 1);
    expect(rerun.length).toBeGreaterThan(0); // the killed worker had jobs in hand
    expect(rerun.every((job) => (job.result as { by: string }).by === 'b')).toBe(true);
    console.info(`24 jobs over 2 workers; ${runningOnA} running when one was killed, ${rerun.length} re-run on the survivor`);
  }, 60_000);
});
