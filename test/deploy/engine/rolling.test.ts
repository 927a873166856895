// Rolling sequences, surge first: three old instances replaced one batch at a time, each new
// instance analysed beside the old ones before one of them retires ('stable' old, 'canary' new).
import { describe, expect, it } from 'vitest';
import { advance, createPlan, startDeployment, type Action, type EngineInput, type EngineResult, type PlanInput } from '../../../src/deploy/engine/index.js';
import { healthy, healthyAlone, observe, win } from './fixtures.js';
import { expectRows as expectRowsFrom, type Row } from './sequence.js';

const T = 3_000_000;
const input: PlanInput = {
  id: 'r1',
  service: 'api',
  strategy: 'rolling',
  fromVersion: 'v1',
  toVersion: 'v2',
  instances: 3,
  stepMs: 10_000,
  readyTimeoutMs: 5_000,
};
const plan = createPlan(input);
const started: EngineInput = { kind: 'instancesStarted' };
const expectRows = (start: EngineResult, rows: Row[]): EngineResult[] => expectRowsFrom(start, rows, T);
const startOne: Action = { kind: 'startInstances', track: 'canary', version: 'v2', count: 1, faults: null };
const stopOneOld: Action = { kind: 'stopInstances', track: 'stable', version: 'v1', count: 1 };
const weights = (canary: number): Action => ({ kind: 'setWeights', weights: { stable: 100 - canary, canary } });
const restore = (count: number): Action[] => [
  { kind: 'startInstances', track: 'stable', version: 'v1', count, faults: null },
  { kind: 'setWeights', weights: { stable: 100, canary: 0 } },
  { kind: 'stopInstances', track: 'canary', version: 'v2' },
];

/** Through batch 1 and into batch 2 (2 new beside 2 old): 50 % on the new version, one old retired. */
function inBatch2(): EngineResult {
  let r = startDeployment(plan, T);
  r = advance(r.state, started, T + 1_000);
  r = advance(r.state, healthy(T + 11_000, 'canary'), T + 11_000);
  return advance(r.state, started, T + 12_000);
}

describe('rolling: happy path', () => {
  it('starts each new instance beside the old ones, analyses it at their share, and only then retires one', () => {
    expect(plan.steps).toEqual([25, 50, 75]);
    expect(startDeployment(plan, T).actions).toEqual([startOne]);
    expectRows(startDeployment(plan, T), [
      { at: T + 1_000, input: started, phase: 'progressing', replaced: 1, step: 0, actions: [weights(25)], reason: /batch 1\/3 \(1 new beside 3 old, new version at 25 %\)/ },
      { at: T + 6_000, input: healthy(T + 6_000, 'canary'), phase: 'progressing', actions: [] },
      {
        at: T + 11_000,
        input: healthy(T + 11_000, 'canary'),
        phase: 'starting',
        replaced: 1,
        actions: [weights(33), stopOneOld, startOne],
        reason: /batch 1\/3 passed; 1 old instance\(s\) retired; starting batch 2/,
      },
      { at: T + 12_000, input: started, phase: 'progressing', replaced: 2, step: 1, actions: [weights(50)] },
      { at: T + 22_000, input: healthy(T + 22_000, 'canary'), phase: 'starting', actions: [weights(67), stopOneOld, startOne] },
      { at: T + 23_000, input: started, phase: 'progressing', replaced: 3, step: 2, actions: [weights(75)] },
      {
        at: T + 33_000,
        input: healthy(T + 33_000, 'canary'),
        phase: 'promoted',
        actions: [
          { kind: 'promote', from: 'canary' },
          { kind: 'setWeights', weights: { stable: 100, canary: 0 } },
          { kind: 'notify', level: 'info', message: 'api: promoting v2: all 3 steps passed their analysis' },
        ],
      },
      { at: T + 34_000, input: healthyAlone(T + 34_000, 'canary'), phase: 'promoted', actions: [] },
    ]);
  });

  it('a single old instance: the new one carries half the traffic until it passes, then the promotion retires the old', () => {
    const one = createPlan({ ...input, instances: 1, stableInstances: 1 });
    expectRows(startDeployment(one, T), [
      { at: T + 1_000, input: started, phase: 'progressing', actions: [weights(50)] },
      { at: T + 11_000, input: healthy(T + 11_000, 'canary'), phase: 'promoted' },
    ]);
  });

  it('never retires below the target count: two new over one old keeps the old one until the end', () => {
    const grow = createPlan({ ...input, instances: 2, stableInstances: 1 });
    expect(grow.rolling?.batches).toEqual([
      { start: 1, newInstances: 1, oldInstances: 1, retireAfter: 0 },
      { start: 1, newInstances: 2, oldInstances: 1, retireAfter: 1 },
    ]);
    expectRows(startDeployment(grow, T), [
      { at: T + 1_000, input: started, phase: 'progressing', actions: [weights(50)] },
      { at: T + 11_000, input: healthy(T + 11_000, 'canary'), phase: 'starting', actions: [startOne], reason: /0 old instance\(s\) retired/ },
      { at: T + 12_000, input: started, phase: 'progressing', actions: [weights(67)] },
    ]);
  });
});

describe('rolling: rollback restores the old instances removed so far', () => {
  const bad = (at: number): EngineInput => observe(at, { stable: win('v1', 60), canary: win('v2', 60, { errors: 15 }) });

  it.each<{ name: string; from: () => EngineResult; at: number; input: EngineInput; restored: number; reason: RegExp }>([
    { name: 'a bad batch 2', from: inBatch2, at: T + 14_000, input: bad(T + 14_000), restored: 1, reason: /error-rate-vs-stable failed/ },
    {
      name: 'replacement 2 failing to start',
      from: () => advance(advance(startDeployment(plan, T).state, started, T + 1_000).state, healthy(T + 11_000, 'canary'), T + 11_000),
      at: T + 12_000,
      input: { kind: 'instancesFailed', reason: 'port in use' },
      restored: 1,
      reason: /port in use/,
    },
    {
      name: 'replacement 2 not ready in time',
      from: () => advance(advance(startDeployment(plan, T).state, started, T + 1_000).state, healthy(T + 11_000, 'canary'), T + 11_000),
      at: T + 16_001,
      input: started,
      restored: 1,
      reason: /not ready within 5 s/,
    },
    {
      name: 'a bad batch 1 noticed while replacement 2 starts',
      from: () => advance(advance(startDeployment(plan, T).state, started, T + 1_000).state, healthy(T + 11_000, 'canary'), T + 11_000),
      at: T + 12_000,
      input: bad(T + 12_000),
      restored: 1,
      reason: /error-rate-vs-stable failed/,
    },
  ])('$name', ({ from, at, input: trigger, restored, reason }) => {
    const results = expectRows(from(), [
      { at, input: trigger, phase: 'rolling-back', reason },
      { at: at + 1_000, input: healthy(at + 1_000, 'canary'), phase: 'rolled-back', actions: [] },
    ]);
    expect(results[0]!.actions.slice(0, 3)).toEqual(restore(restored));
    expect(results[0]!.actions[3]).toMatchObject({ kind: 'notify', level: 'critical' });
  });

  it.each<{ name: string; from: () => EngineResult; trigger: EngineInput }>([
    { name: 'the first instances failing', from: () => startDeployment(plan, T), trigger: { kind: 'instancesFailed', reason: 'x' } },
    { name: 'an abort in batch 1 (analysed beside every old instance)', from: () => advance(startDeployment(plan, T).state, started, T + 1_000), trigger: { kind: 'abort', reason: 'stop' } },
    { name: 'a bad batch 1', from: () => advance(startDeployment(plan, T).state, started, T + 1_000), trigger: observe(T + 2_000, { stable: win('v1', 60), canary: win('v2', 60, { errors: 15 }) }) },
  ])('nothing retired yet ($name): no old instance to restart, so rolled back at once', ({ from, trigger }) => {
    const r = advance(from().state, trigger, T + 2_000);
    expect(r.state.phase).toBe('rolled-back');
    expect(r.actions.filter((a) => a.kind !== 'notify')).toEqual([weights(0), { kind: 'stopInstances', track: 'canary', version: 'v2' }]);
  });

  it('old instances that cannot be restarted leave the deployment failed, for a person to look at', () => {
    expectRows(inBatch2(), [
      { at: T + 13_000, input: { kind: 'abort', reason: 'stop' }, phase: 'rolling-back' },
      { at: T + 14_000, input: { kind: 'instancesFailed', reason: 'disk full' }, phase: 'failed', kinds: ['notify'], reason: /rolling-back did not complete: disk full \(was: aborted: stop\)/ },
      { at: T + 15_000, input: healthy(T + 15_000, 'canary'), phase: 'failed', actions: [] },
    ]);
  });
});

describe('rolling: operator promotion', () => {
  it('promoteNow starts the missing replacements before promoting, and waits for them', () => {
    const results = expectRows(advance(startDeployment(plan, T).state, started, T + 1_000), [
      { at: T + 2_000, input: { kind: 'promoteNow' }, phase: 'promoting', kinds: ['startInstances', 'promote', 'setWeights', 'notify'], reason: /promoted by operator at batch 1\/3/ },
      { at: T + 3_000, input: started, phase: 'promoted', actions: [], reason: /promoted by operator/ },
    ]);
    expect(results[0]!.actions.slice(0, 3)).toEqual([
      { ...startOne, count: 2 },
      { kind: 'promote', from: 'canary' },
      { kind: 'setWeights', weights: { stable: 100, canary: 0 } },
    ]);
    expect(advance(results[0]!.state, { kind: 'instancesFailed', reason: 'no capacity' }, T + 3_000).state.phase).toBe('failed');
  });
});
