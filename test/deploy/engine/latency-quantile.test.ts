// The latency rules test the quantile they name: seeded tables of the cases that matter (a tail
// regression, a huge ratio on thin traffic, a cold start's first slow requests), and the rate of
// false alarms on A/A runs (both tracks the same build), which the rule's α bounds.
import { describe, expect, it } from 'vitest';
import { assessRule, DEFAULT_RULES, quantileAboveTest, type Rule, type TrackWindow, type Verdict } from '../../../src/deploy/engine/index.js';
import { latencies, obs, seeded } from './fixtures.js';

const byId = (id: string): Rule => DEFAULT_RULES.find((r) => r.id === id)!;
const windowOf = (version: string, latenciesMs: number[]): TrackWindow => ({ version, requests: latenciesMs.length, errors: 0, authFailures: 0, unavailable: 0, latenciesMs });
const judge = (rule: Rule, stable: number[], canary: number[]) => assessRule(rule, obs(0, { stable: windowOf('v1', stable), canary: windowOf('v2', canary) }), 0, null).assessment;

/** 10 % of the requests (spread through the window by a seeded draw) take `extraMs` longer. */
function withSlowTail(base: number[], share: number, extraMs: number, seed: number): number[] {
  const next = seeded(seed);
  return base.map((ms) => (next() < share ? ms + extraMs : ms));
}

describe('latency rules test the quantile they name', () => {
  it.each<{ name: string; rule: string; stable: number[]; canary: number[]; not?: Verdict; verdict?: Verdict }>([
    {
      name: '10 % of requests +400 ms fails (the median does not move)',
      rule: 'latency-vs-stable',
      stable: latencies(1000, 50, 11),
      canary: withSlowTail(latencies(300, 50, 12), 0.1, 400, 13),
      verdict: 'fail',
    },
    {
      name: 'p95 ×50 on 8 samples does not pass (too few: no data)',
      rule: 'latency-vs-stable',
      stable: latencies(300, 8, 21),
      canary: [8, 9, 7, 8, 500, 8, 9, 8],
      not: 'pass',
    },
    {
      name: 'p95 ×50 from 2 slow requests of 30 does not pass (past the limit, not yet significant)',
      rule: 'latency-degraded',
      stable: latencies(300, 8, 31),
      canary: [...latencies(28, 8, 32), 510, 520],
      verdict: 'inconclusive',
    },
    {
      name: "a cold start's first 4 slow requests of 300 do not fail",
      rule: 'latency-vs-stable',
      stable: latencies(1000, 50, 41),
      canary: [400, 350, 300, 250, ...latencies(296, 50, 42)],
      not: 'fail',
    },
    {
      name: 'the whole distribution ×2 fails',
      rule: 'latency-vs-stable',
      stable: latencies(500, 50, 51),
      canary: latencies(200, 100, 52),
      verdict: 'fail',
    },
  ])('$name', ({ rule, stable, canary, verdict, not }) => {
    const a = judge(byId(rule), stable, canary);
    if (verdict !== undefined) expect(a.verdict, a.reason).toBe(verdict);
    if (not !== undefined) expect(a.verdict, a.reason).not.toBe(not);
  });

  it('never says pass next to a ratio past its limit', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const canary = withSlowTail(latencies(40, 20, seed * 7), 0.08, 300, seed * 7 + 1);
      const a = judge(byId('latency-degraded'), latencies(400, 20, seed * 7 + 2), canary);
      if (a.verdict === 'pass') expect(a.evidence.observed!, a.reason).toBeLessThanOrEqual(byId('latency-degraded').threshold);
    }
  });

  it('a configurable quantile: p99 is judged on the p99', () => {
    const rule: Rule = { ...byId('latency-vs-stable'), quantile: 0.99 };
    const a = judge(rule, latencies(2000, 50, 61), withSlowTail(latencies(2000, 50, 62), 0.03, 500, 63));
    expect([a.verdict, a.reason]).toEqual(['fail', expect.stringMatching(/canary p99 /)]);
  });

  it("raises false alarms on A/A runs at no more than the test's α (measured over 400 seeded runs)", () => {
    const runs = 400;
    let alarms = 0;
    for (let seed = 1; seed <= runs; seed++) {
      for (const id of ['latency-vs-stable', 'latency-degraded']) {
        if (judge(byId(id), latencies(600, 50, seed * 13), latencies(150, 50, seed * 13 + 5)).verdict === 'fail') alarms++;
      }
    }
    const rate = alarms / (2 * runs);
    console.log(`latency rules, A/A false-alarm rate: ${alarms}/${2 * runs} = ${(rate * 100).toFixed(2)} %`);
    expect(rate).toBeLessThanOrEqual(0.01);
  });
});

describe('quantileAboveTest', () => {
  it('is the exact binomial tail', () => {
    // 3 of 20 above, q = 0.95: P(Bin(20, 0.05) ≥ 3) = 0.0755
    expect(quantileAboveTest([...Array(17).fill(1), 9, 9, 9], 5, 0.95).pValue).toBeCloseTo(0.0755, 3);
    expect(quantileAboveTest([1, 2, 3], 5, 0.95)).toEqual({ above: 0, n: 3, pValue: 1 });
    expect(() => quantileAboveTest([1], 1, 1)).toThrow(RangeError);
  });
});
