import { describe, expect, it } from 'vitest';
import { judgeRollback, requiredSignoffs, type PromotedVersion, type RollbackPolicy } from '../../../src/deploy/engine/index.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;
const LENIENT: RollbackPolicy = { signoffs: 'none', maxAgeMs: 30 * DAY };
const ran = (version: string, daysAgo: number, validated = true): PromotedVersion => ({ version, promotedAt: NOW - daysAgo * DAY, validated });

describe('rollback policy', () => {
  const cases: Array<{ name: string; target: string; history?: PromotedVersion[]; policy?: RollbackPolicy; waived: boolean; why: string }> = [
    { name: 'back to the version before needs no forward sign-offs', target: 'v1', waived: true, why: 'v1 was the stable version before v2' },
    { name: 'back to a version validated here last week', target: 'v0', history: [ran('v0', 7)], waived: true, why: 'passed validation here 7 d ago' },
    { name: 'the newest validated promotion counts', target: 'v0', history: [ran('v0', 40), ran('v0', 2)], waived: true, why: '2 d ago' },
    { name: 'a version validated too long ago waits', target: 'v0', history: [ran('v0', 45)], waived: false, why: 'not promoted and validated here within 30 d' },
    { name: 'a version promoted but never validated waits', target: 'v0', history: [ran('v0', 1, false)], waived: false, why: 'not promoted and validated' },
    { name: 'a version that never ran here waits', target: 'v9', waived: false, why: 'not promoted and validated' },
    { name: 'a policy that requires sign-offs holds even the previous version', target: 'v1', policy: { ...LENIENT, signoffs: 'required' }, waived: false, why: 'PITCHEY_ROLLBACK_SIGNOFFS=required' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const grant = judgeRollback({ target: c.target, current: 'v2', previous: 'v1', history: c.history ?? [], policy: c.policy ?? LENIENT, now: NOW });
      expect(grant.signoffsWaived).toBe(c.waived);
      expect(grant.why).toContain(c.why);
      expect(grant.from).toBe('v2');
    });
  }

  it("a waived rollback requires no sign-off; a forward deployment and a held rollback require the policy's", () => {
    const policy = { required: ['qa-lead', 'devops-engineer'] as const, sharedRoles: false };
    expect(requiredSignoffs({ rollback: { from: 'v2', signoffsWaived: true, why: '' } }, policy)).toEqual([]);
    expect(requiredSignoffs({ rollback: { from: 'v2', signoffsWaived: false, why: '' } }, policy)).toEqual(policy.required);
    expect(requiredSignoffs({}, policy)).toEqual(policy.required);
  });
});
