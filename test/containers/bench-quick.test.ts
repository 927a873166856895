// The benches that need Docker (bench/container-*.mjs) in quick mode, on this tier's daemon: the
// same judgement as test/e2e/bench-quick.test.ts gives the others, containers included (a
// container's processes carry the run's mark, so one left running is found).
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { BENCH, NEEDS_DOCKER, SCRIPTS, expectGoodQuickRun, runQuick } from '../support/bench-quick.js';

/** A first run builds every role's image from this checkout (minutes); later runs reuse them. */
const SCRIPT_TIMEOUT_MS = 900_000;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

describe('the benches that need Docker run in quick mode', () => {
  it('finds them', () => {
    expect(SCRIPTS.filter((s) => NEEDS_DOCKER.test(s))).toContain('container-switch.mjs');
  });

  for (const script of SCRIPTS.filter((s) => NEEDS_DOCKER.test(s))) {
    it(
      `${script} ends well, reports its figures beside their baselines and leaves nothing behind`,
      async () => {
        const run = await runQuick([join(BENCH, script)], { cleanups, timeoutMs: SCRIPT_TIMEOUT_MS, env: { PITCHEY_TEST_DOCKER_HOST: inject('dockerHost') } });
        expectGoodQuickRun(run, script);
      },
      SCRIPT_TIMEOUT_MS + 40_000,
    );
  }
});
