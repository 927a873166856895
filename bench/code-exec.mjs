// Code executor: a trivial program per language run through the whole execution path (compile,
// pool slot, bubblewrap + cgroup sandbox, cleanup) beside the SAME prepared program run directly
// (no sandbox), alternating with it in the same run: median and p95 over BENCH_RUNS runs, and the overhead. Then the
// throughput at saturation with a pool of 2 (this machine's cores), beside direct runs 2 at a time.
// Targets: overhead ≤ 60 ms for Python and JavaScript.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox } from '../dist/sandbox/index.js';
import { execute } from '../dist/services/code/execute.js';
import { prepare } from '../dist/services/code/languages.js';
import { RunPool } from '../dist/services/code/pool.js';
import { PYTHON_LAUNCHER, SQL_RUNNER } from '../dist/services/code/runners.js';
import { median, percentile, report, setting } from './lib.mjs';

const RUNS = setting('BENCH_RUNS', 100, 3);
const SATURATION_RUNS = setting('BENCH_SATURATION_RUNS', 60, 6);
const LIMITS = { cpu_ms: 10_000, wall_ms: 30_000, memory_mb: 256, output_kb: 1024, processes: 64 };
const PROGRAMS = {
  python: { language: 'python', code: 'print("hello")' },
  javascript: { language: 'javascript', code: 'console.log("hello")' },
  typescript: { language: 'typescript', code: 'const greet = (s: string): string => s;\nconsole.log(greet("hello"));' },
  sql: { language: 'sql', code: "SELECT 'hello' AS greeting;" },
};

/** The same prepared program (TypeScript transpiled each time, as ours is) run straight on the host. */
async function direct(program) {
  const started = performance.now();
  const prepared = await prepare(program, LIMITS.memory_mb, { python: PYTHON_LAUNCHER, sql: SQL_RUNNER });
  const dir = mkdtempSync(join(tmpdir(), 'pitchey-bench-direct-'));
  const local = (s) => s.replaceAll('/code/', `${dir}/`);
  for (const f of prepared.files) writeFileSync(join(dir, f.name), local(f.content));
  const [cmd, ...args] = prepared.argv.map(local);
  const code = await new Promise((resolve, reject) => {
    // The sandbox's environment, not ours (NODE_EXTRA_CA_CERTS alone costs node a CA bundle load).
    const env = { PATH: '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8', TMPDIR: tmpdir() };
    const child = spawn(cmd, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.stdio[3].resume();
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
  if (code !== 0) throw new Error(`direct ${program.language} exited ${code}`);
  return performance.now() - started;
}

// The executor takes the request's signal (a run whose client hung up never starts); the bench's
// runs have no client to lose, so theirs never aborts.
const NO_ABORT = new AbortController().signal;

async function sandboxed(executor, program) {
  const started = performance.now();
  const r = await execute(executor, program, LIMITS, NO_ABORT);
  if (r.status !== 'completed') throw new Error(`${program.language}: ${r.status} ${r.stderr}`);
  return performance.now() - started;
}

/** Sandboxed and direct runs alternate, so both see the same load on this shared machine. */
async function pairedSeries(ours, base) {
  await ours();
  await base(); // warm-up, discarded
  const a = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(await ours());
    b.push(await base());
  }
  return [
    { median: median(a), p95: percentile(a, 95) },
    { median: median(b), p95: percentile(b, 95) },
  ];
}

async function saturate(fn, concurrency) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < SATURATION_RUNS) await fn();
    }),
  );
  return SATURATION_RUNS / ((performance.now() - started) / 1000);
}

const sandbox = await createSandbox({ cgroupParent: null });
if (!sandbox.info.available) {
  console.error(`sandbox unavailable: ${sandbox.info.reason}`);
  await sandbox.close();
  process.exit(1);
}
const executor = { sandbox, pool: new RunPool(2, 1000), defaults: LIMITS, maxima: LIMITS };
try {
  console.log(`trivial program per language, ${RUNS} runs each, sequential; cgroups ${sandbox.info.cgroups}; 2-core machine shared with other work`);
  console.log('language     sandboxed median / p95      direct median / p95     overhead (median)  target');
  const figures = [];
  for (const [name, program] of Object.entries(PROGRAMS)) {
    const [ours, base] = await pairedSeries(
      () => sandboxed(executor, program),
      () => direct(program),
    );
    const overhead = ours.median - base.median;
    const target = name === 'python' || name === 'javascript' ? (overhead <= 60 ? '≤ 60 ms: met' : '≤ 60 ms: MISSED') : '-';
    figures.push({ name: `${name} trivial program, sandboxed vs direct (median)`, ours: ours.median, baseline: base.median, unit: 'ms', better: 'lower' });
    console.log(
      `${name.padEnd(12)} ${ours.median.toFixed(1).padStart(7)} / ${ours.p95.toFixed(1).padStart(7)} ms   ${base.median.toFixed(1).padStart(7)} / ${base.p95.toFixed(1).padStart(7)} ms   ${overhead.toFixed(1).padStart(7)} ms          ${target}`,
    );
  }
  const oursRate = await saturate(() => sandboxed(executor, PROGRAMS.python), 8);
  const baseRate = await saturate(() => direct(PROGRAMS.python), 2);
  console.log(
    `throughput, python, pool of 2 fed by 8 clients: ${oursRate.toFixed(1)} runs/s sandboxed vs ${baseRate.toFixed(1)} runs/s direct (2 at a time): ${(oursRate / baseRate).toFixed(2)}× direct`,
  );
  figures.forEach((f) => report(f));
  report({ name: 'python throughput, sandboxed pool of 2 vs direct 2 at a time', ours: oursRate, baseline: baseRate, unit: 'runs/s', better: 'higher' });
} finally {
  await sandbox.close();
}
