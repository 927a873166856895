import { describe, expect, it } from 'vitest';
import { assessPower, createPlan, planBudget, sampleSizeTwoProportions } from '../../../src/deploy/engine/index.js';

describe('statistical power of a plan', () => {
  it('matches the textbook sample size for 1 % → 5 %', () => {
    // By hand: p̄ = 0.03; (z·√(2p̄q̄) + z_β·√(p1q1 + p2q2))² / 0.04².
    expect(sampleSizeTwoProportions(0.01, 0.05, 0.05, 0.8)).toBe(224); // z = 1.645 one-sided
    expect(sampleSizeTwoProportions(0.01, 0.05, 0.025, 0.8)).toBe(285); // z = 1.96, the two-sided textbook figure
    expect(sampleSizeTwoProportions(0.01, 0.05, 0.001, 0.8)).toBe(561); // the side-by-side rule's alpha
  });
  it('says which canary steps cannot detect 1 % → 5 % at the traffic seen', () => {
    const plan = createPlan({ id: 'p', service: 'ai', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', steps: [5, 25, 50, 100], stepMs: 120_000 });
    const slow = assessPower(plan, 10); // 60, 300 and 600 requests reach the canary; 561 are needed
    expect(slow.map((s) => s.weightPercent)).toEqual([5, 25, 50]);
    expect(slow.map((s) => s.detectable)).toEqual([false, false, true]);
    expect(assessPower(plan, 1000).every((s) => s.detectable)).toBe(true);
  });
  it('budgets the fastest promotion and the worst time to detect and roll back', () => {
    const plan = createPlan({ id: 'p', service: 'ai', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', steps: [5, 25, 50, 100], stepMs: 60_000 });
    const b = planBudget(plan, { intervalMs: 1_000, windowMs: 30_000 });
    expect(b.fastestPromotionS).toBe(240);
    expect(b.slowestRule).toBe('latency-degraded');
    expect(b.worstDetectAndRollbackS).toBe(600 + 31);
  });
});
