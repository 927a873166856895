import { describe, expect, it } from 'vitest';
import { assessPromotionGate, type EarlierRecordSummary } from '../../../src/deploy/engine/index.js';

const PASSED = [
  { phase: 'immediate', status: 'pass' },
  { phase: 'extended', status: 'pass' },
];
const summary = (over: Partial<EarlierRecordSummary> = {}): EarlierRecordSummary => ({
  env: 'staging',
  service: 'ai',
  version: 'v2',
  deploymentId: 'dep-0000abcd',
  promoted: true,
  phases: PASSED,
  recordHash: 'f'.repeat(64),
  ...over,
});
const base = { env: 'production', service: 'ai', version: 'v2', earlierEnv: 'staging' };

describe('promotion gate', () => {
  const cases: Array<{ name: string; earlier: EarlierRecordSummary | { error: string } | null; earlierEnv?: string | null; verdict: string; missing?: string; reason: string }> = [
    { name: 'first in the chain needs nothing', earlier: null, earlierEnv: null, verdict: 'not-required', reason: 'first in the promotion chain' },
    {
      name: 'never deployed before',
      earlier: summary({ deploymentId: null, promoted: false, phases: [], recordHash: null }),
      verdict: 'fail',
      missing: 'promotion',
      reason: 'never deployed to staging',
    },
    { name: 'deployed but rolled back', earlier: summary({ promoted: false, phases: [] }), verdict: 'fail', missing: 'promotion', reason: 'was not promoted in staging' },
    { name: 'promoted, validation still running', earlier: summary({ phases: [] }), verdict: 'fail', missing: 'validation', reason: 'validation has not passed yet' },
    {
      name: 'promoted, a validation phase failed',
      earlier: summary({
        phases: [
          { phase: 'immediate', status: 'pass' },
          { phase: 'extended', status: 'fail' },
        ],
      }),
      verdict: 'fail',
      missing: 'validation',
      reason: 'failed its extended validation phase',
    },
    { name: 'the earlier environment cannot be read', earlier: { error: 'connect ECONNREFUSED' }, verdict: 'error', reason: 'cannot read staging' },
    { name: 'an answer about another version is no evidence', earlier: summary({ version: 'v3' }), verdict: 'error', reason: 'not ai v2' },
    { name: 'promoted and validated', earlier: summary(), verdict: 'pass', reason: 'promoted and validated in staging (dep-0000abcd, record ffffffffffff)' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const gate = assessPromotionGate({ ...base, earlierEnv: c.earlierEnv === undefined ? 'staging' : c.earlierEnv, earlier: c.earlier });
      expect(gate.verdict).toBe(c.verdict);
      expect(gate.reason).toContain(c.reason);
      if (c.missing !== undefined) expect(gate).toMatchObject({ missing: c.missing });
    });
  }

  it("carries the earlier record's hash and phases as evidence", () => {
    const gate = assessPromotionGate({ ...base, earlier: summary() });
    expect(gate).toMatchObject({ verdict: 'pass', evidence: { env: 'staging', deploymentId: 'dep-0000abcd', recordHash: 'f'.repeat(64), phases: PASSED } });
  });
});
