import { describe, expect, it } from 'vitest';
import { assessPhase, validationPhases } from '../../../src/deploy/engine/index.js';

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
