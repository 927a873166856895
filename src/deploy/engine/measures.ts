// One measurement per RuleMetric: candidate against baseline over the SAME window (side by side,
// never before/after). A measurement says breach or not, or that there is no data; rules.ts adds `for`.
import type { Observation, Rule, RuleAssessment, Track, TrackWindow } from './types.js';
import { isSignificantlyWorse, mannWhitneyU, quantile, quantileAboveTest, twoProportionTest } from './statistics.js';
import { latencyBound, successRate } from './slo-measures.js';

/** Which track carries the new version and which the one it is compared against. */
export interface RuleTracks {
  candidate: Track;
  baseline: Track;
}

/** Significance required by the side-by-side error-rate rule (a clearly bad canary still fails in one window). */
export const ERROR_RATE_ALPHA = 0.001;
/** Significance required of the latency rule's quantile test (and shown for its rank test). */
export const LATENCY_ALPHA = 0.01;
/** Significance required by the authentication-failure rule. */
export const AUTH_FAILURE_ALPHA = 0.01;
/**
 * Baseline p95 below this (ms) is raised to it: a ratio against ~0 ms explodes, and a freshly
 * started canary (cold JIT, cold caches) is a few ms slower than a warm stable without being bad.
 */
export const LATENCY_FLOOR_MS = 10;

export type Evidence = RuleAssessment['evidence'];

/** The quantile a latency rule compares when it names none: the checklist's p95. */
export const DEFAULT_LATENCY_QUANTILE = 0.95;

export type Measurement =
  | { kind: 'measured'; breach: boolean; summary: string; evidence: Evidence }
  /** Past the limit by its point estimate, but the test cannot tell that from chance yet. */
  | { kind: 'uncertain'; summary: string; evidence: Evidence }
  | { kind: 'no-data'; summary: string; evidence: Evidence }
  | { kind: 'error'; summary: string; evidence: Evidence };

/** Measure `rule` on `observation`: candidate against baseline, both from the same window. */
export function measure(rule: Rule, observation: Observation, tracks: RuleTracks): Measurement {
  const candidate = observation.tracks[tracks.candidate];
  const baseline = observation.tracks[tracks.baseline];
  const invalid = invalidWindow(candidate) ?? invalidWindow(baseline);
  if (invalid) return { kind: 'error', summary: invalid, evidence: evidenceOf(rule, null, candidate, baseline) };
  switch (rule.metric) {
    case 'error-rate':
      return errorRate(rule, tracks, candidate, baseline);
    case 'error-rate-vs-stable':
      return rateVsBaseline(rule, tracks, candidate, baseline, 'errors');
    case 'auth-failures':
      return rateVsBaseline(rule, tracks, candidate, baseline, 'authFailures');
    case 'latency-ratio':
      return latencyRatio(rule, tracks, candidate, baseline);
    case 'unavailable':
      return unavailable(rule, tracks, observation, candidate, baseline);
    case 'success-rate':
      return successRate(rule, tracks, candidate, baseline);
    case 'latency-bound':
      return latencyBound(rule, tracks, candidate, baseline);
  }
}

function errorRate(rule: Rule, tracks: RuleTracks, candidate?: TrackWindow, baseline?: TrackWindow): Measurement {
  const n = candidate?.requests ?? 0;
  if (!candidate || n < rule.minSamples) {
    return noData(rule, { track: tracks.candidate, have: n }, evidenceOf(rule, null, candidate, baseline));
  }
  const rate = candidate.errors / n;
  return {
    kind: 'measured',
    breach: rate > rule.threshold,
    summary: `${tracks.candidate} error rate ${percent(rate)} (${candidate.errors}/${n}), limit ${percent(rule.threshold)}`,
    evidence: evidenceOf(rule, rate, candidate, baseline, { name: 'error-rate', value: rate }),
  };
}

/** Errors (or 401/403s) of the candidate significantly above the baseline's, by more than the threshold. */
function rateVsBaseline(rule: Rule, tracks: RuleTracks, candidate: TrackWindow | undefined, baseline: TrackWindow | undefined, field: 'errors' | 'authFailures'): Measurement {
  const shortOf = lacking(rule, tracks, candidate?.requests ?? 0, baseline?.requests ?? 0);
  if (shortOf || !candidate || !baseline) {
    return noData(rule, shortOf ?? { track: tracks.candidate, have: 0 }, evidenceOf(rule, null, candidate, baseline));
  }
  const rateC = candidate[field] / candidate.requests;
  const rateB = baseline[field] / baseline.requests;
  const test = twoProportionTest(candidate[field], candidate.requests, baseline[field], baseline.requests);
  const alpha = field === 'errors' ? ERROR_RATE_ALPHA : AUTH_FAILURE_ALPHA;
  const difference = rateC - rateB;
  const label = field === 'errors' ? 'error rate' : '401/403 rate';
  return {
    kind: 'measured',
    breach: isSignificantlyWorse({ pValue: test.pValue, difference }, { alpha, minDifference: rule.threshold }),
    summary:
      `${tracks.candidate} ${label} ${percent(rateC)} vs ${tracks.baseline} ${percent(rateB)} ` +
      `(${signedPoints(difference)}, limit +${points(rule.threshold)}; p=${formatP(test.pValue)}, needs < ${alpha})`,
    evidence: evidenceOf(rule, difference, candidate, baseline, {
      name: test.method === 'z' ? 'two-proportion-z' : 'fisher-exact',
      value: test.z,
      pValue: test.pValue,
    }),
  };
}

/**
 * The candidate's latency quantile (p95 unless the rule names another) against `threshold` × the
 * baseline's. Past the limit is a breach only when a test says it is not chance: the test OF THAT
 * QUANTILE (binomial on order statistics: more of the candidate's requests beyond threshold ×
 * baseline-quantile than the quantile allows; it catches a regression of the tail alone) or,
 * beside it, the rank test (the whole distribution slower). Past the limit with neither
 * significant is `uncertain`: the rule holds as inconclusive until more traffic decides, never a
 * pass next to a number past its limit. Within the limit is a pass.
 */
function latencyRatio(rule: Rule, tracks: RuleTracks, candidate?: TrackWindow, baseline?: TrackWindow): Measurement {
  const a = candidate?.latenciesMs ?? [];
  const b = baseline?.latenciesMs ?? [];
  const shortOf = lacking(rule, tracks, a.length, b.length);
  const samples = { candidate: a.length, baseline: b.length };
  if (shortOf) return noData(rule, shortOf, { observed: null, threshold: rule.threshold, samples });
  const q = rule.quantile ?? DEFAULT_LATENCY_QUANTILE;
  const label = `p${round(q * 100)}`;
  const qa = quantile(a, q);
  const qb = quantile(b, q);
  const base = Math.max(qb, LATENCY_FLOOR_MS);
  const ratio = qa / base;
  const tail = quantileAboveTest(a, rule.threshold * base, q);
  const rank = mannWhitneyU(a, b);
  const summary =
    `${tracks.candidate} ${label} ${round(qa)} ms vs ${tracks.baseline} ${round(qb)} ms ` +
    `(×${round(ratio)}, limit ×${rule.threshold}; ${tail.above}/${tail.n} requests beyond ${round(rule.threshold * base)} ms, ` +
    `${label} test p=${formatP(tail.pValue)}, needs < ${LATENCY_ALPHA}; Mann–Whitney p=${formatP(rank.pValue)})`;
  const byQuantile = tail.pValue < LATENCY_ALPHA || rank.pValue >= LATENCY_ALPHA;
  const evidence: Evidence = {
    observed: ratio,
    threshold: rule.threshold,
    samples,
    statistic: byQuantile ? { name: `${label}-binomial`, value: tail.above, pValue: tail.pValue } : { name: 'mann-whitney-u', value: rank.u, pValue: rank.pValue },
  };
  if (ratio <= rule.threshold) return { kind: 'measured', breach: false, summary, evidence };
  if (tail.pValue >= LATENCY_ALPHA && rank.pValue >= LATENCY_ALPHA) return { kind: 'uncertain', summary, evidence };
  return { kind: 'measured', breach: true, summary, evidence };
}

function unavailable(rule: Rule, tracks: RuleTracks, observation: Observation, candidate?: TrackWindow, baseline?: TrackWindow): Measurement {
  const instances = observation.instances[tracks.candidate];
  const n = candidate?.requests ?? 0;
  const share = candidate && n > 0 ? candidate.unavailable / n : null;
  if (instances && instances.ready === 0) {
    return {
      kind: 'measured',
      breach: true,
      summary: `no ready ${tracks.candidate} instance (0 of ${instances.total})`,
      evidence: evidenceOf(rule, share, candidate, baseline, { name: 'ready-instances', value: 0 }),
    };
  }
  if (!candidate || share === null || n < rule.minSamples) {
    return noData(rule, { track: tracks.candidate, have: n }, evidenceOf(rule, null, candidate, baseline));
  }
  return {
    kind: 'measured',
    breach: share >= rule.threshold,
    summary: `${tracks.candidate} unavailable answers ${percent(share)} (${candidate.unavailable}/${n}), limit ${percent(rule.threshold)}`,
    evidence: evidenceOf(rule, share, candidate, baseline, { name: 'unavailable-share', value: share }),
  };
}

/** The first track with fewer than minSamples samples, if any. */
function lacking(rule: Rule, tracks: RuleTracks, nCandidate: number, nBaseline: number): Shortfall | null {
  if (nCandidate < rule.minSamples) return { track: tracks.candidate, have: nCandidate };
  if (nBaseline < rule.minSamples) return { track: tracks.baseline, have: nBaseline };
  return null;
}

interface Shortfall {
  track: Track;
  have: number;
}

function noData(rule: Rule, short: Shortfall, evidence: Evidence): Measurement {
  const zero = short.have === 0 ? `no traffic reached ${short.track} in this window; ` : '';
  return { kind: 'no-data', summary: `${zero}${short.track} has ${short.have} of ${rule.minSamples} samples needed`, evidence };
}

function evidenceOf(rule: Rule, observed: number | null, candidate?: TrackWindow, baseline?: TrackWindow, statistic?: Evidence['statistic']): Evidence {
  const samples = { candidate: candidate?.requests ?? 0, baseline: baseline?.requests ?? 0 };
  return statistic ? { observed, threshold: rule.threshold, samples, statistic } : { observed, threshold: rule.threshold, samples };
}

/** Why a window's counts cannot be trusted, or null when they are consistent. */
function invalidWindow(w?: TrackWindow): string | null {
  if (!w) return null;
  const counts = [w.requests, w.errors, w.authFailures, w.unavailable];
  if (!counts.every((c) => Number.isInteger(c) && c >= 0)) return `invalid counts for version ${w.version}: not non-negative integers`;
  if (w.errors > w.requests || w.authFailures > w.requests || w.unavailable > w.requests) {
    return `invalid counts for version ${w.version}: more failures than requests`;
  }
  const latencies = [...w.latenciesMs, ...(w.criticalLatenciesMs ?? [])];
  if (!latencies.every((l) => Number.isFinite(l) && l >= 0)) return `invalid latencies for version ${w.version}`;
  const outcomes = Object.values(w.outcomes ?? {}).flatMap((o) => [o.succeeded, o.failed]);
  if (!outcomes.every((c) => Number.isInteger(c) && c >= 0)) return `invalid outcome counts for version ${w.version}: not non-negative integers`;
  return null;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
function points(x: number): string {
  return `${(x * 100).toFixed(1)} pts`;
}
function signedPoints(x: number): string {
  return `${x >= 0 ? '+' : '−'}${points(Math.abs(x))}`;
}
function round(x: number): number {
  return Math.round(x * 100) / 100;
}
function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
