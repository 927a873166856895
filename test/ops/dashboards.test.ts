// ops/grafana/dashboards is generated (`npm run docs:dashboards`) from the metric catalogue and the
// engine's thresholds: the checked-in files are what the generator writes now, and the deployment
// view draws the rollback rules' own numbers.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/deploy/dashboards/index.js';
import { DEFAULT_RULES } from '../../src/deploy/engine/index.js';
import { OPS } from './ops-files.js';

const DIR = join(OPS, 'grafana', 'dashboards');
const rendered = renderDashboards();

describe('ops/grafana/dashboards', () => {
  it('holds exactly the generated dashboards, each as the generator writes it (else run npm run docs:dashboards)', () => {
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(rendered).sort());
    for (const [name, text] of Object.entries(rendered)) expect(readFileSync(join(DIR, name), 'utf8'), name).toBe(text);
  });

  it('draws the error-rate rule as a line on the canary-against-stable error panel, and the latency rule as a series', () => {
    const deployment = JSON.parse(rendered['deployment.json'] ?? '{}') as { panels: Array<{ title: string; targets?: Array<{ expr: string }>; fieldConfig?: { defaults: { thresholds?: { steps: Array<{ value: number | null }> }; custom?: unknown } } }> };
    const rule = (id: string) => DEFAULT_RULES.find((r) => r.id === id)?.threshold;
    const errors = deployment.panels.find((p) => p.title.startsWith('Error rate'));
    expect(errors?.fieldConfig?.defaults.thresholds?.steps.map((s) => s.value)).toEqual([null, rule('error-rate')]);
    expect(errors?.fieldConfig?.defaults.custom).toEqual({ thresholdsStyle: { mode: 'line+area' } });
    const latency = deployment.panels.find((p) => p.title.startsWith('p95 latency'));
    expect(latency?.targets?.[1]?.expr).toMatch(new RegExp(`^${String(rule('latency-degraded')).replace('.', '\\.')} \\* histogram_quantile\\(0\\.95, .*track="stable"`));
  });
});
