import { describe, expect, it } from 'vitest';
import { addToPhase, assessPhase, validationPhases } from '../../../src/deploy/engine/index.js';

const [immediate, extended] = validationPhases([1000, 2000, 3000]);
const ms = (n: number, v: number): number[] => Array.from({ length: n }, () => v);

describe('post-deployment validation', () => {
  it("has the checklist's three phases, only the first rolling back", () => {
    expect(validationPhases([1, 2, 3]).map((p) => [p.name, p.durationMs, p.rollbackOnBreach])).toEqual([
      ['immediate', 1, true],
      ['extended', 2, false],
      ['final', 3, false],
    ]);
  });
  const cases = [
    { name: 'healthy traffic passes', traffic: { requests: 200, errors: 1, latenciesMs: ms(200, 40) }, status: 'pass' },
    { name: '1 % errors fails (the limit is < 1 %)', traffic: { requests: 200, errors: 2, latenciesMs: ms(200, 40) }, status: 'fail', says: 'error rate 1.00 %' },
    { name: 'p95 of 2 s fails', traffic: { requests: 100, errors: 0, latenciesMs: [...ms(90, 100), ...ms(10, 2500)] }, status: 'fail', says: 'p95 2500 ms' },
    { name: 'too little traffic is inconclusive, never a pass', traffic: { requests: 5, errors: 0, latenciesMs: ms(5, 10) }, status: 'inconclusive', says: 'too few' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = assessPhase(immediate ?? extended!, c.traffic);
      expect(v.status).toBe(c.status);
      if (c.says) expect(v.observed).toContain(c.says);
    });
  }
});

describe('post-deployment validation of the objectives', () => {
  const ok = { requests: 200, errors: 0, latenciesMs: ms(200, 40) };
  const at = 1_000;
  it('fails a phase whose video encodes miss 95 %, naming the objective, on a service that runs them', () => {
    const traffic = { ...ok, outcomes: { 'job:process': { succeeded: 170, failed: 30 } } };
    const v = assessPhase(immediate!, traffic, undefined, { service: 'video', at });
    expect(v.status).toBe('fail');
    expect(v.observed).toMatch(/objectives missed: slo-video-encoding: stable job:process success 85\.0 %/);
    expect(v.objectives?.map((a) => [a.ruleId, a.verdict])).toEqual([
      ['slo-video-encoding', 'fail'],
      ['slo-availability', 'pass'],
    ]);
  });
  it('passes healthy work, and judges only what was requested of that service', () => {
    const traffic = { ...ok, outcomes: { 'job:process': { succeeded: 200, failed: 1 }, auth: { succeeded: 50, failed: 0 } } };
    const v = assessPhase(immediate!, traffic, undefined, { service: 'video', at });
    expect(v.status).toBe('pass');
    // Video's encodes are held to their own 95 % only, not to file processing's 98 % as well.
    expect(v.objectives?.map((a) => a.ruleId)).toEqual(['slo-auth-success', 'slo-video-encoding', 'slo-availability']);
    expect(assessPhase(immediate!, traffic, undefined, { service: 'code', at }).objectives?.map((a) => a.ruleId)).toEqual(['slo-auth-success', 'slo-availability']);
  });
  it('adds windows up, outcomes and critical latencies included', () => {
    let t = { requests: 0, errors: 0, latenciesMs: [] as number[] };
    const w = { version: 'v2', requests: 10, errors: 1, authFailures: 0, unavailable: 0, latenciesMs: [5], outcomes: { auth: { succeeded: 9, failed: 1 } }, criticalLatenciesMs: [7, 8] };
    t = addToPhase(addToPhase(t, w, 3), w, 3);
    expect(t).toEqual({ requests: 20, errors: 2, latenciesMs: [5, 5], outcomes: { auth: { succeeded: 18, failed: 2 } }, criticalLatenciesMs: [8, 7, 8] });
  });
});
