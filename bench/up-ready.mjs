// `pitchey up` until every service is ready (median of BENCH_RUNS, default 5), beside two
// baselines from the same run: one bare `node` start, and one service role started alone until ready.
import { spawn, spawnSync } from 'node:child_process';
import { CLI, KEY, freePort, median, report, setting, startRole, stop, tempDir, track, waitReady } from './lib.mjs';

const RUNS = setting('BENCH_RUNS', 5, 1);

async function timeUp() {
  const data = tempDir('pitchey-bench-up-');
  const started = performance.now();
  const proc = track(
    spawn(process.execPath, [CLI, 'up'], {
      env: { ...process.env, PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: '0', PITCHEY_LOG_LEVEL: 'warn', PITCHEY_API_KEYS: KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let out = '';
  await new Promise((resolve, reject) => {
    proc.stderr.on('data', (c) => {
      out += c;
      if (/ready in \d+ ms/.test(out)) resolve();
    });
    proc.once('exit', () => reject(new Error(`pitchey up exited early:\n${out}`)));
  });
  const ms = performance.now() - started;
  await stop(proc);
  data.remove();
  return ms;
}

async function timeOneService() {
  const data = tempDir('pitchey-bench-one-');
  const port = await freePort();
  const started = performance.now();
  const proc = startRole('ai', { PITCHEY_DATA_DIR: data.dir, PITCHEY_PORT: String(port) });
  await waitReady(`http://127.0.0.1:${port}`);
  const ms = performance.now() - started;
  await stop(proc);
  data.remove();
  return ms;
}

function timeBareNode() {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - started;
}

const up = [],
  one = [],
  bare = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(timeBareNode());
  one.push(await timeOneService());
  up.push(await timeUp());
}
const fmt = (v) => `${Math.round(v)} ms`;
console.log(`pitchey up → all 5 services + gateway ready: median ${fmt(median(up))} (runs: ${up.map(fmt).join(', ')})`);
console.log(`baseline: one service (ai) alone → ready:      median ${fmt(median(one))}`);
console.log(`baseline: bare node start and exit:             median ${fmt(median(bare))}`);
report({ name: 'pitchey up until every service is ready vs one service alone', ours: median(up), baseline: median(one), unit: 'ms', better: 'lower' });
