// After a promotion, judged purely: the post-deployment validation phases as stored progress that
// each sample advances (so a restart resumes the phase it was in, with the traffic gathered so
// far), and what a breach or a failed smoke journey leads to — back to the previous version, or an
// alert where there is none to go back to or the promotion was itself a rollback.
import { addToPhase, assessPhase, type PhaseObjectives, type PhaseTraffic, type PhaseVerdict, type ValidationLimits, type ValidationPhase } from './validation.js';
import type { DeploymentPlan, TrackWindow } from './types.js';

/** A promoted release's validation as stored: the schedule it was given and how far it got. */
export interface ValidationProgress {
  phases: ValidationPhase[];
  /** The phase being observed; `phases.length` once all have ended. */
  index: number;
  phaseStartedAt: number;
  /** The current phase's traffic so far. */
  traffic: PhaseTraffic;
  /**
   * The last whole second counted into a phase: each sample reads the complete seconds after it
   * (sampleSeconds), so none is counted twice or skipped however often samples come. Absent in
   * progress stored before it existed: counted from the phase's start.
   */
  countedThrough?: number;
  verdicts: PhaseVerdict[];
  status: 'running' | 'passed' | 'failed';
}

/** What the controller carries out after a promotion. */
export type AfterPromotion = { kind: 'none' } | { kind: 'rollback'; to: string; reason: string } | { kind: 'alert'; reason: string };

const EMPTY: PhaseTraffic = { requests: 0, errors: 0, latenciesMs: [] };

export function startValidation(phases: ValidationPhase[], now: number): ValidationProgress {
  return { phases, index: 0, phaseStartedAt: now, traffic: EMPTY, countedThrough: Math.ceil(now / 1000) - 1, verdicts: [], status: 'running' };
}

/** Whole seconds as a metric source's window (`windowMs` back from `end`), through `through`. */
export interface SecondsSpan {
  windowMs: number;
  end: number;
  through: number;
}

/**
 * The complete seconds from second `first` to the last that has ended at `now`, as a metric
 * window; null before one has ended. A reader that moves `first` past `through` each time counts
 * every second once (validation's samples, the availability sampler).
 */
export function completeSeconds(first: number, now: number): SecondsSpan | null {
  const last = Math.floor(now / 1000) - 1;
  if (last < first) return null;
  return { windowMs: (last - first) * 1000, end: last * 1000, through: last };
}

/** The complete seconds a validation sample at `now` reads, or null before one has ended. */
export function sampleSeconds(p: ValidationProgress, now: number): SecondsSpan | null {
  return completeSeconds((p.countedThrough ?? Math.ceil(p.phaseStartedAt / 1000) - 1) + 1, now);
}

export interface ValidationSample {
  /** Stable's traffic in the seconds sampleSeconds gave (null when the metric source had none). */
  window: TrackWindow | null;
  now: number;
  /** The last second `window` covers (sampleSeconds' `through`); absent when no second was read. */
  through?: number;
}

export interface ValidationStep {
  progress: ValidationProgress;
  /** The verdict of the phase that ended with this sample, if one did. */
  verdict: PhaseVerdict | null;
  action: AfterPromotion;
}

/**
 * One sample: stable's traffic counts toward the phase when it is the promoted version's; once the
 * phase has run its length it is judged, and the next one starts. A breach in a phase that rolls
 * back ends validation with a rollback to the version before.
 */
export function advanceValidation(
  p: ValidationProgress,
  sample: ValidationSample,
  plan: DeploymentPlan,
  options: { maxLatencies: number; limits?: ValidationLimits; objectives?: Omit<PhaseObjectives, 'at'> },
): ValidationStep {
  const phase = p.phases[p.index];
  if (p.status !== 'running' || phase === undefined) return { progress: p, verdict: null, action: { kind: 'none' } };
  const traffic = sample.window !== null && sample.window.version === plan.toVersion ? addToPhase(p.traffic, sample.window, options.maxLatencies) : p.traffic;
  const counted = sample.through === undefined ? p : { ...p, countedThrough: sample.through };
  if (sample.now - p.phaseStartedAt < phase.durationMs) return { progress: { ...counted, traffic }, verdict: null, action: { kind: 'none' } };
  const verdict = assessPhase(phase, traffic, options.limits, options.objectives === undefined ? undefined : { ...options.objectives, at: sample.now });
  const verdicts = [...p.verdicts, verdict];
  if (verdict.status === 'fail' && phase.rollbackOnBreach) {
    return { progress: { ...counted, traffic, verdicts, status: 'failed' }, verdict, action: rollbackToPrevious(plan, `${phase.name} validation failed: ${verdict.observed}`) };
  }
  const index = p.index + 1;
  const status = index >= p.phases.length ? 'passed' : 'running';
  return { progress: { ...counted, index, phaseStartedAt: sample.now, traffic: EMPTY, verdicts, status }, verdict, action: { kind: 'none' } };
}

/** After a restart: the phase it resumes and how far into it, for the audit log. */
export function describeResumedValidation(p: ValidationProgress, now: number): string {
  const phase = p.phases[p.index];
  if (phase === undefined) return 'every phase had ended';
  const s = (ms: number): string => `${Math.round(ms / 1000)} s`;
  return `${phase.name} phase resumes ${s(now - p.phaseStartedAt)} into its ${s(phase.durationMs)}, with ${p.traffic.requests} requests gathered before the restart`;
}

/**
 * The post-promotion smoke journey's result → what happens. A failure rolls back to the version
 * before; a promotion that was itself a rollback (or had nothing before it) only alerts: rolling
 * back a rollback would bring back the version just left.
 */
export function judgeSmokeAfterPromotion(status: string, observed: string, plan: DeploymentPlan, author: string): AfterPromotion {
  if (status !== 'fail') return { kind: 'none' };
  const reason = `the smoke journey failed after promotion: ${observed}`;
  if (plan.rollback !== undefined || author === 'controller') return { kind: 'alert', reason: `${reason}; this promotion was a rollback, so a person must look` };
  return rollbackToPrevious(plan, reason);
}

/** Back to the version the plan replaced, or an alert when it replaced none. */
export function rollbackToPrevious(plan: Pick<DeploymentPlan, 'fromVersion'>, reason: string): AfterPromotion {
  return plan.fromVersion === null ? { kind: 'alert', reason: `${reason}; no previous version to roll back to` } : { kind: 'rollback', to: plan.fromVersion, reason };
}
