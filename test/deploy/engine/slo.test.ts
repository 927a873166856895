// The checklist's objectives as rules: success ratios and the critical p95, judged candidate against
// the objective with stable beside it, the same verdicts, evidence and no-data policy as every rule.
import { describe, expect, it } from 'vitest';
import {
  advance,
  assessRule,
  binomialUpperTail,
  createPlan,
  DEFAULT_RULES,
  OBJECTIVES,
  startDeployment,
  type OperationOutcomes,
  type Rule,
  type TrackWindow,
  type Verdict,
} from '../../../src/deploy/engine/index.js';
import { obs, win } from './fixtures.js';

const byId = (id: string): Rule => {
  const rule = DEFAULT_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no default rule ${id}`);
  return rule;
};

/** A window of `requests` healthy answers plus the given outcomes and critical latencies. */
function slo(version: string, outcomes: Record<string, OperationOutcomes>, criticalLatenciesMs?: number[]): TrackWindow {
  return { ...win(version, 50), outcomes, ...(criticalLatenciesMs ? { criticalLatenciesMs } : {}) };
}
const jobs = (succeeded: number, failed: number): Record<string, OperationOutcomes> => ({ 'job:process': { succeeded, failed } });
const ms = (n: number, v: number): number[] => Array.from({ length: n }, () => v);

describe('objectives as rules', () => {
  it('has one rule per checklist objective, with its target', () => {
    const targets = Object.fromEntries(DEFAULT_RULES.filter((r) => r.id.startsWith('slo-')).map((r) => [r.id, r.threshold]));
    expect(targets).toEqual({
      'slo-auth-success': 0.99,
      'slo-file-processing': 0.98,
      'slo-video-encoding': 0.95,
      'slo-document-processing': 0.98,
      'slo-ai-inference': 0.97,
      'slo-availability': 0.999,
      'slo-critical-latency': 2000,
    });
    expect(OBJECTIVES).toHaveLength(7);
  });

  it.each<{ name: string; rule: string; stable?: TrackWindow; canary?: TrackWindow; verdict: Verdict; reason: RegExp }>([
    {
      name: 'video jobs failing 10 % of 300 fail the 95 % objective at once',
      rule: 'slo-video-encoding',
      stable: slo('v1', jobs(297, 3)),
      canary: slo('v2', jobs(270, 30)),
      verdict: 'fail',
      reason: /canary job:process success 90\.0 % \(30 failed of 300\), objective ≥ 95\.0 %; binomial p=0\.0003, needs < 0\.001.*stable 99\.0 %/,
    },
    {
      name: '20 of 200 failing (10 %) is past the objective but not yet significant (p = 0.0027): inconclusive, never a pass',
      rule: 'slo-video-encoding',
      stable: slo('v1', jobs(200, 0)),
      canary: slo('v2', jobs(180, 20)),
      verdict: 'inconclusive',
      reason: /too little evidence yet/,
    },
    {
      name: '3 % failing passes the 95 % objective',
      rule: 'slo-video-encoding',
      stable: slo('v1', jobs(100, 0)),
      canary: slo('v2', jobs(97, 3)),
      verdict: 'pass',
      reason: /97\.0 %/,
    },
    {
      name: 'a canary no worse than stable is not rolled back for the same shortfall',
      rule: 'slo-video-encoding',
      stable: slo('v1', jobs(220, 80)),
      canary: slo('v2', jobs(230, 70)),
      verdict: 'pass',
      reason: /not this release's doing/,
    },
    {
      name: 'file processing counts every job type',
      rule: 'slo-file-processing',
      canary: slo('v2', { 'job:hls': { succeeded: 100, failed: 10 }, 'job:dash': { succeeded: 0, failed: 0 } }),
      verdict: 'fail',
      reason: /job: success 90\.9 % \(10 failed of 110\)/,
    },
    {
      name: 'too few outcomes is no data: inconclusive',
      rule: 'slo-auth-success',
      canary: slo('v2', { auth: { succeeded: 5, failed: 5 } }),
      verdict: 'inconclusive',
      reason: /no data: canary has 10 of 30 auth outcomes needed/,
    },
    {
      name: 'availability counts 5xx against every answer',
      rule: 'slo-availability',
      canary: win('v2', 1000, { errors: 8 }),
      verdict: 'fail',
      reason: /requests success 99\.20 % \(8 failed of 1000\), objective ≥ 99\.90 %/,
    },
    {
      name: 'critical p95 of 2.5 s fails the 2 s objective',
      rule: 'slo-critical-latency',
      canary: slo('v2', {}, [...ms(80, 100), ...ms(20, 2500)]),
      verdict: 'fail',
      reason: /critical-route p95 2500 ms, objective < 2000 ms \(20\/100 beyond it/,
    },
    {
      name: 'critical p95 under 2 s passes',
      rule: 'slo-critical-latency',
      canary: slo('v2', {}, [...ms(97, 100), ...ms(3, 2500)]),
      verdict: 'pass',
      reason: /p95 100 ms/,
    },
  ])('$name', ({ rule, stable, canary, verdict, reason }) => {
    const tracks = { ...(stable ? { stable } : {}), ...(canary ? { canary } : {}) };
    const r = assessRule(byId(rule), obs(1_000, tracks), 1_000, null, { candidate: 'canary', baseline: 'stable' });
    expect(r.assessment.verdict).toBe(verdict);
    expect(r.assessment.reason).toMatch(reason);
  });

  it('gives the exact test as evidence', () => {
    const r = assessRule(byId('slo-video-encoding'), obs(1, { canary: slo('v2', jobs(180, 20)) }), 1, null, { candidate: 'canary', baseline: 'stable' });
    expect(r.assessment.evidence).toMatchObject({ observed: 0.9, threshold: 0.95, samples: { candidate: 200, baseline: 0 }, statistic: { name: 'binomial-exact', value: 20 } });
    expect(r.assessment.evidence.statistic?.pValue).toBeCloseTo(binomialUpperTail(20, 200, 0.05), 12);
    // 20 or more failures in 200 at a true 5 %: about 1 in 375 (R: pbinom(19, 200, 0.05, lower.tail = FALSE) = 0.002665).
    expect(binomialUpperTail(20, 200, 0.05)).toBeCloseTo(0.002665, 5);
  });

  it('an error in outcome counts is an error verdict, not a pass', () => {
    const r = assessRule(byId('slo-video-encoding'), obs(1, { canary: slo('v2', jobs(10, -1)) }), 1, null);
    expect(r.assessment.verdict).toBe('error');
  });
});

describe('objectives in a canary', () => {
  const plan = (service: string) =>
    createPlan({ id: 'd1', service, fromVersion: 'v1', toVersion: 'v2', strategy: 'canary', steps: [50, 100], stepMs: 10_000, instances: 1, rules: [...DEFAULT_RULES] });
  const T = 1_000_000;
  const start = (service: string) => advance(startDeployment(plan(service), T).state, { kind: 'instancesStarted' }, T + 1).state;

  it('rolls back a video canary whose encodes fail 10 % of the time, naming the objective', () => {
    const observation = obs(T + 5_000, { stable: slo('v1', jobs(300, 1)), canary: slo('v2', jobs(270, 30)) });
    const r = advance(start('video'), { kind: 'observe', observation }, T + 5_000);
    expect(r.state.phase).toBe('rolled-back');
    expect(r.state.reason).toMatch(/^rule slo-video-encoding failed: canary job:process success 90\.0 %/);
  });

  it('judges an objective only in deployments of its service', () => {
    const observation = obs(T + 5_000, { stable: slo('v1', jobs(200, 1)), canary: slo('v2', jobs(180, 20)) });
    const r = advance(start('code'), { kind: 'observe', observation }, T + 5_000);
    expect(r.state.phase).toBe('progressing');
    expect(r.state.assessments.map((a) => a.ruleId)).not.toContain('slo-video-encoding');
  });

  it('does not judge, nor hold the step on, an objective of work nobody requested in the window', () => {
    const quiet = obs(T + 11_000, { stable: win('v1', 200, { seed: 3 }), canary: win('v2', 200, { seed: 4 }) });
    const r = advance(start('video'), { kind: 'observe', observation: quiet }, T + 11_000);
    expect(r.state.stepIndex).toBe(1);
    expect(r.state.assessments.map((a) => a.ruleId)).not.toContain('slo-video-encoding');
  });

  it('does not hold the step on a handful of outcomes on every track (smoke requests with credentials)', () => {
    const few = obs(T + 11_000, {
      stable: { ...win('v1', 200, { seed: 3 }), outcomes: { auth: { succeeded: 4, failed: 0 } } },
      canary: { ...win('v2', 200, { seed: 4 }), outcomes: { auth: { succeeded: 5, failed: 0 } } },
    });
    const r = advance(start('ai'), { kind: 'observe', observation: few }, T + 11_000);
    expect(r.state.stepIndex).toBe(1);
  });

  it('holds the step while requested work has too few outcomes on the canary', () => {
    const thin = obs(T + 11_000, { stable: { ...win('v1', 200, { seed: 3 }), outcomes: jobs(30, 0) }, canary: { ...win('v2', 200, { seed: 4 }), outcomes: jobs(3, 0) } });
    const r = advance(start('video'), { kind: 'observe', observation: thin }, T + 11_000);
    expect(r.state.stepIndex).toBe(0);
    expect(r.state.reason).toMatch(/held by slo-video-encoding \(inconclusive: no data: canary has 3 of 30/);
  });
});
