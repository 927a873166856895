// Every script in bench/ (found by listing the folder, so a new one cannot slip past) runs in quick
// mode, one at a time: it must end with 0, report at least one figure beside a measured baseline,
// and leave no process and no temporary file behind. Timings are never asserted: a quick run's
// figures mean nothing. Runs the built dist/ (`npm test` builds before testing).
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers.js';
import { alive, waitFor } from './platform.js';

const BENCH = fileURLToPath(new URL('../../bench/', import.meta.url));
const HELPERS = ['lib.mjs', 'run-all.mjs'];
const SCRIPTS = readdirSync(BENCH).filter((f) => f.endsWith('.mjs') && !HELPERS.includes(f)).sort();
/** Far above any quick run (the slowest takes about 40 s on two busy cores); a hung bench is stopped here. */
const SCRIPT_TIMEOUT_MS = 150_000;

interface Figure { script: string; name: string; ours: number; baseline: number | null; unit: string; better: string; ratio: number | null; quick: boolean }
interface BenchRun { code: number | null; output: string; figures: Figure[]; strays: number[]; leftFiles: string[] }

const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length > 0) cleanups.pop()?.(); });

/** Processes (of this user) whose environment carries the run's mark: whatever the bench started, however deep. */
function marked(mark: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try { return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`PITCHEY_BENCH_RUN=${mark}`); } catch { return false; }
  });
}

/** Runs `node <args>` in quick mode with its own TMPDIR, a JSON sink and a mark in its environment. */
async function runQuick(args: string[]): Promise<BenchRun> {
  const tmp = makeTempDir('pitchey-bench-test-');
  const mark = randomUUID();
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
  Object.assign(env, { BENCH_QUICK: '1', BENCH_JSON: join(tmp.dir, 'figures.jsonl'), TMPDIR: join(tmp.dir, 'tmp'), PITCHEY_BENCH_RUN: mark });
  // Like /tmp: the code sandbox's uid must be able to search every ancestor of its root.
  chmodSync(tmp.dir, 0o711);
  mkdirSync(join(tmp.dir, 'tmp'), { mode: 0o1777 });
  chmodSync(join(tmp.dir, 'tmp'), 0o1777);
  cleanups.push(() => { for (const pid of marked(mark)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } tmp.remove(); });

  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  const stopper = setTimeout(() => { output += `\n[test] no end after ${SCRIPT_TIMEOUT_MS} ms: SIGTERM\n`; child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 15_000).unref(); }, SCRIPT_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(stopper);

  // Servers told to stop may take a moment to drain; anything still marked after that is a leak.
  const strays = await waitFor('the bench\'s processes to exit', () => (marked(mark).length === 0 ? [] : undefined), 15_000).catch(() => marked(mark).filter(alive));
  const sink = join(tmp.dir, 'figures.jsonl');
  const figures = existsSync(sink) ? readFileSync(sink, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Figure) : [];
  return { code, output, figures, strays, leftFiles: readdirSync(join(tmp.dir, 'tmp')) };
}

const positive = (v: number | null): boolean => v !== null && Number.isFinite(v) && v > 0;

describe('every bench runs in quick mode', () => {
  it('finds the benches', () => {
    expect(SCRIPTS.length).toBeGreaterThan(10);
  });

  for (const script of SCRIPTS) {
    it(`${script} ends well, reports its figures beside their baselines and leaves nothing behind`, async () => {
      const run = await runQuick([join(BENCH, script)]);
      const tail = run.output.slice(-3000);
      expect(run.code, tail).toBe(0);
      expect(run.figures.length, `no figure reported:\n${tail}`).toBeGreaterThan(0);
      for (const f of run.figures) {
        expect([f.script, f.quick], f.name).toEqual([script, true]);
        expect(positive(f.ours) && positive(f.baseline), `${f.name}: ours ${f.ours}, baseline ${f.baseline}`).toBe(true);
        expect(f.ratio).toBeCloseTo(f.ours / (f.baseline ?? NaN), 9);
        expect(['lower', 'higher']).toContain(f.better);
        expect(run.output).toContain(`figure  ${f.name}: `);
      }
      expect(run.strays, 'processes left running').toEqual([]);
      expect(run.leftFiles, 'files left in TMPDIR').toEqual([]);
    }, SCRIPT_TIMEOUT_MS + 40_000);
  }
});

describe('bench/run-all.mjs', () => {
  it('writes one results file per run: figures with baselines and ratios, the commit, the machine and its load', async () => {
    const out = makeTempDir('pitchey-bench-results-');
    cleanups.push(out.remove);
    const run = await runQuick([join(BENCH, 'run-all.mjs'), '--quick', '--json', '--out', out.dir, 'upload-receive']);
    expect(run.code, run.output.slice(-3000)).toBe(0);
    const files = readdirSync(out.dir);
    expect(files).toHaveLength(1);
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    expect(files[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z-${head.slice(0, 12)}\\.json$`));
    const result = JSON.parse(readFileSync(join(out.dir, files[0] ?? ''), 'utf8')) as {
      commit: string; quick: boolean; node: string; machine: { cores: number; model: string; loadavg: number[] }; benches: Array<{ script: string; exitCode: number; figures: Figure[] }>;
    };
    expect(result).toMatchObject({ commit: head, quick: true, node: process.version, machine: { cores: cpus().length, model: cpus()[0]?.model } });
    expect(result.machine.loadavg).toHaveLength(3);
    expect(result.benches.map((b) => [b.script, b.exitCode])).toEqual([['upload-receive.mjs', 0]]);
    const [figure] = result.benches[0]?.figures ?? [];
    expect(figure?.ratio).toBeCloseTo((figure?.ours ?? NaN) / (figure?.baseline ?? NaN), 9);
    expect([run.strays, run.leftFiles]).toEqual([[], []]);
  }, 60_000);

  it('refuses a bench name it does not know, naming the ones it does', () => {
    const r = spawnSync(process.execPath, [join(BENCH, 'run-all.mjs'), 'no-such-bench'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no such bench: no-such-bench.mjs');
    expect(r.stderr).toContain('code-exec');
  });
});
