// The alert rules in ops/prometheus/alerts.yml carry the engine's numbers, not copies that drift:
// each threshold and `for` is read from the file and compared with MONITORING_ALERTS, and the
// critical error rate with the `error-rate` rollback rule the controller judges canaries by.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_RULES, MONITORING_ALERTS } from '../../src/deploy/engine/index.js';

interface AlertRule {
  alert?: string;
  expr: string;
  for?: string;
}
const file = parse(readFileSync(new URL('../../ops/prometheus/alerts.yml', import.meta.url), 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
const alerts = new Map(
  file.groups
    .flatMap((g) => g.rules)
    .filter((r) => r.alert !== undefined)
    .map((r) => [r.alert!, r]),
);

/** The number after the first `>` of an alert's expression. */
function lowerBound(name: string): number {
  const rule = alerts.get(name);
  expect(rule, name).toBeDefined();
  return Number(/>\s*([\d.]+)/.exec(rule!.expr)?.[1]);
}
const minutes = (name: string): number => Number(/^(\d+)m$/.exec(alerts.get(name)?.for ?? '')?.[1]) * 60_000;

describe('alert thresholds', () => {
  it.each([
    ['PitcheyErrorRateCritical', MONITORING_ALERTS.errorRate.critical],
    ['PitcheyErrorRateWarning', MONITORING_ALERTS.errorRate.warning],
    ['PitcheyLatencyCritical', MONITORING_ALERTS.latencyP95Seconds.critical],
    ['PitcheyLatencyWarning', MONITORING_ALERTS.latencyP95Seconds.warning],
  ])("%s fires above the engine's %d, held for its duration", (name, threshold) => {
    expect(lowerBound(name)).toBe(threshold);
    expect(minutes(name)).toBe(MONITORING_ALERTS.forMs);
  });

  it.each([
    ['PitcheyErrorRateWarning', MONITORING_ALERTS.errorRate.critical],
    ['PitcheyLatencyWarning', MONITORING_ALERTS.latencyP95Seconds.critical],
  ])('%s stops where the critical alert starts (%d), so one breach raises one alert', (name, critical) => {
    expect(Number(/<=\s*([\d.]+)/.exec(alerts.get(name)?.expr ?? '')?.[1])).toBe(critical);
  });

  it('pages at the same error rate and duration the controller rolls a canary back at', () => {
    const rule = DEFAULT_RULES.find((r) => r.id === 'error-rate');
    expect([rule?.threshold, rule?.forMs]).toEqual([MONITORING_ALERTS.errorRate.critical, MONITORING_ALERTS.forMs]);
  });
});
