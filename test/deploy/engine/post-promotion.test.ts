// After a promotion: validation progress advanced sample by sample from stored state (so a restart
// resumes the phase it was in), and what a breach or a failed smoke journey leads to.
import { describe, expect, it } from 'vitest';
import {
  advanceValidation,
  createPlan,
  describeResumedValidation,
  judgeSmokeAfterPromotion,
  sampleSeconds,
  startValidation,
  validationPhases,
  type AfterPromotion,
  type ValidationProgress,
} from '../../../src/deploy/engine/index.js';
import { TrackStats } from '../../../src/gateway/track-stats.js';
import { deepFreeze, win } from './fixtures.js';

const T = 1_000_000;
const plan = createPlan({ id: 'd1', service: 'api', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2' });
const first = createPlan({ ...plan, strategy: 'blue-green', steps: [100], fromVersion: null });
const phases = validationPhases([10_000, 20_000, 30_000]);
const OPTIONS = { maxLatencies: 1_000 };
const healthy = win('v2', 100, { medianMs: 40 });
const failing = win('v2', 100, { errors: 10, medianMs: 40 });

/** Progress `index` phases in, started at `startedAt`, with `requests` gathered so far. */
const at = (index: number, startedAt: number, requests = 0): ValidationProgress =>
  deepFreeze({
    ...startValidation(phases, T),
    index,
    phaseStartedAt: startedAt,
    traffic: requests === 0 ? { requests: 0, errors: 0, latenciesMs: [] } : { requests, errors: 0, latenciesMs: healthy.latenciesMs },
  });

describe('validation progress', () => {
  // then: [phase index after, status, verdict of the phase that ended (or null), action, requests gathered in the current phase]
  type Then = [number, ValidationProgress['status'], string | null, AfterPromotion['kind'], number];
  const cases: Array<{ name: string; progress: ValidationProgress; window: typeof healthy | null; now: number; then: Then; from?: typeof plan }> = [
    { name: 'within a phase, the sample is gathered and nothing is judged', progress: at(0, T), window: healthy, now: T + 5_000, then: [0, 'running', null, 'none', 100] },
    { name: "another version's traffic on stable does not count", progress: at(0, T), window: win('v3', 100), now: T + 5_000, then: [0, 'running', null, 'none', 0] },
    { name: 'at the end of the immediate phase a pass starts the extended one', progress: at(0, T, 100), window: healthy, now: T + 10_000, then: [1, 'running', 'pass', 'none', 0] },
    { name: 'a breach of the immediate phase rolls back to the version before', progress: at(0, T), window: failing, now: T + 10_000, then: [0, 'failed', 'fail', 'rollback', 100] },
    { name: 'a first deployment has nothing to roll back to: an alert', progress: at(0, T), window: failing, now: T + 10_000, then: [0, 'failed', 'fail', 'alert', 100], from: first },
    { name: 'a breach of a later phase is recorded, and validation goes on', progress: at(1, T), window: failing, now: T + 20_000, then: [2, 'running', 'fail', 'none', 0] },
    { name: 'too little traffic is inconclusive, never a pass', progress: at(1, T), window: null, now: T + 20_000, then: [2, 'running', 'inconclusive', 'none', 0] },
    { name: 'the end of the final phase ends validation', progress: at(2, T, 100), window: null, now: T + 30_000, then: [3, 'passed', 'pass', 'none', 0] },
    // A final phase whose end passed while the controller was down: judged on the first sample after the restart, on what it gathered before.
    { name: 'a phase that ended during a restart is judged on its stored traffic', progress: at(2, T, 100), window: null, now: T + 3_600_000, then: [3, 'passed', 'pass', 'none', 0] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const step = advanceValidation(c.progress, { window: c.window, now: c.now }, c.from ?? plan, OPTIONS);
      expect([step.progress.index, step.progress.status, step.verdict?.status ?? null, step.action.kind, step.progress.traffic.requests]).toEqual(c.then);
      expect(step.progress.verdicts.length).toBe(c.progress.verdicts.length + (c.then[2] === null ? 0 : 1));
    });
  }

  it('a rollback goes to the plan’s previous version, with the verdict as its reason', () => {
    const step = advanceValidation(at(0, T), { window: failing, now: T + 10_000 }, plan, OPTIONS);
    expect(step.action).toMatchObject({ kind: 'rollback', to: 'v1', reason: expect.stringContaining('immediate validation failed: 100 requests, error rate 10.00 %') as string });
  });

  it('ended validation takes no more samples', () => {
    const done = advanceValidation(at(2, T, 100), { window: null, now: T + 30_000 }, plan, OPTIONS).progress;
    expect(advanceValidation(deepFreeze(done), { window: failing, now: T + 99_000 }, plan, OPTIONS)).toEqual({ progress: done, verdict: null, action: { kind: 'none' } });
  });

  // The regression: samples every 250 ms read a 250 ms sliding window of whole-second buckets, so
  // most reads fell inside one second and counted nothing — a busy immediate phase ended "too few
  // requests to judge". Each second must count once, however often samples come.
  it('counts every whole second once, with samples more often than a second', () => {
    const stats = new TrackStats();
    const start = T + 300;
    let progress = startValidation(phases, start);
    const seconds: number[] = [];
    for (let t = start; t < start + 6_000; t += 50) {
      stats.record('api', 'stable', 'v2', 200, 10, t);
      seconds.push(Math.floor(t / 1000));
      if ((t - start) % 250 !== 0) continue;
      const span = sampleSeconds(progress, t);
      const window = span === null ? null : (stats.window('api', span.windowMs, span.end).stable ?? null);
      progress = advanceValidation(progress, { window, now: t, ...(span === null ? {} : { through: span.through }) }, plan, OPTIONS).progress;
    }
    // From the first whole second after the start to the last complete one the last sample saw.
    const counted = seconds.filter((s) => s * 1000 >= start && s <= progress.countedThrough!);
    expect(progress.countedThrough).toBe(Math.floor((start + 5_750) / 1000) - 1);
    expect(progress.traffic.requests).toBe(counted.length);
    expect(counted.length).toBe(100);
  });

  it('says where a resumed validation picks up', () => {
    expect(describeResumedValidation(at(2, T, 100), T + 12_000)).toBe('final phase resumes 12 s into its 30 s, with 100 requests gathered before the restart');
  });
});

describe('smoke journey after promotion', () => {
  const cases: Array<{ name: string; status: string; author?: string; from?: typeof plan; action: AfterPromotion }> = [
    { name: 'a pass changes nothing', status: 'pass', action: { kind: 'none' } },
    { name: 'a warning (not run) changes nothing', status: 'warn', action: { kind: 'none' } },
    { name: 'a failure rolls back to the version before', status: 'fail', action: { kind: 'rollback', to: 'v1', reason: 'the smoke journey failed after promotion: 500 on /ready' } },
    {
      name: 'a failure with nothing before alerts',
      status: 'fail',
      from: first,
      action: { kind: 'alert', reason: 'the smoke journey failed after promotion: 500 on /ready; no previous version to roll back to' },
    },
    { name: "the controller's own rollback only alerts", status: 'fail', author: 'controller', action: { kind: 'alert', reason: expect.stringContaining('was a rollback') as string } },
    {
      name: "an operator's rollback only alerts (going back would bring back the version just left)",
      status: 'fail',
      from: createPlan({ ...plan, rollback: { from: 'v3', signoffsWaived: true, why: '' } }),
      action: { kind: 'alert', reason: expect.stringContaining('a person must look') as string },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(judgeSmokeAfterPromotion(c.status, '500 on /ready', c.from ?? plan, c.author ?? 'alice')).toEqual(c.action);
    });
  }
});
