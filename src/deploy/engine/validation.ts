// Post-deployment validation, judged purely: each phase (immediate, extended, final) holds the
// promoted version to the checklist's limits — error rate < 1 %, p95 < 2 s, enough traffic to say so.
import { quantile } from './statistics.js';

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
}

export interface PhaseVerdict {
  phase: ValidationPhase['name'];
  status: 'pass' | 'fail' | 'inconclusive';
  observed: string;
  threshold: string;
  requests: number;
  errorRate: number | null;
  p95Ms: number | null;
}

export function assessPhase(phase: ValidationPhase, traffic: PhaseTraffic, limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS): PhaseVerdict {
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
