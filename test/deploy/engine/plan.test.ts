// createPlan defaults and validation, and planHash stability.
import { describe, expect, it } from 'vitest';
import { createPlan, DEFAULT_RULES, fnv1a64, PlanError, planHash, type PlanInput } from '../../../src/deploy/engine/index.js';

const base: PlanInput = { id: 'd1', service: 'api', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2' };

describe('createPlan defaults', () => {
  it('fills in a canary plan', () => {
    expect(createPlan(base)).toEqual({
      ...base,
      instances: 1,
      steps: [5, 25, 50, 100],
      stepMs: 60_000,
      bakeMs: 300_000,
      warmupMs: 5_000,
      readyTimeoutMs: 60_000,
      rules: DEFAULT_RULES,
      faults: null,
    });
  });

  it.each<{ input: Partial<PlanInput>; steps: number[] }>([
    { input: { strategy: 'blue-green' }, steps: [100] },
    { input: { strategy: 'blue-green', fromVersion: null }, steps: [100] },
    { input: { strategy: 'blue-green', steps: [10, 100] }, steps: [10, 100] },
    // Surge first: each new instance beside the old ones still serving, shares by instance count.
    { input: { strategy: 'rolling', instances: 4 }, steps: [20, 40, 60, 80] },
    { input: { strategy: 'rolling', instances: 3 }, steps: [25, 50, 75] },
    { input: { strategy: 'rolling' }, steps: [50] },
    { input: { strategy: 'rolling', instances: 2, stableInstances: 1 }, steps: [50, 67] },
    { input: { strategy: 'rolling', instances: 4, maxSurge: 2 }, steps: [33, 67] },
    { input: { strategy: 'rolling', instances: 3, maxUnavailable: 1 }, steps: [25, 67, 100] },
    { input: { steps: [1, 100] }, steps: [1, 100] },
  ])('steps for $input', ({ input, steps }) => {
    expect(createPlan({ ...base, ...input }).steps).toEqual(steps);
  });

  it('keeps what the caller gives and shares no arrays with the input', () => {
    const rules = [{ ...DEFAULT_RULES[0]!, forMs: 1000 }];
    const steps = [50, 100];
    const plan = createPlan({ ...base, steps, rules, stepMs: 5, bakeMs: 0, readyTimeoutMs: 100, instances: 2, faults: 'slow' });
    expect(plan).toMatchObject({ steps: [50, 100], stepMs: 5, bakeMs: 0, readyTimeoutMs: 100, instances: 2, faults: 'slow', rules });
    expect(plan.steps).not.toBe(steps);
    expect(plan.rules[0]).not.toBe(rules[0]);
  });
});

describe('createPlan validation', () => {
  const rule = DEFAULT_RULES[0]!;
  it.each<{ name: string; input: Partial<PlanInput>; message: RegExp }>([
    { name: 'empty id', input: { id: '' }, message: /id must be a non-empty string/ },
    { name: 'empty service', input: { service: ' ' }, message: /service must be/ },
    { name: 'empty toVersion', input: { toVersion: '' }, message: /toVersion must be/ },
    { name: 'unknown strategy', input: { strategy: 'yolo' as never }, message: /strategy must be one of canary, blue-green, rolling; got yolo/ },
    { name: 'canary without stable', input: { fromVersion: null }, message: /first deployment .* no stable version to canary against; use blue-green/ },
    { name: 'rolling without stable', input: { strategy: 'rolling', fromVersion: null }, message: /use blue-green/ },
    { name: 'zero instances', input: { instances: 0 }, message: /instances must be an integer ≥ 1; got 0/ },
    { name: 'fractional instances', input: { instances: 1.5 }, message: /instances must be an integer/ },
    { name: 'empty steps', input: { steps: [] }, message: /steps must not be empty/ },
    { name: 'a zero step', input: { steps: [0, 100] }, message: /integers in \(0, 100\]; step 1 is 0/ },
    { name: 'a step above 100', input: { steps: [50, 101] }, message: /step 2 is 101/ },
    { name: 'descending steps', input: { steps: [50, 25, 100] }, message: /strictly ascending; step 2 \(25\) follows 50/ },
    { name: 'repeated steps', input: { steps: [50, 50, 100] }, message: /strictly ascending/ },
    { name: 'steps not ending at 100', input: { steps: [5, 50] }, message: /must end at 100; the last is 50/ },
    { name: 'blue-green steps not ending at 100', input: { strategy: 'blue-green', steps: [50] }, message: /must end at 100/ },
    { name: 'rolling with steps', input: { strategy: 'rolling', steps: [50, 100] }, message: /rolling steps follow from instances/ },
    { name: 'rolling over 100 instances', input: { strategy: 'rolling', instances: 101 }, message: /at most 100/ },
    { name: 'surge outside rolling', input: { strategy: 'canary', maxSurge: 2 }, message: /maxSurge applies to rolling deployments only/ },
    { name: 'no surge', input: { strategy: 'rolling', maxSurge: 0 }, message: /maxSurge must be an integer from 1 to 100; got 0/ },
    { name: 'all unavailable', input: { strategy: 'rolling', instances: 2, maxUnavailable: 2 }, message: /maxUnavailable must be below instances \(2\); got 2/ },
    { name: 'negative stepMs', input: { stepMs: -1 }, message: /stepMs must be an integer number of milliseconds ≥ 0; got -1/ },
    { name: 'zero readyTimeoutMs', input: { readyTimeoutMs: 0 }, message: /readyTimeoutMs .* ≥ 1/ },
    { name: 'duplicate rule ids', input: { rules: [rule, rule] }, message: /rule ids must be unique; error-rate appears twice/ },
    { name: 'unknown metric', input: { rules: [{ ...rule, metric: 'vibes' as never }] }, message: /rule 1 \(error-rate\): metric must be one of/ },
    { name: 'negative threshold', input: { rules: [{ ...rule, threshold: -1 }] }, message: /threshold must be a finite number ≥ 0/ },
    { name: 'zero latency ratio', input: { rules: [{ ...rule, metric: 'latency-ratio', threshold: 0 }] }, message: /latency ratio threshold must be > 0/ },
    { name: 'zero minSamples', input: { rules: [{ ...rule, minSamples: 0 }] }, message: /minSamples must be an integer ≥ 1/ },
    { name: 'noData pass', input: { rules: [{ ...rule, noData: 'pass' as never }] }, message: /never a pass/ },
    { name: 'unknown action', input: { rules: [{ ...rule, action: 'panic' as never }] }, message: /action must be rollback, pause or alert/ },
    { name: 'negative forMs', input: { rules: [{ ...rule, forMs: -5 }] }, message: /forMs must be/ },
  ])('$name', ({ input, message }) => {
    const attempt = () => createPlan({ ...base, ...input });
    expect(attempt).toThrow(PlanError);
    expect(attempt).toThrow(message);
  });
});

describe('planHash', () => {
  it('is 16 hex digits of FNV-1a 64 (reference vectors)', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    expect(planHash(createPlan(base))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is stable: same plan, same hash, whatever the key order', () => {
    const plan = createPlan(base);
    const reordered = Object.fromEntries(Object.entries(plan).reverse()) as typeof plan;
    expect(planHash(createPlan(base))).toBe(planHash(plan));
    expect(planHash(reordered)).toBe(planHash(plan));
  });

  it.each<{ name: string; change: Partial<PlanInput> }>([
    { name: 'toVersion', change: { toVersion: 'v3' } },
    { name: 'stepMs', change: { stepMs: 59_999 } },
    { name: 'steps', change: { steps: [10, 100] } },
    { name: 'a rule threshold', change: { rules: DEFAULT_RULES.map((r, i) => (i === 0 ? { ...r, threshold: 0.06 } : r)) } },
    { name: 'faults', change: { faults: 'error-rate=0.2' } },
  ])('changes when $name changes', ({ change }) => {
    expect(planHash(createPlan({ ...base, ...change }))).not.toBe(planHash(createPlan(base)));
  });
});
