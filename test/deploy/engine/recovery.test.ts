// Restart recovery: each stored state a controller may die in, and what the engine decides from it
// and the time — resume the step on new instances, keep waiting for sign-offs with the same
// deadline, roll back, or complete what was under way.
import { describe, expect, it } from 'vitest';
import { advance, createPlan, recoverDeployment, startDeployment, type DeploymentState, type EngineInput, type PlanInput } from '../../../src/deploy/engine/index.js';
import { deepFreeze, healthy, kinds } from './fixtures.js';

const T = 1_000_000;
const TIMEOUT = 60_000;
const canaryInput: PlanInput = { id: 'd1', service: 'api', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', steps: [10, 50, 100], stepMs: 10_000, readyTimeoutMs: 5_000 };
const started: EngineInput = { kind: 'instancesStarted' };

/** The state after feeding `inputs` (at T + 1 s, + 2 s, …) to a fresh deployment of `input`. */
function after(input: PlanInput, inputs: EngineInput[], patch: Partial<DeploymentState> = {}): DeploymentState {
  let state = startDeployment(createPlan(input), T).state;
  inputs.forEach((i, n) => {
    state = advance(state, i, T + (n + 1) * 1_000).state;
  });
  return deepFreeze({ ...state, ...patch });
}

const onStep2 = after(canaryInput, [started], { stepIndex: 1 }); // on its second step, as the controller stored it
const LATER = T + 100_000;

describe('restart recovery', () => {
  const cases: Array<{ name: string; state: DeploymentState; now?: number; decision: string; phase: string; actions: string[]; why: RegExp }> = [
    {
      name: 'mid-canary: the canary starts again for the step it was on',
      state: onStep2,
      decision: 'resume',
      phase: 'starting',
      actions: ['setWeights', 'startInstances'],
      why: /step 2\/3 \(canary at 50 %\) resumes on new instances/,
    },
    {
      name: 'still starting its first instances: starts them again',
      state: after(canaryInput, []),
      decision: 'resume',
      phase: 'starting',
      actions: ['setWeights', 'startInstances'],
      why: /step 1\/3/,
    },
    {
      name: 'paused: comes back paused',
      state: { ...onStep2, phase: 'paused', reason: 'paused: rule x failed' },
      decision: 'resume',
      phase: 'starting',
      actions: ['setWeights', 'startInstances'],
      why: /resumes/,
    },
    {
      name: 'waiting for sign-offs within the deadline: keeps waiting',
      state: { ...onStep2, awaitingSignoffSince: LATER - 30_000 },
      decision: 'keep-waiting',
      phase: 'starting',
      actions: ['setWeights', 'startInstances'],
      why: /keeps its deadline/,
    },
    {
      name: 'waiting for sign-offs past the deadline: rolls back',
      state: { ...onStep2, awaitingSignoffSince: LATER - TIMEOUT },
      decision: 'roll-back',
      phase: 'rolled-back',
      actions: [],
      why: /ran out while the controller was down/,
    },
    {
      name: 'blue-green mid-bake: green starts again',
      state: after({ ...canaryInput, strategy: 'blue-green', steps: [100], bakeMs: 30_000 }, [started]),
      decision: 'resume',
      phase: 'starting',
      actions: ['setWeights', 'startInstances'],
      why: /green at 100 %/,
    },
    {
      name: 'rolling mid-batch: rolls back (old instances were retired batch by batch)',
      state: after({ id: 'd2', service: 'api', strategy: 'rolling', fromVersion: 'v1', toVersion: 'v2', instances: 2, stableInstances: 2, readyTimeoutMs: 5_000 }, [started]),
      decision: 'roll-back',
      phase: 'rolled-back',
      actions: [],
      why: /\(rolling, progressing\): rolled back to stable/,
    },
    { name: 'promoting: the promotion completes', state: { ...onStep2, phase: 'promoting' }, decision: 'complete', phase: 'promoted', actions: [], why: /promotion completed/ },
    { name: 'rolling back: the rollback completes', state: { ...onStep2, phase: 'rolling-back' }, decision: 'complete', phase: 'rolled-back', actions: [], why: /rollback completed/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(['starting', 'progressing', 'paused', 'promoting', 'rolling-back']).toContain(c.state.phase);
      const r = recoverDeployment(c.state, c.now ?? LATER, { signoffTimeoutMs: TIMEOUT });
      expect([r.decision, r.state.phase]).toEqual([c.decision, c.phase]);
      expect(kinds(r)).toEqual(c.actions);
      expect(r.why).toMatch(c.why);
      expect(r.state.reason).toBe(r.why);
      expect(r.state.updatedAt).toBe(LATER);
    });
  }

  it('a resumed canary, once its instances are ready, is back on its step with the weights of that step, analysed afresh', () => {
    const r = recoverDeployment(onStep2, LATER, { signoffTimeoutMs: TIMEOUT });
    expect(r.actions[0]).toEqual({ kind: 'setWeights', weights: { stable: 100, canary: 0 } });
    const back = advance(r.state, started, LATER + 2_000);
    expect(back.state).toMatchObject({ phase: 'progressing', stepIndex: 1, stepStartedAt: LATER + 2_000, resumeAt: null });
    expect(back.actions).toEqual([{ kind: 'setWeights', weights: { stable: 50, canary: 50 } }]);
    expect(Object.values(back.state.breachSince).every((b) => b === null)).toBe(true);
  });

  it('a resumed wait keeps its start, so its deadline is the one from before the restart', () => {
    const since = LATER - 30_000;
    const r = recoverDeployment({ ...onStep2, awaitingSignoffSince: since }, LATER, { signoffTimeoutMs: TIMEOUT });
    expect(advance(r.state, started, LATER + 1_000).state.awaitingSignoffSince).toBe(since);
  });

  it('a paused deployment comes back paused on its step; a second restart before its instances are back keeps that', () => {
    const first = recoverDeployment({ ...onStep2, phase: 'paused' }, LATER, { signoffTimeoutMs: TIMEOUT });
    const second = recoverDeployment(first.state, LATER + 5_000, { signoffTimeoutMs: TIMEOUT });
    expect(second.state.resumeAt).toEqual({ stepIndex: 1, paused: true });
    const back = advance(second.state, started, LATER + 6_000);
    expect([back.state.phase, back.state.stepIndex]).toEqual(['paused', 1]);
    expect(back.state.reason).toMatch(/paused before the controller restarted/);
  });

  it('new instances that do not come back in time roll the resumed deployment back', () => {
    const r = recoverDeployment(onStep2, LATER, { signoffTimeoutMs: TIMEOUT });
    expect(advance(r.state, healthy(LATER + 6_000, 'canary'), LATER + 6_000).state.phase).toBe('rolled-back');
  });
});
