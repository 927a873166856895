// A release's workers (`pitchey worker` processes) in every strategy: they start with the new
// version's first instances, go with them on a rollback, and are promoted with them.
import { describe, expect, it } from 'vitest';
import { PlanError, advance, createPlan, planHash, startDeployment, type Action, type PlanInput } from '../../../src/deploy/engine/index.js';
import { healthy } from './fixtures.js';

const T = 5_000_000;
const base: PlanInput = { id: 'w1', service: 'video', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', stepMs: 10_000, readyTimeoutMs: 5_000 };
const starts = (actions: Action[]): Array<Extract<Action, { kind: 'startInstances' }>> => actions.filter((a) => a.kind === 'startInstances');

describe('plan: workers', () => {
  it('keeps a plan without workers as it was (no field, same hash), and names them when there are some', () => {
    const none = createPlan(base);
    expect(none).not.toHaveProperty('workers');
    expect(createPlan({ ...base, workers: 0 })).toEqual(none);
    const two = createPlan({ ...base, workers: 2 });
    expect(two.workers).toBe(2);
    expect(planHash(two)).not.toBe(planHash(none));
  });

  it.each([-1, 1.5, 17])('refuses %s workers', (workers) => {
    expect(() => createPlan({ ...base, workers })).toThrow(PlanError);
    expect(() => createPlan({ ...base, workers })).toThrow(/workers must be an integer from 0 to 16/);
  });
});

describe.each([
  { strategy: 'canary' as const, track: 'canary' },
  { strategy: 'blue-green' as const, track: 'green' },
  { strategy: 'rolling' as const, track: 'canary' },
])('$strategy: workers', ({ strategy, track }) => {
  const plan = createPlan({ ...base, strategy, workers: 2, ...(strategy === 'rolling' ? { instances: 2 } : {}) });

  it('starts them with the first instances of the new version, on its track', () => {
    const [start] = starts(startDeployment(plan, T).actions);
    expect(start).toMatchObject({ track, version: 'v2', workers: 2 });
  });

  it('stops them with the instances on an abort (the whole track of the new version goes)', () => {
    const running = advance(startDeployment(plan, T).state, { kind: 'instancesStarted' }, T + 1_000);
    const aborted = advance(running.state, { kind: 'abort', reason: 'operator' }, T + 2_000);
    expect(aborted.actions).toContainEqual({ kind: 'stopInstances', track, version: 'v2' });
    expect(starts(aborted.actions).every((a) => a.workers === undefined)).toBe(true);
  });

  it('promotes them with the instances (the promote action takes the whole track)', () => {
    const running = advance(startDeployment(plan, T).state, { kind: 'instancesStarted' }, T + 1_000);
    const promoted = advance(running.state, { kind: 'promoteNow' }, T + 2_000);
    expect(promoted.actions).toContainEqual({ kind: 'promote', from: track });
  });
});

describe('rolling: workers', () => {
  it('come with the first batch only; later batches start instances alone', () => {
    const plan = createPlan({ ...base, strategy: 'rolling', instances: 3, workers: 1 });
    let r = startDeployment(plan, T);
    expect(starts(r.actions)[0]?.workers).toBe(1);
    r = advance(r.state, { kind: 'instancesStarted' }, T + 1_000);
    r = advance(r.state, healthy(T + 11_000, 'canary'), T + 11_000);
    const next = starts(r.actions);
    expect(next).toHaveLength(1);
    expect(next[0]?.workers).toBeUndefined();
  });

  it('a promotion before the first batch started brings the workers with the missing instances', () => {
    const plan = createPlan({ ...base, strategy: 'rolling', instances: 2, workers: 3 });
    const { state } = startDeployment(plan, T);
    const promoted = advance({ ...state, phase: 'progressing' }, { kind: 'promoteNow' }, T + 1_000);
    expect(starts(promoted.actions)[0]).toMatchObject({ count: 2, workers: 3 });
  });
});
