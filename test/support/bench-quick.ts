// Runs one bench script in quick mode the way the bench tests judge it: its own TMPDIR, a JSON
// sink for its figures and a mark in its environment, so whatever it started, however deep, is
// found afterwards. Used by test/e2e/bench-quick.test.ts and, for the benches that need Docker,
// by the containers tier.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { makeTempDir } from '../helpers.js';
import { alive, waitFor } from '../e2e/platform.js';

export const BENCH = fileURLToPath(new URL('../../bench/', import.meta.url));
const HELPERS = ['lib.mjs', 'run-all.mjs'];
/** Benches that need a Docker daemon (and the platform's images): run by the containers tier, with its daemon. */
export const NEEDS_DOCKER = /^container-/;
export const SCRIPTS = readdirSync(BENCH)
  .filter((f) => f.endsWith('.mjs') && !HELPERS.includes(f))
  .sort();

export interface Figure {
  script: string;
  name: string;
  ours: number;
  baseline: number | null;
  unit: string;
  better: string;
  ratio: number | null;
  quick: boolean;
}
export interface BenchRun {
  code: number | null;
  output: string;
  figures: Figure[];
  strays: number[];
  leftFiles: string[];
  /** What the left files hold, each path with its age at the check: says which process wrote them, and when. */
  leftDetail: string;
}

/** Up to 40 paths under `dir`, each with its size and how long before now it last changed. */
function describeTree(dir: string): string {
  const now = Date.now();
  const lines: string[] = [];
  const visit = (path: string): void => {
    if (lines.length >= 40) return;
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined) return;
    lines.push(`${relative(dir, path) || '.'}${st.isDirectory() ? '/' : ''} ${st.size} B, changed ${now - st.mtimeMs} ms before the check`);
    if (st.isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
  };
  for (const name of readdirSync(dir)) visit(join(dir, name));
  return lines.join('\n');
}

/** Processes (of this user) whose environment carries the run's mark: whatever the bench started, however deep. */
function marked(mark: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`PITCHEY_BENCH_RUN=${mark}`);
      } catch {
        return false;
      }
    });
}

/**
 * Runs `node <args>` in quick mode; `cleanups` gets what kills its leftovers and removes its files.
 * A run past `timeoutMs` is stopped (SIGTERM, then SIGKILL).
 */
export async function runQuick(args: string[], options: { cleanups: Array<() => void>; timeoutMs: number; env?: Record<string, string> }): Promise<BenchRun> {
  const tmp = makeTempDir('pitchey-bench-test-');
  const mark = randomUUID();
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
  Object.assign(env, { BENCH_QUICK: '1', BENCH_JSON: join(tmp.dir, 'figures.jsonl'), TMPDIR: join(tmp.dir, 'tmp'), PITCHEY_BENCH_RUN: mark, ...options.env });
  // Like /tmp: the code sandbox's uid must be able to search every ancestor of its root.
  chmodSync(tmp.dir, 0o711);
  mkdirSync(join(tmp.dir, 'tmp'), { mode: 0o1777 });
  chmodSync(join(tmp.dir, 'tmp'), 0o1777);
  options.cleanups.push(() => {
    for (const pid of marked(mark)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    tmp.remove();
  });

  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const stopper = setTimeout(() => {
    output += `\n[test] no end after ${options.timeoutMs} ms: SIGTERM\n`;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  }, options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(stopper);

  // Servers told to stop may take a moment to drain; anything still marked after that is a leak.
  const strays = await waitFor("the bench's processes to exit", () => (marked(mark).length === 0 ? [] : undefined), 15_000).catch(() => marked(mark).filter(alive));
  const sink = join(tmp.dir, 'figures.jsonl');
  const figures = existsSync(sink)
    ? readFileSync(sink, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Figure)
    : [];
  const left = join(tmp.dir, 'tmp');
  return { code, output, figures, strays, leftFiles: readdirSync(left), leftDetail: describeTree(left) };
}

const positive = (v: number | null): boolean => v !== null && Number.isFinite(v) && v > 0;

/** A quick run ended with 0, reported its figures beside measured baselines, and left nothing behind. */
export function expectGoodQuickRun(run: BenchRun, script: string): void {
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
  expect(run.leftFiles, `files left in TMPDIR:\n${run.leftDetail}\n${tail}`).toEqual([]);
}
