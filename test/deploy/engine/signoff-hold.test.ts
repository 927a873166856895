// The sign-off hold: a promotion waits for missing roles from a start kept in the stored state, and
// rolls back once the deadline from that start has passed — whatever happened to the process between.
import { describe, expect, it } from 'vitest';
import { advance, createPlan, holdForSignoffs, promotes, startDeployment, type DeploymentState, type SignoffRole } from '../../../src/deploy/engine/index.js';
import { deepFreeze, healthyAlone, kinds } from './fixtures.js';

const T = 1_000_000;
const TIMEOUT = 60_000;
const plan = createPlan({ id: 'd1', service: 'api', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', steps: [100], stepMs: 10_000, readyTimeoutMs: 5_000 });

/** A canary on its last step, analysed long enough that the next observation promotes. */
function ready(awaitingSignoffSince: number | null): DeploymentState {
  const entered = advance(startDeployment(plan, T).state, { kind: 'instancesStarted' }, T + 1_000).state;
  return deepFreeze({ ...entered, awaitingSignoffSince });
}

describe('sign-off hold', () => {
  const cases: Array<{
    name: string;
    since: number | null;
    missing: SignoffRole[];
    at: number;
    hold: string;
    began: boolean;
    phase: string;
    since2: number | null | undefined;
    reason: RegExp;
    actions: string[];
  }> = [
    {
      name: 'complete sign-offs promote at once',
      since: null,
      missing: [],
      at: T + 20_000,
      hold: 'signed',
      began: false,
      phase: 'promoted',
      since2: null,
      reason: /all 1 steps passed/,
      actions: ['promote', 'setWeights', 'notify'],
    },
    {
      name: 'sign-offs given while waiting promote and clear the wait',
      since: T + 12_000,
      missing: [],
      at: T + 40_000,
      hold: 'signed',
      began: false,
      phase: 'promoted',
      since2: null,
      reason: /passed/,
      actions: ['promote', 'setWeights', 'notify'],
    },
    {
      name: 'a missing role starts the wait now and holds',
      since: null,
      missing: ['qa-lead'],
      at: T + 20_000,
      hold: 'waiting',
      began: true,
      phase: 'progressing',
      since2: T + 20_000,
      reason: new RegExp(`^promotion waits for sign-off by QA Lead until ${new Date(T + 20_000 + TIMEOUT).toISOString()}$`),
      actions: [],
    },
    {
      name: 'a wait in progress keeps its stored start',
      since: T + 12_000,
      missing: ['qa-lead', 'security-engineer'],
      at: T + 40_000,
      hold: 'waiting',
      began: false,
      phase: 'progressing',
      since2: T + 12_000,
      reason: new RegExp(`QA Lead, Security Engineer until ${new Date(T + 12_000 + TIMEOUT).toISOString()}$`),
      actions: [],
    },
    {
      name: 'just before the stored deadline still waits',
      since: T + 12_000,
      missing: ['qa-lead'],
      at: T + 12_000 + TIMEOUT - 1,
      hold: 'waiting',
      began: false,
      phase: 'progressing',
      since2: T + 12_000,
      reason: /waits for sign-off/,
      actions: [],
    },
    {
      name: 'at the stored deadline it rolls back',
      since: T + 12_000,
      missing: ['qa-lead'],
      at: T + 12_000 + TIMEOUT,
      hold: 'timed-out',
      began: false,
      phase: 'rolled-back',
      since2: T + 12_000,
      reason: /^aborted: promotion waits for sign-off by QA Lead: none came within 60 s$/,
      actions: ['setWeights', 'stopInstances', 'notify'],
    },
    {
      name: 'a deadline that passed while nobody looked (a restart) rolls back on the next look',
      since: T,
      missing: ['qa-lead'],
      at: T + 10 * TIMEOUT,
      hold: 'timed-out',
      began: false,
      phase: 'rolled-back',
      since2: T,
      reason: /none came within 60 s/,
      actions: ['setWeights', 'stopInstances', 'notify'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = ready(c.since);
      const promotion = advance(before, healthyAlone(c.at, 'canary'), c.at);
      expect(promotes(promotion)).toBe(true);
      const hold = holdForSignoffs(before, promotion, c.missing, TIMEOUT, c.at);
      expect([hold.hold, hold.began, hold.state.phase]).toEqual([c.hold, c.began, c.phase]);
      expect(hold.state.awaitingSignoffSince).toBe(c.since2);
      expect(hold.state.reason).toMatch(c.reason);
      expect(kinds(hold)).toEqual(c.actions);
    });
  }

  it('while waiting, the analysis goes on: the assessments are the latest, the step does not move', () => {
    const before = ready(T + 12_000);
    const promotion = advance(before, healthyAlone(T + 30_000, 'canary'), T + 30_000);
    const hold = holdForSignoffs(before, promotion, ['qa-lead'], TIMEOUT, T + 30_000);
    expect(hold.state.assessments).toEqual(promotion.state.assessments);
    expect(hold.state.assessments.length).toBeGreaterThan(0);
    expect([hold.state.stepIndex, hold.state.stepStartedAt]).toEqual([before.stepIndex, before.stepStartedAt]);
  });
});
