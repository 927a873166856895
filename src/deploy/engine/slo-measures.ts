// Measurements of the service level objectives (slo.ts): the candidate's success ratio of some
// operations, or its critical routes' latency quantile, tested against the objective with an exact
// binomial test. The baseline (stable) is measured beside it in the same window: a candidate no
// worse than stable is not this release's doing, and rolling back would not help.
import type { OperationOutcomes, Observation, Rule, TrackWindow } from './types.js';
import type { Evidence, Measurement, RuleTracks } from './measures.js';
import { binomialUpperTail, quantile, quantileAboveTest } from './statistics.js';
import { SLO_ALPHA } from './slo.js';

/** The outcome key that stands for every answer of the service (availability: 5xx fails). */
export const REQUESTS = 'requests';

/** Successes and failures of `operations` in a window (keys match exactly, or by a prefix ending in `:`). */
export function countOutcomes(window: TrackWindow | undefined, operations: readonly string[]): OperationOutcomes {
  const total = { succeeded: 0, failed: 0 };
  if (!window) return total;
  for (const op of operations) {
    if (op === REQUESTS) {
      total.succeeded += window.requests - window.errors;
      total.failed += window.errors;
      continue;
    }
    for (const [key, o] of Object.entries(window.outcomes ?? {})) {
      if (key === op || (op.endsWith(':') && key.startsWith(op))) {
        total.succeeded += o.succeeded;
        total.failed += o.failed;
      }
    }
  }
  return total;
}

/**
 * Whether the window holds enough of the work `rule` judges, on either track, to judge it: at
 * least `minSamples` outcomes (or critical requests) somewhere. A service that did less of that
 * work in the window (no video job submitted, a few smoke requests with credentials) is not judged
 * on it then: the rule neither holds nor passes the step, as a side-by-side rule is not judged
 * without a baseline. When stable has enough and the candidate too little, the rule is judged and
 * its no-data verdict holds the step until the candidate has its share. Other metrics always apply.
 */
export function isRequested(rule: Rule, observation: Observation): boolean {
  const windows = Object.values(observation.tracks);
  if (rule.metric === 'success-rate') return windows.some((w) => total(countOutcomes(w, rule.operations ?? [])) >= rule.minSamples);
  if (rule.metric === 'latency-bound') return windows.some((w) => (w?.criticalLatenciesMs?.length ?? 0) >= rule.minSamples);
  return true;
}

/** Success ratio of the candidate against `rule.threshold`: a breach when the shortfall is significant and stable does better. */
export function successRate(rule: Rule, tracks: RuleTracks, candidate?: TrackWindow, baseline?: TrackWindow): Measurement {
  const ops = rule.operations ?? [];
  const c = countOutcomes(candidate, ops);
  const b = countOutcomes(baseline, ops);
  const samples = { candidate: total(c), baseline: total(b) };
  const what = ops.join(', ');
  if (samples.candidate < rule.minSamples) {
    return { kind: 'no-data', summary: `${tracks.candidate} has ${samples.candidate} of ${rule.minSamples} ${what} outcomes needed`, evidence: { observed: null, threshold: rule.threshold, samples } };
  }
  const rate = c.succeeded / samples.candidate;
  const allowed = 1 - rule.threshold;
  const pValue = binomialUpperTail(c.failed, samples.candidate, allowed);
  const baseRate = samples.baseline > 0 ? b.succeeded / samples.baseline : null;
  const summary =
    `${tracks.candidate} ${what} success ${percent(rate)} (${c.failed} failed of ${samples.candidate}), objective ≥ ${percent(rule.threshold)}; ` +
    `binomial p=${formatP(pValue)}, needs < ${SLO_ALPHA}; ${tracks.baseline} ${baseRate === null ? 'has none' : `${percent(baseRate)} (${b.failed} of ${samples.baseline})`}`;
  const evidence: Evidence = { observed: rate, threshold: rule.threshold, samples, statistic: { name: 'binomial-exact', value: c.failed, pValue } };
  return judge(rate >= rule.threshold, pValue, baseRate !== null && baseRate <= rate, summary, evidence);
}

/** The candidate's critical-route latency quantile against `rule.threshold` ms. */
export function latencyBound(rule: Rule, tracks: RuleTracks, candidate?: TrackWindow, baseline?: TrackWindow): Measurement {
  const q = rule.quantile ?? 0.95;
  const a = candidate?.criticalLatenciesMs ?? [];
  const b = baseline?.criticalLatenciesMs ?? [];
  const samples = { candidate: a.length, baseline: b.length };
  if (a.length < rule.minSamples) {
    return { kind: 'no-data', summary: `${tracks.candidate} has ${a.length} of ${rule.minSamples} critical-route requests needed`, evidence: { observed: null, threshold: rule.threshold, samples } };
  }
  const label = `p${Math.round(q * 1000) / 10}`;
  const qa = quantile(a, q);
  const qb = b.length > 0 ? quantile(b, q) : null;
  const tail = quantileAboveTest(a, rule.threshold, q);
  const summary =
    `${tracks.candidate} critical-route ${label} ${Math.round(qa)} ms, objective < ${rule.threshold} ms ` +
    `(${tail.above}/${tail.n} beyond it; binomial p=${formatP(tail.pValue)}, needs < ${SLO_ALPHA}); ${tracks.baseline} ${qb === null ? 'has none' : `${Math.round(qb)} ms`}`;
  const evidence: Evidence = { observed: qa, threshold: rule.threshold, samples, statistic: { name: `${label}-binomial`, value: tail.above, pValue: tail.pValue } };
  return judge(qa < rule.threshold, tail.pValue, qb !== null && qb >= qa, summary, evidence);
}

/**
 * Within the objective: a pass. Outside it and significant: a breach, unless stable is as bad in
 * the same window (then the cause is not the release: a pass that says so). Outside it but not yet
 * significant: uncertain, which holds the step until more outcomes decide.
 */
function judge(within: boolean, pValue: number, baselineAsBad: boolean, summary: string, evidence: Evidence): Measurement {
  if (within) return { kind: 'measured', breach: false, summary, evidence };
  if (pValue >= SLO_ALPHA) return { kind: 'uncertain', summary, evidence };
  if (baselineAsBad) return { kind: 'measured', breach: false, summary: `${summary}; stable misses it as much, so not this release's doing`, evidence };
  return { kind: 'measured', breach: true, summary, evidence };
}

function total(o: OperationOutcomes): number {
  return o.succeeded + o.failed;
}
function percent(x: number): string {
  return `${(x * 100).toFixed(x > 0.99 && x < 1 ? 2 : 1)} %`;
}
function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
