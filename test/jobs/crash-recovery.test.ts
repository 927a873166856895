// A job whose runner's process is SIGKILLed mid-job: another runner re-runs it within a lease (not
// at the next minute's sweep), in a clean work dir, and the dead runner's tool dies with it. The
// same on the embedded SQLite store and on Redis (a real redis-server this file starts).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner, createRedisJobBackend, createSqliteJobBackend, type JobBackend } from '../../src/jobs/index.js';
import { cleanupsAfterEach, makeTempDir, until } from '../helpers.js';
import { bundleEntry, isRunning, killIfRunning } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const cleanups = cleanupsAfterEach();

const LEASE_MS = 1_500;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** The store as the runner process is told of it (a file, or a URL and a namespace), and this process's handle on it. */
interface Store {
  args: string[];
  backend: JobBackend;
}

const STORES: Array<[string, (dir: string) => Store]> = [
  ['sqlite', (dir) => ({ args: [join(dir, 'jobs.sqlite')], backend: createSqliteJobBackend({ path: join(dir, 'jobs.sqlite') }) })],
  [
    'redis',
    () => {
      const namespace = randomUUID();
      return { args: [redis.url, namespace], backend: createRedisJobBackend({ url: redis.url, namespace }) };
    },
  ],
];

describe.each(STORES)('a job whose runner is killed (%s)', (name, openStore) => {
  it("is re-run by another runner in a clean work dir, and the killed runner's tool dies with it", async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const workRoot = join(tmp.dir, 'work');
    const { args, backend } = openStore(tmp.dir);
    cleanups.push(() => backend.close());
    const job = await backend.enqueue('encode', {}, { id: `crash-${name}`, maxAttempts: 2 }, Date.now());

    const entry = await bundleEntry(new URL('../support/job-runner-process.ts', import.meta.url), tmp.dir);
    const doomed = spawn(process.execPath, [entry, args[0]!, workRoot, String(LEASE_MS), ...args.slice(1)], { stdio: 'inherit' });
    cleanups.push(() => killIfRunning(doomed.pid));
    const toolPid = await until('the tool to start', () => readFile(join(workRoot, job.id, 'tool.pid'), 'utf8').then(Number, () => undefined), 15_000);
    cleanups.push(() => killIfRunning(toolPid));
    expect(await backend.get(job.id)).toMatchObject({ state: 'running', attempts: 1 });

    let listing: string[] = [];
    const survivor = createJobRunner({
      backend,
      workRoot,
      concurrency: 1,
      pollMs: 20,
      leaseMs: LEASE_MS,
      handlers: {
        encode: async ({ workDir }) => {
          listing = await readdir(workDir);
          return { result: 're-run' };
        },
      },
    });
    await survivor.start();
    cleanups.push(() => survivor.stop());

    doomed.kill('SIGKILL');
    const killedAt = Date.now();
    await until('the tool to die', () => (isRunning(toolPid) ? undefined : true), 3_000);
    const toolGoneMs = Date.now() - killedAt;
    const done = await survivor.waitFor(job.id, 15_000);
    const rerunMs = Date.now() - killedAt;
    expect(done).toMatchObject({ state: 'completed', attempts: 2, result: 're-run' });
    expect(listing).toEqual([]); // the dead attempt's partial output and pid file are gone
    console.info(`${name}, lease ${LEASE_MS} ms: tool gone ${toolGoneMs} ms and job re-run ${rerunMs} ms after the SIGKILL`);
  });

  it('fails with JOB_INTERRUPTED once out of attempts, its work dir removed and its settlement reported', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const { backend } = openStore(tmp.dir);
    cleanups.push(() => backend.close());
    const workRoot = join(tmp.dir, 'work');
    const settled: string[] = [];
    const runner = createJobRunner({ backend, workRoot, concurrency: 1, pollMs: 20, leaseMs: 300, handlers: {}, onSettled: (j) => settled.push(`${j.id} ${j.state}`) });
    const { id } = await backend.enqueue('encode', {}, { id: `last-try-${name}` }, Date.now());
    // A runner in another process claimed it, wrote part of its output and died.
    await backend.claim(['encode'], 'dead-runner', 300, Date.now());
    await runner.start();
    cleanups.push(() => runner.stop());
    await mkdir(join(workRoot, id), { recursive: true });
    await writeFile(join(workRoot, id, 'partial.out'), 'x');
    expect(await runner.waitFor(id, 5_000)).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'JOB_INTERRUPTED' } });
    await until('the work dir to go', async () => (await readdir(workRoot)).length === 0 || undefined, 2_000);
    expect(settled).toEqual([`last-try-${name} failed`]);
  });
});
