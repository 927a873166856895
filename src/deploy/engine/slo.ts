// The checklist's application metrics as service level objectives, declared once. The deploy
// engine judges them as rules (canary and post-deployment validation, sloRules below) and
// src/deploy/slo-alerts.ts writes them as Prometheus alerts: one definition, three judges.
import type { Rule } from './types.js';

/** What an objective measures: a success ratio of operations, or a latency quantile of critical routes. */
export type Indicator =
  /** Outcome keys as in TrackWindow.outcomes (`job:` is every job); `requests` is every answer, 5xx failing. */
  | { kind: 'success'; operations: readonly string[] }
  /** Requests on critical routes answered within `boundMs`: target 0.95 is "p95 < boundMs". */
  | { kind: 'latency'; boundMs: number };

export interface Objective {
  /** The rule id is `slo-<id>`; the alert is named from it. */
  id: string;
  title: string;
  /** Share of good events to meet: successes (0.99 = 99 %), or critical requests within the bound (0.95 = p95). */
  target: number;
  indicator: Indicator;
  /** Services whose deployments it judges; absent: every service. */
  services?: readonly string[];
}

/** §11 "Application Metrics" and "Availability" of the deployment checklist. */
export const OBJECTIVES: readonly Objective[] = Object.freeze([
  { id: 'auth-success', title: 'User authentication success rate', target: 0.99, indicator: { kind: 'success', operations: ['auth'] } },
  { id: 'video-encoding', title: 'Video encoding success rate', target: 0.95, indicator: { kind: 'success', operations: ['job:process'] }, services: ['video'] },
  { id: 'document-processing', title: 'Document processing success rate', target: 0.98, indicator: { kind: 'success', operations: ['job:extract-text'] }, services: ['document'] },
  // After the specific job objectives, so a rollback names the most specific one that failed. Not
  // video: its jobs are its encodes, which the checklist holds to their own, looser 95 %; judged at
  // 98 % as well, a video release would always be stopped by this rule first and the 95 % would never decide.
  { id: 'file-processing', title: 'File processing success rate', target: 0.98, indicator: { kind: 'success', operations: ['job:'] }, services: ['document', 'media'] },
  { id: 'ai-inference', title: 'AI inference success rate', target: 0.97, indicator: { kind: 'success', operations: ['inference'] }, services: ['ai'] },
  { id: 'availability', title: 'Service availability', target: 0.999, indicator: { kind: 'success', operations: ['requests'] } },
  { id: 'critical-latency', title: 'Critical endpoints p95 response time', target: 0.95, indicator: { kind: 'latency', boundMs: 2_000 } },
] satisfies Objective[]);

/** The availability objective's window for its error budget (Google SRE workbook: 30 days). */
export const SLO_PERIOD_MS = 30 * 24 * 3_600_000;

/**
 * Significance an objective's test needs before a window counts as a breach (one-sided, exact
 * binomial). As strict as the side-by-side error rule's: the test runs again every window, and a
 * service sitting right at its objective must not be rolled back by the repetition.
 */
export const SLO_ALPHA = 0.001;

/** Outcomes (or critical requests) a window needs before an objective is judged on it: the side-by-side rules' floor. */
export const SLO_MIN_SAMPLES = 30;

/**
 * Each objective as a rule of the engine's catalogue. No `for`: the exact test keeps chance from
 * failing it, as with the side-by-side rules, so a release that breaks an objective is stopped in
 * the window that shows it. No data is inconclusive (holds the step), as for every rule.
 */
export function sloRules(objectives: readonly Objective[] = OBJECTIVES): Rule[] {
  return objectives.map((o) => {
    const base = { id: `slo-${o.id}`, forMs: 0, minSamples: SLO_MIN_SAMPLES, noData: 'inconclusive' as const, action: 'rollback' as const, ...(o.services ? { services: [...o.services] } : {}) };
    return o.indicator.kind === 'success'
      ? { ...base, metric: 'success-rate', threshold: o.target, operations: [...o.indicator.operations] }
      : { ...base, metric: 'latency-bound', threshold: o.indicator.boundMs, quantile: o.target };
  });
}

/** What is left of an objective's error budget over its period. */
export interface ErrorBudget {
  target: number;
  periodMs: number;
  requests: number;
  errors: number;
  /** Failures the target allows over those requests: (1 − target) × requests. */
  allowedErrors: number;
  /** 1 − errors / allowedErrors: 1 untouched, 0 spent, negative overspent; null with no traffic (nothing to judge). */
  remaining: number | null;
}

/** The availability budget from the period's counts (errors = 5xx answers, as the availability objective counts them). */
export function assessErrorBudget(counts: { requests: number; errors: number }, target = availabilityTarget(), periodMs = SLO_PERIOD_MS): ErrorBudget {
  const allowedErrors = (1 - target) * counts.requests;
  const remaining = counts.requests === 0 ? null : 1 - counts.errors / allowedErrors;
  return { target, periodMs, requests: counts.requests, errors: counts.errors, allowedErrors, remaining };
}

/** "62.5 % of the 99.9 % budget left (3 of 8 allowed errors spent over 30 days)". */
export function describeErrorBudget(b: ErrorBudget): string {
  const days = Math.round(b.periodMs / 86_400_000);
  if (b.remaining === null) return `no traffic in the last ${days} days: the ${b.target * 100} % budget is untouched`;
  const left = `${(Math.round(b.remaining * 1000) / 10).toFixed(1)} %`;
  return `${left} of the ${b.target * 100} % budget left (${b.errors} of ${Math.round(b.allowedErrors * 10) / 10} allowed errors spent over ${days} days, ${b.requests} requests)`;
}

function availabilityTarget(): number {
  const o = OBJECTIVES.find((x) => x.id === 'availability');
  if (!o) throw new Error('no availability objective');
  return o.target;
}
