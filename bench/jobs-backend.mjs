// The job stores side by side, in one process and one run: Redis (a redis-server this script
// starts, appendonly yes + appendfsync always, as the README asks) against the embedded SQLite
// file (synchronous=FULL) as the baseline. Both fsync every acknowledged write. Two figures each:
//  - throughput: a burst of empty jobs enqueued (50 in flight) and run by one runner (concurrency
//    8, poked on enqueue as the HTTP path does), first enqueue to last completion, in jobs/s;
//  - pick-up latency: one job at a time on an idle runner, enqueue → handler start, median ms:
//    enqueued beside the runner (poked, as the HTTP path does), and enqueued through another
//    handle on the store with no poke, as by an instance on another host (SQLite: the runner's
//    200 ms poll; Redis: its pub/sub notice).
// This is the store and runner only (no HTTP); BullMQ's own figures are not an anchor here, as
// this store is not BullMQ (see src/jobs/redis-backend.ts).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createJobRunner, createRedisJobBackend, createSqliteJobBackend } from '../dist/jobs/index.js';
import { median, report, setting, startRedis, stop, tempDir } from './lib.mjs';

const BURST = setting('BENCH_JOBS', 3_000, 200);
const SINGLES = setting('BENCH_SINGLE_JOBS', 150, 20);
const IN_FLIGHT = 50;

/** Runs `fn(backend, runner, starts, elsewhere)` with a started runner on a store, then tears it down. */
async function withRunner(openBackend, workRoot, fn) {
  const backend = openBackend();
  const elsewhere = openBackend();
  const starts = new Map();
  const runner = createJobRunner({
    backend,
    workRoot,
    concurrency: 8,
    handlers: {
      empty: async ({ job }) => {
        starts.get(job.id)?.(performance.now());
        return { result: null };
      },
    },
    onError: (error) => console.error(error),
  });
  await runner.start();
  try {
    return await fn(backend, runner, starts, elsewhere);
  } finally {
    await runner.stop();
    await Promise.all([backend.close(), elsewhere.close()]);
  }
}

async function throughput(backend, runner) {
  let settled = 0;
  let allDone;
  const done = new Promise((resolve) => (allDone = resolve));
  const poll = setInterval(async () => {
    const counts = await backend.counts();
    settled = counts.completed + counts.failed;
    if (settled >= BURST) allDone();
  }, 20);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < BURST) {
        next += 1;
        await backend.enqueue('empty', {}, {}, Date.now());
        runner.poke();
      }
    }),
  );
  await done;
  clearInterval(poll);
  return BURST / ((performance.now() - t0) / 1000);
}

async function pickUp(backend, runner, starts, elsewhere, remote) {
  const times = [];
  await sleep(200); // the runner's subscription, where there is one
  for (let i = 0; i < SINGLES; i++) {
    const id = `single-${remote ? 'remote' : 'local'}-${i}`;
    const started = new Promise((resolve) => starts.set(id, resolve));
    // An idle pause of random length: the runner is between polls, not woken by the last job's end.
    await sleep(50 + Math.random() * 200);
    const t0 = performance.now();
    await (remote ? elsewhere : backend).enqueue('empty', {}, { id }, Date.now());
    if (!remote) runner.poke();
    times.push((await started) - t0);
    starts.delete(id);
    await runner.waitFor(id, 5_000);
  }
  return median(times);
}

const data = tempDir('pitchey-bench-jobs-');
const redis = await startRedis(join(data.dir));
const stores = {
  sqlite: () => createSqliteJobBackend({ path: join(data.dir, 'jobs.sqlite') }),
  redis: () => createRedisJobBackend({ url: redis.url, namespace: 'bench' }),
};
const figures = {};
for (const [name, open] of Object.entries(stores)) {
  figures[name] = {
    rate: await withRunner(open, join(data.dir, `work-${name}`), throughput),
    latency: await withRunner(open, join(data.dir, `work-${name}`), (...args) => pickUp(...args, false)),
    remote: await withRunner(open, join(data.dir, `work-${name}`), (...args) => pickUp(...args, true)),
  };
  const f = figures[name];
  console.log(`${name}: ${f.rate.toFixed(0)} jobs/s, pick-up median ${f.latency.toFixed(2)} ms beside the runner, ${f.remote.toFixed(2)} ms from elsewhere`);
}
await stop(redis.child);
report({ name: 'job throughput, Redis store (SQLite store as baseline)', ours: figures.redis.rate, baseline: figures.sqlite.rate, unit: 'jobs/s', better: 'higher' });
report({ name: 'job pick-up latency, Redis store (SQLite store as baseline)', ours: figures.redis.latency, baseline: figures.sqlite.latency, unit: 'ms', better: 'lower' });
report({ name: 'job pick-up latency from another process, Redis store (SQLite store as baseline)', ours: figures.redis.remote, baseline: figures.sqlite.remote, unit: 'ms', better: 'lower' });
