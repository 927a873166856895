// Blue-green sequences. Tracks: 'stable' is the current colour, 'green' the new one.
import { describe, expect, it } from 'vitest';
import { advance, createPlan, startDeployment, type Action, type EngineInput, type EngineResult, type PlanInput } from '../../../src/deploy/engine/index.js';
import { healthy, healthyAlone, observe, win } from './fixtures.js';
import { expectRows as expectRowsFrom, type Row } from './sequence.js';

const T = 2_000_000;
const input: PlanInput = {
  id: 'bg1',
  service: 'api',
  strategy: 'blue-green',
  fromVersion: 'v1',
  toVersion: 'v2',
  stepMs: 10_000,
  bakeMs: 30_000,
  readyTimeoutMs: 5_000,
};
const plan = createPlan(input);
const started: EngineInput = { kind: 'instancesStarted' };
const expectRows = (start: EngineResult, rows: Row[]): EngineResult[] => expectRowsFrom(start, rows, T);
const switchBack: Action[] = [
  { kind: 'setWeights', weights: { stable: 100, green: 0 } },
  { kind: 'stopInstances', track: 'green', version: 'v2' },
];
const switched = (): EngineResult => advance(startDeployment(plan, T).state, started, T + 1_000);

describe('blue-green: happy path', () => {
  it('starts green, switches at once, bakes for bakeMs, then promotes green', () => {
    expect(startDeployment(plan, T).actions).toEqual([{ kind: 'startInstances', track: 'green', version: 'v2', count: 1, faults: null }]);
    expectRows(startDeployment(plan, T), [
      {
        at: T + 1_000,
        input: started,
        phase: 'progressing',
        step: 0,
        actions: [{ kind: 'setWeights', weights: { stable: 0, green: 100 } }],
        reason: /green at 100 %, baking; stable kept running at weight 0/,
      },
      { at: T + 11_000, input: healthyAlone(T + 11_000, 'green'), phase: 'progressing', actions: [], reason: /10 s of 30 s analysed/ },
      {
        at: T + 31_000,
        input: healthyAlone(T + 31_000, 'green'),
        phase: 'promoted',
        actions: [
          { kind: 'promote', from: 'green' },
          { kind: 'setWeights', weights: { stable: 100, green: 0 } },
          { kind: 'notify', level: 'info', message: 'api: promoting v2: all 1 steps passed their analysis' },
        ],
      },
      { at: T + 32_000, input: healthyAlone(T + 32_000, 'green'), phase: 'promoted', actions: [] },
    ]);
  });

  it('with steps [50, 100] compares green with stable side by side before the full switch', () => {
    const stepped = createPlan({ ...input, steps: [50, 100] });
    const results = expectRows(startDeployment(stepped, T), [
      { at: T + 1_000, input: started, phase: 'progressing', actions: [{ kind: 'setWeights', weights: { stable: 50, green: 50 } }] },
      { at: T + 11_000, input: healthy(T + 11_000, 'green'), phase: 'progressing', step: 1, actions: [{ kind: 'setWeights', weights: { stable: 0, green: 100 } }] },
      { at: T + 21_000, input: healthyAlone(T + 21_000, 'green'), phase: 'progressing', step: 1, reason: /baking/ },
      { at: T + 41_000, input: healthyAlone(T + 41_000, 'green'), phase: 'promoted' },
    ]);
    expect(results[1]!.state.assessments.map((a) => a.ruleId)).toContain('error-rate-vs-stable');
  });

  it('a first deployment (no current colour) switches, bakes and promotes', () => {
    const first = createPlan({ ...input, fromVersion: null });
    expectRows(startDeployment(first, T), [
      { at: T + 1_000, input: started, phase: 'progressing' },
      { at: T + 31_000, input: healthyAlone(T + 31_000, 'green'), phase: 'promoted' },
    ]);
  });
});

describe('blue-green: rollback paths', () => {
  it.each<{ name: string; input: EngineInput; reason: RegExp }>([
    { name: 'unavailable answers during the bake', input: observe(T + 5_000, { green: win('v2', 40, { unavailable: 20 }) }), reason: /rule unavailable failed: green unavailable answers 50\.0 %/ },
    { name: 'no ready green instance', input: observe(T + 5_000, { green: win('v2', 0) }, { stable: { ready: 1, total: 1 }, green: { ready: 0, total: 1 } }), reason: /no ready green instance/ },
    { name: 'an operator abort', input: { kind: 'abort', reason: 'wrong build' }, reason: /^aborted: wrong build$/ },
    { name: 'green instances dying', input: { kind: 'instancesFailed', reason: 'oom' }, reason: /new instances failed: oom/ },
  ])('$name switches traffic back to stable, then stops green', ({ input: bad, reason }) => {
    const results = expectRows(switched(), [
      { at: T + 5_000, input: bad, phase: 'rolled-back', reason },
      { at: T + 6_000, input: healthy(T + 6_000, 'green'), phase: 'rolled-back', actions: [] },
    ]);
    expect(results[0]!.actions.slice(0, 2)).toEqual(switchBack);
    expect(results[0]!.actions[2]).toMatchObject({ kind: 'notify', level: 'critical' });
  });

  it('a bad green at the 50 % step is caught side by side', () => {
    const stepped = createPlan({ ...input, steps: [50, 100] });
    expectRows(advance(startDeployment(stepped, T).state, started, T + 1_000), [
      {
        at: T + 3_000,
        input: observe(T + 3_000, { stable: win('v1', 50), green: win('v2', 50, { errors: 10 }) }),
        phase: 'rolled-back',
        reason: /error-rate-vs-stable failed: green error rate 20\.0 % vs stable 0\.0 %/,
      },
    ]);
  });

  it('green not ready within readyTimeoutMs is given up', () => {
    expectRows(startDeployment(plan, T), [
      { at: T + 5_001, input: started, phase: 'rolled-back', actions: [...switchBack, expect.objectContaining({ kind: 'notify' }) as Action], reason: /not ready within 5 s/ },
    ]);
  });
});
