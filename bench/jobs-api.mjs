// Jobs through the API, end to end: a gateway in front of a document instance, once on the embedded
// SQLite job store and once on Redis (PITCHEY_JOBS, a redis-server this script starts, appendonly
// yes + appendfsync always as the README asks). Jobs are submitted over HTTP through the gateway
// (POST /api/document/extract-text, multipart). Two job kinds, both the service's own `extract-text`:
//  - empty: a 40-byte text file (the cheapest real job a service has: read the file, count words);
//  - small: a two-page PDF read with pdftotext (method=native), a small real job.
// Per store and kind, a burst of N jobs (?async=true) from 4 concurrent clients: accepted jobs/s
// (first submit → last 202), completed jobs/s (first submit → last finished_at) and the queue wait
// (created_at → started_at, which under a burst is mostly time spent queued). Then pick-up latency
// on an idle instance: one empty job at a time, created_at → started_at from its record (the
// records have millisecond resolution), p50 and p95. The instance runs its default 2 jobs at once.
// Baselines, same run: the raw store (enqueue + the runner's claim loop, no HTTP, no files, an
// empty handler, the same clients and concurrency) for empty jobs and pick-up, so the HTTP/API cost
// is the difference; for small jobs, the same extraction called in process, 2 at a time, so what
// the job path adds to real work shows. Outside anchor: BullMQ's own published figure, printed as
// a constant, not measured here (the Redis store is not BullMQ, see src/jobs/redis-backend.ts, and
// BullMQ's run did not fsync). `pitchey up` would start all five services; one document instance
// behind a gateway is the same job path at a fraction of this 2-core machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createJobRunner, createRedisJobBackend, createSqliteJobBackend } from '../dist/jobs/index.js';
import { extractText } from '../dist/services/document/extract.js';
import { ndaSpec } from '../dist/services/document/layouts.js';
import { renderPdf } from '../dist/services/document/render.js';
import { KEY, freePort, percentile, postMultipart, report, setting, startRedis, startRole, stop, tempDir, waitReady } from './lib.mjs';

const JOBS = { empty: setting('BENCH_API_JOBS', 200, 20), small: setting('BENCH_API_SMALL_JOBS', 50, 10) };
const SINGLES = setting('BENCH_API_SINGLE_JOBS', 30, 5);
const CLIENTS = 4;
const CONCURRENCY = 2; // PITCHEY_JOB_CONCURRENCY's default
const DEADLINE_MS = 60_000; // per burst: a burst not finished by then is an error

// BullMQ's own published figure (its repository, elixir/guides/benchmarks.md): one worker,
// concurrency 500, 2,500 no-op jobs added in bulk, then drained. The Elixir client runs the same
// Lua scripts as the Node.js one. Apple M2 Pro, Redis 7.4 in Docker (its default: no AOF fsync).
const BULLMQ = {
  jobsPerSecond: 4_901,
  url: 'https://hexdocs.pm/bullmq/benchmarks.html',
  hardware: 'Apple M2 Pro, Redis 7.4.0 in Docker, no-op jobs, one worker at concurrency 500',
};

const data = tempDir('pitchey-bench-jobs-api-');
const textFile = join(data.dir, 'note.txt');
writeFileSync(textFile, 'Pitchey bench: an empty job, a few words.');
const pdfFile = join(data.dir, 'nda.pdf');
writeFileSync(pdfFile, await renderPdf(ndaSpec({ date: '2025-03-14', disclosing_party: 'Studio One', receiving_party: 'Studio Two', purpose: 'Evaluation', term: '5 years' })));
const KINDS = {
  empty: { fields: {}, file: { path: textFile, name: 'note.txt' } },
  small: { fields: { method: 'native' }, file: { path: pdfFile, name: 'nda.pdf' } },
};

const ms = (iso) => Date.parse(iso);
const waits = (jobs) => jobs.map((j) => j.started - j.created);
const burst = (jobs, t0, lastAccepted) => ({
  accepted: jobs.length / ((lastAccepted - t0) / 1000),
  completed: jobs.length / ((Math.max(...jobs.map((j) => j.finished)) - t0) / 1000),
  waitP50: percentile(waits(jobs), 50),
  waitP95: percentile(waits(jobs), 95),
});
const pickUp = (jobs) => ({ p50: percentile(waits(jobs), 50), p95: percentile(waits(jobs), 95) });

/** `clients` loops share `count` calls of `fn(i)`; resolves with the wall time the last one ended. */
async function shared(count, fn, clients = CLIENTS) {
  let next = 0;
  let last = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        await fn(next++);
        last = Date.now();
      }
    }),
  );
  return last;
}

const submit = async (gateway, kind, query) => {
  const res = await postMultipart(`${gateway}/api/document/extract-text${query}`, KINDS[kind].fields, KINDS[kind].file, { 'x-api-key': KEY });
  if (res.status >= 300) throw new Error(`submit answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
  return JSON.parse(res.body.toString());
};
const times = (job) => ({ created: ms(job.created_at), started: ms(job.started_at), finished: ms(job.finished_at) });

/** Waits for a job through the status route; its times once completed. */
async function settled(gateway, id, deadline) {
  for (;;) {
    const job = await (await fetch(`${gateway}/api/document/status/${id}`, { headers: { 'x-api-key': KEY } })).json();
    if (job.status === 'completed') return times(job);
    if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`job ${id} ${job.status}: ${JSON.stringify(job.error)}`);
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${DEADLINE_MS} ms`);
    await sleep(50);
  }
}

/** A burst of jobs of a kind through the gateway; waits for all to end and reads their records. */
async function apiBurst(gateway, kind) {
  const ids = [];
  const t0 = Date.now();
  const lastAccepted = await shared(JOBS[kind], async () => ids.push((await submit(gateway, kind, '?async=true')).task_id));
  const jobs = [];
  for (const id of ids) jobs.push(await settled(gateway, id, t0 + DEADLINE_MS));
  return burst(jobs, t0, lastAccepted);
}

/** One empty job at a time on an idle instance. */
async function apiSingles(gateway) {
  const jobs = [];
  for (let i = 0; i < SINGLES; i++) {
    await sleep(50 + Math.random() * 200); // idle, between the runner's polls
    jobs.push(await settled(gateway, (await submit(gateway, 'empty', '?async=true')).task_id, Date.now() + DEADLINE_MS));
  }
  return pickUp(jobs);
}

/** The raw store: the same clients enqueueing straight into it, a runner with the same concurrency claiming. */
async function rawStore(open, workRoot) {
  const backend = open();
  const runner = createJobRunner({ backend, workRoot, concurrency: CONCURRENCY, handlers: { empty: async () => ({ result: null }) }, onError: (e) => console.error(e) });
  await runner.start();
  const enqueue = async () => {
    const { id } = await backend.enqueue('empty', {}, {}, Date.now());
    runner.poke(); // as the HTTP path does
    return id;
  };
  const record = async (id) => {
    const job = await runner.waitFor(id, DEADLINE_MS);
    if (job?.state !== 'completed') throw new Error(`raw job ${id}: ${job?.state}`);
    return { created: job.createdAt, started: job.startedAt, finished: job.finishedAt };
  };
  try {
    const ids = [];
    const t0 = Date.now();
    const lastAccepted = await shared(JOBS.empty, async () => ids.push(await enqueue()));
    const jobs = [];
    for (const id of ids) jobs.push(await record(id));
    const singles = [];
    for (let i = 0; i < SINGLES; i++) {
      await sleep(50 + Math.random() * 200);
      singles.push(await record(await enqueue()));
    }
    return { burst: burst(jobs, t0, lastAccepted), pickUp: pickUp(singles) };
  } finally {
    await runner.stop();
    await backend.close();
  }
}

/** The small job's work called in process, 2 at a time: extractions per second. */
async function directExtraction() {
  const workDir = join(data.dir, 'direct');
  mkdirSync(workDir, { recursive: true });
  const input = { path: pdfFile, filename: 'nda.pdf', mime: 'application/pdf' };
  const opts = { method: 'native', language: 'eng', maxPages: 500, ocrMaxPages: 50, timeoutMs: 60_000, workDir };
  await extractText(input, opts); // warm-up
  const t0 = Date.now();
  const last = await shared(JOBS.small, () => extractText(input, opts), CONCURRENCY);
  return JOBS.small / ((last - t0) / 1000);
}

async function withPlatform(store, jobStoreUrl, fn) {
  const [docPort, gwPort] = await Promise.all([freePort(), freePort()]);
  const env = { PITCHEY_DATA_DIR: join(data.dir, `platform-${store}`), ...(jobStoreUrl ? { PITCHEY_JOBS: jobStoreUrl } : {}) };
  const doc = startRole('document', { ...env, PITCHEY_PORT: String(docPort) });
  const gw = startRole('gateway', { ...env, PITCHEY_PORT: String(gwPort), PITCHEY_UPSTREAMS: `document=http://127.0.0.1:${docPort}` });
  try {
    await waitReady(`http://127.0.0.1:${docPort}`);
    await waitReady(`http://127.0.0.1:${gwPort}/api/document`); // the gateway has probed the instance
    return await fn(`http://127.0.0.1:${gwPort}`);
  } finally {
    await Promise.all([stop(gw), stop(doc)]);
  }
}

const direct = await directExtraction();
const redis = await startRedis(data.dir);
const stores = {
  sqlite: { url: null, open: () => createSqliteJobBackend({ path: join(data.dir, 'raw.sqlite') }) },
  redis: { url: redis.url, open: () => createRedisJobBackend({ url: redis.url, namespace: 'bench-raw' }) },
};
const results = {};
for (const [store, { url, open }] of Object.entries(stores)) {
  const raw = await rawStore(open, join(data.dir, `raw-work-${store}`));
  results[store] = await withPlatform(store, url, async (gateway) => {
    // Warm-up, not counted: JIT, connections, the PDF path.
    for (const kind of Object.keys(KINDS)) await settled(gateway, (await submit(gateway, kind, '?async=true')).task_id, Date.now() + DEADLINE_MS);
    return { raw, empty: await apiBurst(gateway, 'empty'), small: await apiBurst(gateway, 'small'), pickUp: await apiSingles(gateway) };
  });
}
await stop(redis.child);

const f = (v) => v.toFixed(v >= 100 ? 0 : 1).padStart(7);
console.log(`bursts of ${JOBS.empty} empty / ${JOBS.small} small jobs from ${CLIENTS} clients, ${CONCURRENCY} jobs at a time; idle pick-up over ${SINGLES} single jobs`);
console.log('store   path                accepted/s completed/s   queue wait p50    p95 ms');
for (const [store, r] of Object.entries(results)) {
  for (const [path, b] of [
    ['raw store, empty', r.raw.burst],
    ['API, empty', r.empty],
    ['API, small', r.small],
  ])
    console.log(`${store.padEnd(7)} ${path.padEnd(18)} ${f(b.accepted)}     ${f(b.completed)}        ${f(b.waitP50)}  ${f(b.waitP95)}`);
  console.log(`${store.padEnd(7)} idle pick-up p50 / p95: API ${r.pickUp.p50} / ${r.pickUp.p95} ms, raw store ${r.raw.pickUp.p50} / ${r.raw.pickUp.p95} ms`);
}
console.log(`small job's work called in process, ${CONCURRENCY} at a time: ${direct.toFixed(1)} extractions/s`);
console.log(`BullMQ published (not measured here): ${BULLMQ.jobsPerSecond} jobs/s, ${BULLMQ.hardware}: ${BULLMQ.url}`);

for (const [store, r] of Object.entries(results)) {
  report({ name: `empty jobs accepted/s through the API, ${store} store (raw store enqueue as baseline)`, ours: r.empty.accepted, baseline: r.raw.burst.accepted, unit: 'jobs/s', better: 'higher' });
  report({ name: `empty jobs completed/s through the API, ${store} store (raw store as baseline)`, ours: r.empty.completed, baseline: r.raw.burst.completed, unit: 'jobs/s', better: 'higher' });
  report({ name: `small jobs completed/s through the API, ${store} store (the extraction called directly as baseline)`, ours: r.small.completed, baseline: direct, unit: 'jobs/s', better: 'higher' });
  report({ name: `idle job pick-up p50 through the API, ${store} store (raw store as baseline)`, ours: r.pickUp.p50, baseline: r.raw.pickUp.p50, unit: 'ms', better: 'lower' });
  report({ name: `idle job pick-up p95 through the API, ${store} store (raw store as baseline)`, ours: r.pickUp.p95, baseline: r.raw.pickUp.p95, unit: 'ms', better: 'lower' });
}
report({
  name: 'empty jobs completed/s through the API, Redis store (BullMQ published no-op throughput as anchor)',
  ours: results.redis.empty.completed,
  baseline: BULLMQ.jobsPerSecond,
  unit: 'jobs/s',
  better: 'higher',
  baselineFrom: `published, not measured here: ${BULLMQ.url} (${BULLMQ.hardware})`,
});
process.exit(0);
