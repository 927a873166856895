// Canary sequences: inputs in, phases and actions out. Times are plain numbers; no timers.
import { describe, expect, it } from 'vitest';
import { advance, analysisFrom, createPlan, startDeployment, type Action, type EngineInput, type EngineResult, type PlanInput } from '../../../src/deploy/engine/index.js';
import { deepFreeze, healthy, healthyAlone, observe, play, win } from './fixtures.js';
import { expectRows as expectRowsFrom, type Row } from './sequence.js';

const expectRows = (start: EngineResult, rows: Row[]): EngineResult[] => expectRowsFrom(start, rows, T);

const T = 1_000_000;
const input: PlanInput = { id: 'd1', service: 'api', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', stepMs: 10_000, readyTimeoutMs: 5_000 };
const plan = createPlan(input);
const started: EngineInput = { kind: 'instancesStarted' };
const weights = (canary: number): Action => ({ kind: 'setWeights', weights: { stable: 100 - canary, canary } });
const rollbackActions: Action[] = [
  { kind: 'setWeights', weights: { stable: 100, canary: 0 } },
  { kind: 'stopInstances', track: 'canary', version: 'v2' },
];

describe('canary: start', () => {
  it('asks for the canary instances and waits in starting', () => {
    const { state, actions } = startDeployment(createPlan({ ...input, instances: 2, faults: 'slow' }), T);
    expect(actions).toEqual([{ kind: 'startInstances', track: 'canary', version: 'v2', count: 2, faults: 'slow' }]);
    expect(state).toMatchObject({ phase: 'starting', stepIndex: 0, stepStartedAt: null, startedAt: T, updatedAt: T, replaced: 0, assessments: [] });
    expect(state.breachSince).toEqual(Object.fromEntries(plan.rules.map((r) => [r.id, null])));
  });
});

describe('canary: happy path', () => {
  it('walks 5 → 25 → 50 → 100 %, then promotes', () => {
    const results = expectRows(startDeployment(plan, T), [
      { at: T + 1_000, input: started, phase: 'progressing', step: 0, actions: [weights(5)], reason: /entered step 1\/4 \(canary at 5 %\)/ },
      { at: T + 6_000, input: healthy(T + 6_000, 'canary'), phase: 'progressing', step: 0, actions: [], reason: /5 s of 10 s analysed$/ },
      { at: T + 11_000, input: healthy(T + 11_000, 'canary'), phase: 'progressing', step: 1, actions: [weights(25)] },
      { at: T + 21_000, input: healthy(T + 21_000, 'canary'), phase: 'progressing', step: 2, actions: [weights(50)] },
      { at: T + 31_000, input: healthy(T + 31_000, 'canary'), phase: 'progressing', step: 3, actions: [weights(100)] },
      {
        at: T + 41_000,
        input: healthyAlone(T + 41_000, 'canary'),
        phase: 'promoted',
        reason: /^all 4 steps passed their analysis$/,
        actions: [
          { kind: 'promote', from: 'canary' },
          { kind: 'setWeights', weights: { stable: 100, canary: 0 } },
          { kind: 'notify', level: 'info', message: 'api: promoting v2: all 4 steps passed their analysis' },
        ],
      },
    ]);
    const last = results.at(-1)!.state;
    expect(last.updatedAt).toBe(T + 41_000);
    expect(advance(last, { kind: 'abort', reason: 'late' }, T + 50_000)).toEqual({ state: last, actions: [] });
    expect(advance(last, healthyAlone(T + 51_000, 'canary'), T + 51_000)).toEqual({ state: last, actions: [] });
  });

  it('at 100 % only the absolute rules (and objectives of work requested) are assessed (stable carries no traffic to compare with)', () => {
    const results = play(startDeployment(createPlan({ ...input, steps: [100] }), T), [
      [T + 1, started],
      [T + 10_001, healthyAlone(T + 10_001, 'canary')],
    ]);
    expect(results[1]!.state.phase).toBe('promoted');
    expect(results[1]!.state.assessments.map((a) => a.ruleId)).toEqual(['error-rate', 'unavailable', 'slo-availability']);
  });
});

describe('canary: rollback paths', () => {
  const atStep0 = (): EngineResult => advance(startDeployment(plan, T).state, started, T + 1_000);

  it('a 20 % error canary against 0 % stable is stopped on the first window', () => {
    const bad = observe(T + 3_000, { stable: win('v1', 50), canary: win('v2', 50, { errors: 10 }) });
    const results = expectRows(atStep0(), [
      { at: T + 3_000, input: bad, phase: 'rolled-back', kinds: ['setWeights', 'stopInstances', 'notify'], reason: /^rule error-rate-vs-stable failed: canary error rate 20\.0 %/ },
      { at: T + 4_000, input: healthy(T + 4_000, 'canary'), phase: 'rolled-back', actions: [], reason: /error-rate-vs-stable/ },
    ]);
    expect(results[0]!.actions.slice(0, 2)).toEqual(rollbackActions);
    expect(results[0]!.actions[2]).toMatchObject({ kind: 'notify', level: 'critical' });
    const failing = results[0]!.state.assessments.find((a) => a.ruleId === 'error-rate-vs-stable');
    expect(failing).toMatchObject({ verdict: 'fail', at: T + 3_000 });
  });

  it('+100 % latency is stopped on the first window after the warm-up', () => {
    const slow = observe(T + 7_000, { stable: win('v1', 200, { medianMs: 50, seed: 1 }), canary: win('v2', 200, { medianMs: 100, seed: 2 }) });
    expectRows(atStep0(), [{ at: T + 7_000, input: slow, phase: 'rolled-back', reason: /latency-vs-stable/ }]);
  });

  it("a cold start's first slow requests do not fail it: latency waits for the warm-up the plan shows, errors do not", () => {
    // Ready at T+1 s, warm-up 5 s: a canary twice as slow at first holds the step, then runs warm.
    const cold = observe(T + 3_000, { stable: win('v1', 200, { medianMs: 50, seed: 3 }), canary: win('v2', 200, { medianMs: 100, seed: 4 }) });
    const warm = observe(T + 7_000, { stable: win('v1', 200, { medianMs: 50, seed: 5 }), canary: win('v2', 200, { medianMs: 51, seed: 6 }) });
    const results = expectRows(atStep0(), [
      { at: T + 3_000, input: cold, phase: 'progressing', step: 0, actions: [], reason: /held by .*latency-vs-stable \(inconclusive: warming up \(3 s left of 5 s\)/ },
      { at: T + 7_000, input: warm, phase: 'progressing', step: 0 },
    ]);
    expect(results[1]!.state.assessments.find((a) => a.ruleId === 'latency-vs-stable')?.verdict).toBe('pass');
    // Errors are judged from the first request: a broken canary does not get a warm-up.
    const broken = observe(T + 3_000, { stable: win('v1', 50), canary: win('v2', 50, { errors: 10 }) });
    expectRows(atStep0(), [{ at: T + 3_000, input: broken, phase: 'rolled-back', reason: /error-rate-vs-stable failed/ }]);
  });

  it('analyses from the start until the warm-up ends, then never reaches back before its end', () => {
    const ready = atStep0().state;
    expect(ready.warmUntil).toBe(T + 6_000);
    expect([analysisFrom(ready, T + 5_999), analysisFrom(ready, T + 6_000), analysisFrom(ready, T + 60_000)]).toEqual([T, T + 6_000, T + 6_000]);
    expect(createPlan({ ...input, warmupMs: 0 }).warmupMs).toBe(0);
  });

  it('+60 % latency holds the step while the 10 min clock runs, then rolls back', () => {
    const slower = (at: number) => observe(at, { stable: win('v1', 300, { medianMs: 50, seed: at }), canary: win('v2', 300, { medianMs: 80, seed: at + 1 }) });
    expectRows(atStep0(), [
      { at: T + 11_000, input: slower(T + 11_000), phase: 'progressing', step: 0, actions: [], reason: /held by latency-degraded \(inconclusive: .*breaching for 0 ms of 10 min/ },
      { at: T + 311_000, input: slower(T + 311_000), phase: 'progressing', step: 0, reason: /breaching for 5 min of 10 min/ },
      { at: T + 611_000, input: slower(T + 611_000), phase: 'rolled-back', actions: [...rollbackActions, expect.objectContaining({ kind: 'notify' }) as Action], reason: /latency-degraded failed/ },
    ]);
  });

  it('instances that fail to start, or are not ready in time, are stopped', () => {
    expectRows(startDeployment(plan, T), [
      { at: T + 1_000, input: { kind: 'instancesFailed', reason: 'exit 1' }, phase: 'rolled-back', kinds: ['setWeights', 'stopInstances', 'notify'], reason: /new instances failed: exit 1/ },
    ]);
    expectRows(startDeployment(plan, T), [
      { at: T + 5_000, input: healthy(T + 5_000, 'canary'), phase: 'starting', actions: [] },
      { at: T + 5_001, input: healthy(T + 5_001, 'canary'), phase: 'rolled-back', reason: /not ready within 5 s/ },
      { at: T + 6_000, input: started, phase: 'rolled-back', actions: [] },
    ]);
  });

  it("abort rolls back with the operator's reason", () => {
    expectRows(atStep0(), [{ at: T + 2_000, input: { kind: 'abort', reason: 'customer demo' }, phase: 'rolled-back', reason: /^aborted: customer demo$/ }]);
  });
});

describe('canary: no data is never a pass', () => {
  const atStep0 = (): EngineResult => advance(startDeployment(plan, T).state, started, T + 1_000);

  it.each([
    { name: 'thin canary traffic', tracks: { stable: win('v1', 500), canary: win('v2', 5) }, reason: /held by .*no data: canary has 5 of 20/ },
    { name: 'no canary traffic at all', tracks: { stable: win('v1', 500) }, reason: /no traffic reached canary/ },
    { name: 'no traffic anywhere', tracks: {}, reason: /no traffic reached canary/ },
  ])('$name keeps the step after stepMs', ({ tracks, reason }) => {
    expectRows(atStep0(), [{ at: T + 60_000, input: observe(T + 60_000, tracks), phase: 'progressing', step: 0, actions: [], reason }]);
  });
});

describe('canary: pause, resume, alerts, promoteNow', () => {
  const pauseRule = { id: 'errors-pause', metric: 'error-rate', threshold: 0.05, forMs: 0, minSamples: 20, noData: 'inconclusive', action: 'pause' } as const;
  const alertRule = { ...pauseRule, id: 'errors-alert', action: 'alert' } as const;
  const flaky = (at: number) => observe(at, { stable: win('v1', 200, { seed: at }), canary: win('v2', 200, { errors: 20, seed: at + 1 }) });

  it('a pause rule pauses; rollback rules still watch; resume restarts the step clock', () => {
    const paused = createPlan({ ...input, rules: [pauseRule] });
    expectRows(advance(startDeployment(paused, T).state, started, T + 1_000), [
      { at: T + 2_000, input: flaky(T + 2_000), phase: 'paused', kinds: ['notify'], reason: /^paused: rule errors-pause failed: canary error rate 10\.0 %/ },
      { at: T + 30_000, input: healthy(T + 30_000, 'canary'), phase: 'paused', actions: [], step: 0 },
      { at: T + 40_000, input: { kind: 'resume' }, phase: 'progressing', actions: [], reason: /resumed by operator/ },
      { at: T + 45_000, input: healthy(T + 45_000, 'canary'), phase: 'progressing', step: 0 },
      { at: T + 50_000, input: healthy(T + 50_000, 'canary'), phase: 'progressing', step: 1, actions: [weights(25)] },
    ]);
  });

  it('a failing alert rule notifies once and does not hold the step', () => {
    const alerting = createPlan({ ...input, rules: [alertRule] });
    expectRows(advance(startDeployment(alerting, T).state, started, T + 1_000), [
      { at: T + 2_000, input: flaky(T + 2_000), phase: 'progressing', kinds: ['notify'], step: 0 },
      { at: T + 6_000, input: flaky(T + 6_000), phase: 'progressing', actions: [], step: 0 },
      { at: T + 11_000, input: flaky(T + 11_000), phase: 'progressing', actions: [weights(25)], step: 1 },
    ]);
  });

  it('promoteNow skips the remaining steps, but not while the canary is starting', () => {
    expectRows(startDeployment(plan, T), [
      { at: T + 500, input: { kind: 'promoteNow' }, phase: 'starting', actions: [], reason: /promoteNow refused/ },
      { at: T + 1_000, input: started, phase: 'progressing' },
      { at: T + 2_000, input: { kind: 'promoteNow' }, phase: 'promoted', kinds: ['promote', 'setWeights', 'notify'], reason: /promoted by operator at step 1\/4/ },
      { at: T + 3_000, input: { kind: 'resume' }, phase: 'promoted' },
    ]);
  });

  it('inputs that do not apply leave the state alone', () => {
    const { state } = advance(startDeployment(plan, T).state, started, T + 1_000);
    deepFreeze(state);
    expect(advance(state, { kind: 'resume' }, T + 2_000)).toEqual({ state, actions: [] });
    expect(advance(state, started, T + 2_000)).toEqual({ state, actions: [] });
  });
});
