// ops/prometheus/slo.yml is the objectives' own output: the checked-in file equals the generator's,
// promtool accepts it, its thresholds are the objectives' targets, and it reads only catalogued metrics.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OBJECTIVES } from '../../src/deploy/engine/index.js';
import { BURN_RATE_ALERTS, renderSloRules } from '../../src/deploy/slo-alerts.js';
import { METRIC } from '../../src/kit/index.js';

const OPS = fileURLToPath(new URL('../../ops/prometheus', import.meta.url));
const text = readFileSync(`${OPS}/slo.yml`, 'utf8');
interface PromRule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
}
const rules = (parse(text) as { groups: Array<{ rules: PromRule[] }> }).groups.flatMap((g) => g.rules);
const alert = (name: string): PromRule => {
  const rule = rules.find((r) => r.alert === name);
  if (!rule) throw new Error(`no alert ${name}`);
  return rule;
};

describe('ops/prometheus/slo.yml', () => {
  it('is what `npm run docs:slo` writes from the objectives (regenerate it after changing them)', () => {
    expect(text).toBe(renderSloRules());
  });

  it('is a valid rule file, loaded by both Prometheus configs', () => {
    const r = spawnSync('promtool', ['check', 'rules', 'slo.yml'], { cwd: OPS, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    for (const config of ['prometheus.yml', 'prometheus-compose.yml']) expect(readFileSync(`${OPS}/${config}`, 'utf8')).toMatch(/^ {2}- slo\.yml$/m);
  });

  it("alerts on each objective past its target, labelled with the engine's objective id", () => {
    for (const o of OBJECTIVES) {
      const rule = rules.find((r) => r.labels?.slo === o.id && r.alert?.startsWith('PitcheySlo'));
      expect(rule, o.id).toBeDefined();
      expect(Number(/\)\s*>\s*([\d.]+)/.exec(rule!.expr)?.[1])).toBeCloseTo(1 - o.target, 12);
    }
  });

  it("burns the availability budget at the workbook's rates: the limit is burn × (1 − 99.9 %)", () => {
    expect(BURN_RATE_ALERTS.map((a) => [a.burn, a.long, a.short])).toEqual([
      [14.4, '1h', '5m'],
      [6, '6h', '30m'],
      [1, '3d', '6h'],
    ]);
    for (const a of BURN_RATE_ALERTS) {
      const limits = [...alert(a.name).expr.matchAll(/>\s*([\d.]+)/g)].map((m) => Number(m[1]));
      expect(limits, a.name).toEqual([Number((a.burn * 0.001).toPrecision(10)), Number((a.burn * 0.001).toPrecision(10))]);
      expect(alert(a.name).expr).toContain(`error_ratio_rate${a.long} >`);
      expect(alert(a.name).expr).toContain(`error_ratio_rate${a.short} >`);
    }
  });

  it('reads only metrics of the catalogue', () => {
    const known = new Set<string>(Object.values(METRIC));
    const used = [...new Set([...text.matchAll(/\b(pitchey_[a-z_]+)/g)].map((m) => (m[1] as string).replace(/_(bucket|count)$/, '')))];
    expect(used.length).toBeGreaterThanOrEqual(4);
    for (const name of used) expect(known, name).toContain(name);
  });
});
