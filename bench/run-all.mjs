// Runs the benchmarks in this folder one after another (the machine has two cores): every script,
// or those named (`node bench/run-all.mjs code-exec gateway-tracks`). --quick runs each with
// BENCH_QUICK=1 (seconds each; proves it runs, measures nothing worth keeping). --json also writes
// one results file per run, bench/results/<time>-<commit>.json (or under --out <dir>): each figure
// beside its baseline and their ratio, the commit, and the machine with its load at the start.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants, cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const root = resolve(here, '..');
const HELPERS = ['lib.mjs', 'run-all.mjs'];
const all = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !HELPERS.includes(f))
  .sort();

function parseArgs(argv) {
  const o = { json: false, quick: false, out: join(here, 'results'), names: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--out') o.out = resolve(argv[++i] ?? '');
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (known: --json, --quick, --out <dir>)`);
    else o.names.push(a.endsWith('.mjs') ? basename(a) : `${a}.mjs`);
  }
  const unknown = o.names.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new Error(`no such bench: ${unknown.join(', ')} (known: ${all.map((f) => f.replace(/\.mjs$/, '')).join(', ')})`);
  return o;
}

const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
function commit() {
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return { commit: 'unknown', dirty: null };
  return { commit: head.stdout.trim(), dirty: git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '' };
}

/** Runs one script to its end, its output passed through; its figures come back through a JSON-lines sink. */
async function runOne(file, quick, sink) {
  const started = performance.now();
  const load = loadavg();
  const env = { ...process.env, BENCH_JSON: sink, ...(quick ? { BENCH_QUICK: '1' } : {}) };
  const child = spawn(process.execPath, [join(here, file)], { stdio: 'inherit', env });
  // Passed on, so the bench stops its servers instead of leaving them behind; no bench runs after.
  const forward = (signal) => {
    interrupted = signal;
    child.kill(signal);
  };
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const exitCode = await new Promise((done) => child.once('exit', (code, signal) => done(code ?? 128 + (constants.signals[signal] ?? 0))));
  process.off('SIGINT', forward).off('SIGTERM', forward);
  const figures = existsSync(sink)
    ? readFileSync(sink, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
  return { script: file, exitCode, seconds: Number(((performance.now() - started) / 1000).toFixed(1)), loadavgAtStart: load, figures };
}

const num = (v) => (v === null ? '-' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
/** The run's figures as rows for BENCHMARKS.md, each with the command that reproduces it. */
function markdown(benches) {
  const rows = benches.flatMap((b) =>
    b.figures.map(
      (f) =>
        `| ${f.name} | ${num(f.ours)} | ${num(f.baseline)} | ${f.unit} | **${num(f.ratio)}** | ${f.better} | ${b.loadavgAtStart[0].toFixed(1)} | \`npm run bench -- --json ${b.script.replace(/\.mjs$/, '')}\` |`,
    ),
  );
  return ['| figure | ours | baseline | unit | ratio | better | load | command |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

let interrupted = null;
let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(`run-all: ${err.message}`);
  process.exit(2);
}
const run = {
  startedAt: new Date().toISOString(),
  command: `node bench/run-all.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  quick: opts.quick,
  ...commit(),
  node: process.version,
  machine: { cores: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadavg: loadavg(), memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)), os: `${type()} ${release()}` },
  benches: [],
};
const sinks = mkdtempSync(join(tmpdir(), 'pitchey-bench-sinks-'));
try {
  for (const file of opts.names.length > 0 ? opts.names : all) {
    console.log(`\n## ${file}`);
    const result = await runOne(file, opts.quick, join(sinks, `${file}.jsonl`));
    if (result.exitCode !== 0) {
      console.log(`${file} FAILED (exit ${result.exitCode})`);
      process.exitCode = 1;
    }
    run.benches.push(result);
    if (interrupted) break;
  }
} finally {
  rmSync(sinks, { recursive: true, force: true });
}
if (interrupted) {
  console.log(`\ninterrupted by ${interrupted}: no results written`);
  process.exit(128 + constants.signals[interrupted]);
}
run.finishedAt = new Date().toISOString();
console.log(
  `\n## figures (load average at start ${run.machine.loadavg.map((l) => l.toFixed(2)).join(', ')}; ${run.machine.cores} × ${run.machine.model}; ${run.quick ? 'QUICK: not results' : 'full'})\n${markdown(run.benches)}`,
);
if (opts.json) {
  mkdirSync(opts.out, { recursive: true });
  const path = join(opts.out, `${run.startedAt.replace(/[:.]/g, '-')}-${run.commit.slice(0, 12)}.json`);
  writeFileSync(path, `${JSON.stringify(run, null, 2)}\n`);
  console.log(`\nresults: ${relative(root, path).startsWith('..') ? path : relative(root, path)}`);
}
