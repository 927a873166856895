// Post-deployment validation, judged purely: each phase (immediate, extended, final) holds the
// promoted version to the checklist's limits — error rate < 1 %, p95 < 2 s, enough traffic to say so —
// and to the service level objectives (slo.ts) the canary was judged by, on the phase's whole traffic.
import { quantile } from './statistics.js';
import { assessRule } from './rules.js';
import { judges } from './analysis.js';
import { isRequested } from './slo-measures.js';
import { sloRules } from './slo.js';
import type { OperationOutcomes, Rule, RuleAssessment, TrackWindow } from './types.js';

export interface ValidationPhase {
  name: 'immediate' | 'extended' | 'final';
  /** How long the phase observes, from the end of the previous one. */
  durationMs: number;
  /** A breach in this phase rolls back automatically (only the first; later ones alert). */
  rollbackOnBreach: boolean;
}

export interface ValidationLimits {
  maxErrorRate: number;
  maxP95Ms: number;
  minRequests: number;
}

export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = { maxErrorRate: 0.01, maxP95Ms: 2_000, minRequests: 20 };

/** The checklist's 0–15 min, 15–60 min and 24 h phases. */
export function validationPhases(durationsMs: readonly [number, number, number]): ValidationPhase[] {
  return [
    { name: 'immediate', durationMs: durationsMs[0], rollbackOnBreach: true },
    { name: 'extended', durationMs: durationsMs[1], rollbackOnBreach: false },
    { name: 'final', durationMs: durationsMs[2], rollbackOnBreach: false },
  ];
}

export interface PhaseTraffic {
  requests: number;
  errors: number;
  latenciesMs: number[];
  /** Operation outcomes over the phase (the objectives'), as in TrackWindow. */
  outcomes?: Record<string, OperationOutcomes>;
  criticalLatenciesMs?: number[];
}

/** The phase's traffic with one more window added; latency samples keep the latest `maxLatencies`. */
export function addToPhase(traffic: PhaseTraffic, w: TrackWindow, maxLatencies: number): PhaseTraffic {
  const outcomes = { ...traffic.outcomes };
  for (const [op, o] of Object.entries(w.outcomes ?? {})) {
    const prior = outcomes[op] ?? { succeeded: 0, failed: 0 };
    outcomes[op] = { succeeded: prior.succeeded + o.succeeded, failed: prior.failed + o.failed };
  }
  const critical = [...(traffic.criticalLatenciesMs ?? []), ...(w.criticalLatenciesMs ?? [])].slice(-maxLatencies);
  return {
    requests: traffic.requests + w.requests,
    errors: traffic.errors + w.errors,
    latenciesMs: [...traffic.latenciesMs, ...w.latenciesMs].slice(-maxLatencies),
    ...(Object.keys(outcomes).length > 0 ? { outcomes } : {}),
    ...(critical.length > 0 ? { criticalLatenciesMs: critical } : {}),
  };
}

/** Which objectives a phase judges: those of `service`, at `at` (the assessments' time). */
export interface PhaseObjectives {
  service: string;
  at: number;
  /** Default sloRules(). */
  rules?: readonly Rule[];
}

export interface PhaseVerdict {
  phase: ValidationPhase['name'];
  status: 'pass' | 'fail' | 'inconclusive';
  observed: string;
  threshold: string;
  requests: number;
  errorRate: number | null;
  p95Ms: number | null;
  /** The objectives judged on the phase's traffic (work nobody requested is not judged). */
  objectives?: RuleAssessment[];
}

/** The limits, then the objectives: a failed objective fails the phase, with its reason in `observed`. */
export function assessPhase(phase: ValidationPhase, traffic: PhaseTraffic, limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS, objectives?: PhaseObjectives): PhaseVerdict {
  const verdict = assessLimits(phase, traffic, limits);
  if (objectives === undefined) return verdict;
  const assessed = assessObjectives(traffic, objectives);
  const failed = assessed.filter((a) => a.verdict === 'fail');
  if (failed.length === 0) return { ...verdict, objectives: assessed };
  const why = failed.map((a) => `${a.ruleId}: ${a.reason}`).join('; ');
  return { ...verdict, status: 'fail', observed: `${verdict.observed}; objectives missed: ${why}`, objectives: assessed };
}

/** The objectives on the phase's traffic, as the promoted version's (on stable, with no baseline beside it). */
function assessObjectives(traffic: PhaseTraffic, o: PhaseObjectives): RuleAssessment[] {
  const stable = { version: '', requests: traffic.requests, errors: traffic.errors, authFailures: 0, unavailable: 0, latenciesMs: traffic.latenciesMs, ...pick(traffic) };
  const observation = { at: o.at, windowMs: 0, tracks: { stable }, instances: {} };
  return (o.rules ?? sloRules())
    .filter((rule) => judges(rule, o.service) && isRequested(rule, observation))
    .map((rule) => assessRule(rule, observation, o.at, null, { candidate: 'stable', baseline: 'canary' }).assessment);
}

function pick(t: PhaseTraffic): Pick<PhaseTraffic, 'outcomes' | 'criticalLatenciesMs'> {
  return { ...(t.outcomes ? { outcomes: t.outcomes } : {}), ...(t.criticalLatenciesMs ? { criticalLatenciesMs: t.criticalLatenciesMs } : {}) };
}

function assessLimits(phase: ValidationPhase, traffic: PhaseTraffic, limits: ValidationLimits): PhaseVerdict {
  const threshold = `error rate < ${limits.maxErrorRate * 100} %, p95 < ${limits.maxP95Ms} ms, ≥ ${limits.minRequests} requests`;
  if (traffic.requests < limits.minRequests) {
    return { phase: phase.name, status: 'inconclusive', observed: `${traffic.requests} requests: too few to judge`, threshold, requests: traffic.requests, errorRate: null, p95Ms: null };
  }
  const errorRate = traffic.errors / traffic.requests;
  const p95 = traffic.latenciesMs.length > 0 ? quantile(traffic.latenciesMs, 0.95) : null;
  const breaches = [...(errorRate >= limits.maxErrorRate ? [`error rate ${(errorRate * 100).toFixed(2)} %`] : []), ...(p95 !== null && p95 >= limits.maxP95Ms ? [`p95 ${Math.round(p95)} ms`] : [])];
  const observed = `${traffic.requests} requests, error rate ${(errorRate * 100).toFixed(2)} %, p95 ${p95 === null ? '–' : `${Math.round(p95)} ms`}`;
  return {
    phase: phase.name,
    status: breaches.length > 0 ? 'fail' : 'pass',
    observed: breaches.length > 0 ? `${observed} (over the limit: ${breaches.join(', ')})` : observed,
    threshold,
    requests: traffic.requests,
    errorRate,
    p95Ms: p95,
  };
}
