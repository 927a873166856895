// How fast the CLI answers (median of BENCH_RUNS, default 21, interleaved): `pitchey --help`, and
// `pitchey status` up to its first request (a closed port, so it fails at once after loading
// everything it needs), beside a bare `node -e ''` start measured in the same run. Commands load
// lazily (src/cli/commands.ts), so neither reads server, database or service code.
import { spawnSync } from 'node:child_process';
import { CLI, freePort, median, report, setting, tempDir } from './lib.mjs';

const RUNS = setting('BENCH_RUNS', 21, 3);
const data = tempDir('pitchey-bench-cli-');
const closed = await freePort();
const env = { ...process.env, PITCHEY_DATA_DIR: data.dir, PITCHEY_ADMIN_KEY: 'bench' };

function timed(args, expectStatus) {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== expectStatus) throw new Error(`${args.join(' ')} exited ${r.status}, not ${expectStatus}:\n${r.stderr}`);
  return ms;
}

const bare = [],
  help = [],
  status = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(timed(['-e', ''], 0));
  help.push(timed([CLI, '--help'], 0));
  status.push(timed([CLI, 'status', '--gateway', `http://127.0.0.1:${closed}`], 1));
}
data.remove();
const fmt = (v) => `${Math.round(v)} ms`;
console.log(`node -e '':      median ${fmt(median(bare))}`);
console.log(`pitchey --help:  median ${fmt(median(help))}`);
console.log(`pitchey status:  median ${fmt(median(status))} (to its first request)`);
report({ name: 'pitchey --help start-up vs bare node', ours: median(help), baseline: median(bare), unit: 'ms', better: 'lower' });
report({ name: 'pitchey status start-up (to its first request) vs bare node', ours: median(status), baseline: median(bare), unit: 'ms', better: 'lower' });
