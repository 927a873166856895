// assessRule as a table: side-by-side verdicts, `for` semantics, minimum samples, evidence.
import { describe, expect, it } from 'vitest';
import { assessRule, DEFAULT_RULES, inferTracks, type Rule, type Verdict } from '../../../src/deploy/engine/index.js';
import { obs, win } from './fixtures.js';

const byId = (id: string): Rule => {
  const rule = DEFAULT_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no default rule ${id}`);
  return rule;
};
const rule = (over: Partial<Rule>): Rule => ({
  id: 'r',
  metric: 'error-rate',
  threshold: 0.05,
  forMs: 0,
  minSamples: 20,
  noData: 'inconclusive',
  action: 'rollback',
  ...over,
});

describe('assessRule: side by side, one window', () => {
  it.each<{ name: string; rule: Rule; stable?: ReturnType<typeof win>; canary?: ReturnType<typeof win>; verdict: Verdict; reason: RegExp }>([
    {
      name: '20 % errors vs 0 % at ~50 requests fails at once',
      rule: byId('error-rate-vs-stable'),
      stable: win('v1', 50),
      canary: win('v2', 50, { errors: 10 }),
      verdict: 'fail',
      reason: /canary error rate 20\.0 % vs stable 0\.0 %.*breached at once/,
    },
    {
      name: 'a good canary with noise (1.2 % vs 1 % at n = 1000) passes',
      rule: byId('error-rate-vs-stable'),
      stable: win('v1', 1000, { errors: 10 }),
      canary: win('v2', 1000, { errors: 12 }),
      verdict: 'pass',
      reason: /1\.2 % vs stable 1\.0 %/,
    },
    {
      name: 'a good canary with noise (1.5 % vs 1 % at n = 200) passes',
      rule: byId('error-rate-vs-stable'),
      stable: win('v1', 200, { errors: 2 }),
      canary: win('v2', 200, { errors: 3 }),
      verdict: 'pass',
      reason: /p=/,
    },
    {
      name: 'one error among 30 canary requests is noise, not a breach (Fisher fallback)',
      rule: byId('error-rate-vs-stable'),
      stable: win('v1', 300),
      canary: win('v2', 30, { errors: 1 }),
      verdict: 'pass',
      reason: /3\.3 %/,
    },
    {
      name: 'significant but below the threshold difference passes (3 % vs 2 % at n = 20000)',
      rule: byId('error-rate-vs-stable'),
      stable: win('v1', 20000, { errors: 400 }),
      canary: win('v2', 20000, { errors: 600 }),
      verdict: 'pass',
      reason: /\+1\.0 pts/,
    },
    {
      name: '+100 % latency fails the fast latency rule at once',
      rule: byId('latency-vs-stable'),
      stable: win('v1', 200, { medianMs: 50, seed: 1 }),
      canary: win('v2', 200, { medianMs: 100, seed: 2 }),
      verdict: 'fail',
      reason: /Mann–Whitney/,
    },
    {
      name: 'same latency distribution passes',
      rule: byId('latency-vs-stable'),
      stable: win('v1', 200, { seed: 3 }),
      canary: win('v2', 200, { seed: 4 }),
      verdict: 'pass',
      reason: /p95/,
    },
    {
      name: 'the checklist latency rule only starts its 10 min clock on +100 %',
      rule: byId('latency-degraded'),
      stable: win('v1', 200, { medianMs: 50, seed: 1 }),
      canary: win('v2', 200, { medianMs: 100, seed: 2 }),
      verdict: 'inconclusive',
      reason: /breaching for 0 ms of 10 min/,
    },
    {
      name: 'auth failures above stable start the auth clock',
      rule: byId('auth-failures'),
      stable: win('v1', 100),
      canary: win('v2', 100, { authFailures: 20 }),
      verdict: 'inconclusive',
      reason: /401\/403 rate 20\.0 %.*breaching for 0 ms of 30 s/,
    },
    {
      name: "auth failures at stable's rate pass",
      rule: byId('auth-failures'),
      stable: win('v1', 100, { authFailures: 2 }),
      canary: win('v2', 100, { authFailures: 3 }),
      verdict: 'pass',
      reason: /401\/403/,
    },
    {
      name: 'unavailable answers at or above the share fail at once',
      rule: byId('unavailable'),
      stable: win('v1', 100),
      canary: win('v2', 40, { unavailable: 10 }),
      verdict: 'fail',
      reason: /unavailable answers 25\.0 %/,
    },
    {
      name: 'a few unavailable answers pass',
      rule: byId('unavailable'),
      stable: win('v1', 100),
      canary: win('v2', 100, { unavailable: 2 }),
      verdict: 'pass',
      reason: /2\/100/,
    },
    {
      name: 'absolute error rate above 5 % starts the 5 min clock',
      rule: byId('error-rate'),
      canary: win('v2', 100, { errors: 6 }),
      verdict: 'inconclusive',
      reason: /6\.0 %.*breaching for 0 ms of 5 min/,
    },
    {
      name: 'inconsistent counts are an error, not a verdict',
      rule: byId('error-rate'),
      canary: { ...win('v2', 10), errors: 11 },
      verdict: 'error',
      reason: /more failures than requests/,
    },
  ])('$name', ({ rule: r, stable, canary, verdict, reason }) => {
    const tracks = { ...(stable ? { stable } : {}), ...(canary ? { canary } : {}) };
    const { assessment } = assessRule(r, obs(1000, tracks), 1000, null);
    expect(assessment.verdict).toBe(verdict);
    expect(assessment.reason).toMatch(reason);
    expect(assessment).toMatchObject({ ruleId: r.id, at: 1000, evidence: { threshold: r.threshold } });
  });

  it('carries evidence: observed, threshold, sample sizes and the statistic', () => {
    const { assessment } = assessRule(byId('error-rate-vs-stable'), obs(0, { stable: win('v1', 50), canary: win('v2', 50, { errors: 10 }) }), 0, null);
    expect(assessment.evidence.observed).toBeCloseTo(0.2, 10);
    expect(assessment.evidence.samples).toEqual({ candidate: 50, baseline: 50 });
    expect(assessment.evidence.statistic?.name).toBe('two-proportion-z');
    expect(assessment.evidence.statistic?.value).toBeCloseTo(3.333, 3);
    expect(assessment.evidence.statistic?.pValue).toBeLessThan(0.001);

    const latency = assessRule(
      byId('latency-vs-stable'),
      obs(0, {
        stable: win('v1', 200, { medianMs: 50, seed: 1 }),
        canary: win('v2', 200, { medianMs: 100, seed: 2 }),
      }),
      0,
      null,
    ).assessment;
    expect(latency.evidence.observed).toBeGreaterThan(1.8);
    expect(latency.evidence.statistic).toMatchObject({ name: 'mann-whitney-u' });
    expect(latency.evidence.statistic?.pValue).toBeLessThan(0.01);
  });
});

describe('assessRule: `for` semantics', () => {
  const fiveMinutes = rule({ forMs: 300_000 });
  const bad = obs(0, { canary: win('v2', 100, { errors: 10 }) });
  const good = obs(0, { canary: win('v2', 100, { errors: 1 }) });
  it.each([
    { name: 'a first breach starts the clock', o: bad, now: 10_000, prev: null, verdict: 'inconclusive', since: 10_000, reason: /breaching for 0 ms of 5 min/ },
    { name: 'a breach held 2 min is not yet a fail', o: bad, now: 130_000, prev: 10_000, verdict: 'inconclusive', since: 10_000, reason: /breaching for 2 min of 5 min/ },
    { name: 'a breach held exactly forMs fails', o: bad, now: 310_000, prev: 10_000, verdict: 'fail', since: 10_000, reason: /breached for 5 min \(limit 5 min\)/ },
    { name: 'a non-breach resets the clock', o: good, now: 200_000, prev: 10_000, verdict: 'pass', since: null, reason: /1\.0 %/ },
    { name: 'no data resets the clock and is not a pass', o: obs(0, {}), now: 200_000, prev: 10_000, verdict: 'inconclusive', since: null, reason: /no data/ },
  ] as const)('$name', ({ o, now, prev, verdict, since, reason }) => {
    const { assessment, breachSince } = assessRule(fiveMinutes, o, now, prev);
    expect(assessment.verdict).toBe(verdict);
    expect(breachSince).toBe(since);
    expect(assessment.reason).toMatch(reason);
  });

  it('forMs 0 fails on the first breaching window', () => {
    expect(assessRule(rule({ forMs: 0 }), bad, 5, null)).toMatchObject({ assessment: { verdict: 'fail' }, breachSince: 5 });
  });
});

describe('assessRule: minimum samples — no data is never a pass', () => {
  it.each([
    { name: 'below minSamples', r: rule({ minSamples: 20 }), o: obs(0, { canary: win('v2', 19, { errors: 19 }) }), verdict: 'inconclusive', reason: /canary has 19 of 20 samples/ },
    { name: 'below minSamples, noData fail', r: rule({ noData: 'fail' }), o: obs(0, { canary: win('v2', 5) }), verdict: 'fail', reason: /no data/ },
    { name: 'no traffic at all', r: rule({}), o: obs(0, {}), verdict: 'inconclusive', reason: /no traffic reached canary/ },
    { name: 'side by side without a baseline', r: byId('error-rate-vs-stable'), o: obs(0, { canary: win('v2', 500) }), verdict: 'inconclusive', reason: /no traffic reached stable/ },
    {
      name: 'side by side with a thin baseline',
      r: byId('error-rate-vs-stable'),
      o: obs(0, { stable: win('v1', 10), canary: win('v2', 500) }),
      verdict: 'inconclusive',
      reason: /stable has 10 of 30/,
    },
    { name: 'latency with too few samples', r: byId('latency-vs-stable'), o: obs(0, { stable: win('v1', 500), canary: win('v2', 29) }), verdict: 'inconclusive', reason: /canary has 29 of 30/ },
    { name: 'perfect but thin traffic', r: byId('unavailable'), o: obs(0, { canary: win('v2', 9) }), verdict: 'inconclusive', reason: /9 of 10/ },
  ] as const)('$name → $verdict', ({ r, o, verdict, reason }) => {
    const { assessment, breachSince } = assessRule(r, o, 0, null);
    expect(assessment.verdict).toBe(verdict);
    expect(assessment.verdict).not.toBe('pass');
    expect(assessment.reason).toMatch(reason);
    expect(assessment.evidence.observed).toBeNull();
    expect(breachSince).toBeNull();
  });
});

describe('assessRule: unavailable instances', () => {
  it('no ready candidate instance fails at once, whatever the traffic', () => {
    const o = obs(0, { stable: win('v1', 100) }, { stable: { ready: 1, total: 1 }, canary: { ready: 0, total: 2 } });
    const { assessment } = assessRule(byId('unavailable'), o, 0, null);
    expect(assessment.verdict).toBe('fail');
    expect(assessment.reason).toMatch(/no ready canary instance \(0 of 2\)/);
    expect(assessment.evidence.statistic).toEqual({ name: 'ready-instances', value: 0 });
  });
});

describe('inferTracks', () => {
  it.each([
    { tracks: { stable: win('v1', 1), canary: win('v2', 1) }, want: { candidate: 'canary', baseline: 'stable' } },
    { tracks: { blue: win('v1', 1), green: win('v2', 1) }, want: { candidate: 'green', baseline: 'blue' } },
    { tracks: { stable: win('v1', 1), green: win('v2', 1) }, want: { candidate: 'green', baseline: 'stable' } },
  ])('$want', ({ tracks, want }) => {
    expect(inferTracks(obs(0, tracks))).toEqual(want);
  });

  it('explicit tracks win over inference', () => {
    const o = obs(0, { stable: win('v1', 50), canary: win('v2', 50), green: win('v2', 50, { errors: 10 }) });
    const { assessment } = assessRule(byId('error-rate-vs-stable'), o, 0, null, { candidate: 'green', baseline: 'stable' });
    expect(assessment.verdict).toBe('fail');
  });
});
