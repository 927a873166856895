// promtool's own rule tests of ops/prometheus/slo.yml (slo.test.yml): the burn-rate alerts fire at
// the workbook's 14.4× / 6× / 1× and not below, and each objective alert counts what the engine does.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const OPS = fileURLToPath(new URL('../../ops/prometheus', import.meta.url));

describe('ops/prometheus/slo.test.yml', () => {
  it('passes promtool test rules', () => {
    const r = spawnSync('promtool', ['test', 'rules', 'slo.test.yml'], { cwd: OPS, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  }, 150_000);
});
