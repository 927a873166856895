import { describe, expect, it } from 'vitest';
import { assessSignoffs, type Approval } from '../../../src/deploy/engine/index.js';

const NOW = 1_000_000;
const given = (over: Partial<Approval>): Approval => ({ deploymentId: 'dep-1', role: 'qa-lead', name: 'bob', comment: null, planHash: 'A', at: NOW - 10, expiresAt: NOW + 1000, ...over });

describe('sign-offs', () => {
  const cases: Array<{ name: string; approvals: Approval[]; complete: boolean; missing: string[]; rejected?: string }> = [
    { name: 'nothing required is complete', approvals: [], complete: true, missing: [] },
    { name: 'a valid approval counts', approvals: [given({})], complete: true, missing: [] },
    { name: 'an approval for plan B does not count for plan A', approvals: [given({ planHash: 'B' })], complete: false, missing: ['qa-lead'], rejected: 'given for plan B' },
    { name: 'an expired approval does not count', approvals: [given({ expiresAt: NOW })], complete: false, missing: ['qa-lead'], rejected: 'expired' },
    { name: 'the author cannot approve', approvals: [given({ name: 'Alice ' })], complete: false, missing: ['qa-lead'], rejected: 'author' },
    { name: 'another role does not stand in', approvals: [given({ role: 'product-manager' })], complete: false, missing: ['qa-lead'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const required = c.name.startsWith('nothing') ? [] : (['qa-lead'] as const);
      const r = assessSignoffs({ required, approvals: c.approvals, planHash: 'A', author: 'alice', now: NOW });
      expect(r.complete).toBe(c.complete);
      expect(r.missing).toEqual(c.missing);
      if (c.rejected !== undefined) expect(r.rejected[0]?.why).toContain(c.rejected);
    });
  }
});
