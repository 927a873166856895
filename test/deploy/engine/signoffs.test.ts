import { describe, expect, it } from 'vitest';
import { assessSignoffs, refuseSignoff, type Approval, type Signer } from '../../../src/deploy/engine/index.js';

const NOW = 1_000_000;
const given = (over: Partial<Approval>): Approval => ({
  deploymentId: 'dep-1',
  role: 'qa-lead',
  name: 'bob',
  credential: 'key:b0b',
  comment: null,
  planHash: 'A',
  at: NOW - 10,
  expiresAt: NOW + 1000,
  ...over,
});

describe('sign-offs', () => {
  const cases: Array<{ name: string; required?: Array<Approval['role']>; approvals: Approval[]; complete: boolean; missing: string[]; rejected?: string; shared?: boolean }> = [
    { name: 'nothing required is complete', required: [], approvals: [], complete: true, missing: [] },
    { name: 'a valid approval counts', approvals: [given({})], complete: true, missing: [] },
    { name: 'an approval for plan B does not count for plan A', approvals: [given({ planHash: 'B' })], complete: false, missing: ['qa-lead'], rejected: 'given for plan B' },
    { name: 'an expired approval does not count', approvals: [given({ expiresAt: NOW })], complete: false, missing: ['qa-lead'], rejected: 'expired' },
    { name: 'the author cannot approve', approvals: [given({ name: 'Alice ' })], complete: false, missing: ['qa-lead'], rejected: 'author' },
    { name: 'another role does not stand in', approvals: [given({ role: 'product-manager' })], complete: false, missing: ['qa-lead'] },
    {
      name: 'one person does not fill two roles',
      required: ['qa-lead', 'devops-engineer'],
      approvals: [given({}), given({ role: 'devops-engineer', name: 'BOB' })],
      complete: false,
      missing: ['devops-engineer'],
      rejected: 'one person fills one role',
    },
    {
      name: 'one person fills two roles where the environment allows it',
      required: ['qa-lead', 'devops-engineer'],
      approvals: [given({}), given({ role: 'devops-engineer' })],
      complete: true,
      missing: [],
      shared: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = assessSignoffs({ required: c.required ?? ['qa-lead'], approvals: c.approvals, planHash: 'A', author: 'alice', now: NOW, sharedRoles: c.shared ?? false });
      expect(r.complete).toBe(c.complete);
      expect(r.missing).toEqual(c.missing);
      if (c.rejected !== undefined) expect(r.rejected[0]?.why).toContain(c.rejected);
    });
  }
});

describe('who may sign off', () => {
  const bob: Signer = { person: 'bob', holdsRole: true, named: null };
  const cases: Array<{ name: string; role?: string; signer: Signer; approvals?: Approval[]; shared?: boolean; refused: string | null }> = [
    { name: 'the holder of the role, in their own name', signer: bob, refused: null },
    { name: 'the holder, naming themselves', signer: { ...bob, named: 'Bob' }, refused: null },
    { name: 'a machine key names no one', signer: { person: null, holdsRole: false, named: 'bob' }, refused: 'names no one' },
    { name: 'a name other than the authenticated person', signer: { ...bob, named: 'carol' }, refused: 'not the authenticated bob' },
    { name: 'a person without the role', signer: { ...bob, holdsRole: false }, refused: 'does not hold the QA Lead role' },
    { name: 'the author, even holding the role', signer: { ...bob, person: 'alice' }, refused: 'cannot sign it off' },
    { name: 'an unknown role', role: 'janitor', signer: bob, refused: 'unknown role' },
    { name: 'a second role by one person', role: 'devops-engineer', signer: bob, approvals: [given({})], refused: 'already signed off as QA Lead' },
    { name: 'a second role where shared roles are allowed', role: 'devops-engineer', signer: bob, approvals: [given({})], shared: true, refused: null },
    { name: 'a second role after the first expired', role: 'devops-engineer', signer: bob, approvals: [given({ expiresAt: NOW })], refused: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const why = refuseSignoff({ role: c.role ?? 'qa-lead', signer: c.signer, approvals: c.approvals ?? [], planHash: 'A', author: 'alice', now: NOW, sharedRoles: c.shared ?? false });
      if (c.refused === null) expect(why).toBeNull();
      else expect(why).toContain(c.refused);
    });
  }
});
