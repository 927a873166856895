// Every script in bench/ (found by listing the folder, so a new one cannot slip past) runs in quick
// mode, one at a time: it must end with 0, report at least one figure beside a measured baseline,
// and leave no process and no temporary file behind. Timings are never asserted: a quick run's
// figures mean nothing. The benches that need Docker run in the containers tier
// (test/containers/bench-quick.test.ts). Runs the built dist/ (`npm test` builds before testing).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers.js';
import { BENCH, NEEDS_DOCKER, SCRIPTS, expectGoodQuickRun, runQuick as runBench, type Figure } from '../support/bench-quick.js';

/** Far above any quick run (the slowest takes about 40 s on two busy cores); a hung bench is stopped here. */
const SCRIPT_TIMEOUT_MS = 150_000;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

const runQuick = (args: string[]): ReturnType<typeof runBench> => runBench(args, { cleanups, timeoutMs: SCRIPT_TIMEOUT_MS });

describe('every bench runs in quick mode', () => {
  it('finds the benches', () => {
    expect(SCRIPTS.length).toBeGreaterThan(10);
  });

  for (const script of SCRIPTS.filter((s) => !NEEDS_DOCKER.test(s))) {
    it(
      `${script} ends well, reports its figures beside their baselines and leaves nothing behind`,
      async () => {
        expectGoodQuickRun(await runQuick([join(BENCH, script)]), script);
      },
      SCRIPT_TIMEOUT_MS + 40_000,
    );
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
      commit: string;
      quick: boolean;
      node: string;
      machine: { cores: number; model: string; loadavg: number[] };
      benches: Array<{ script: string; exitCode: number; figures: Figure[] }>;
    };
    expect(result).toMatchObject({ commit: head, quick: true, node: process.version, machine: { cores: cpus().length, model: cpus()[0]?.model } });
    expect(result.machine.loadavg).toHaveLength(3);
    expect(result.benches.map((b) => [b.script, b.exitCode])).toEqual([['upload-receive.mjs', 0]]);
    const [figure] = result.benches[0]?.figures ?? [];
    expect(figure?.ratio).toBeCloseTo((figure?.ours ?? NaN) / (figure?.baseline ?? NaN), 9);
    expect([run.strays, run.leftFiles], run.leftDetail).toEqual([[], []]);
  }, 60_000);

  it('refuses a bench name it does not know, naming the ones it does', () => {
    const r = spawnSync(process.execPath, [join(BENCH, 'run-all.mjs'), 'no-such-bench'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no such bench: no-such-bench.mjs');
    expect(r.stderr).toContain('code-exec');
  });
});
