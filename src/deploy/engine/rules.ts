// Rule assessment: a measurement (measures.ts) plus Prometheus-style `for` semantics, turned into a
// verdict with a reason and evidence. No data is never a pass.
import type { Observation, Rule, RuleAssessment, Track } from './types.js';
import { measure, type Measurement, type RuleTracks } from './measures.js';

export { ERROR_RATE_ALPHA, LATENCY_ALPHA, AUTH_FAILURE_ALPHA, LATENCY_FLOOR_MS, type RuleTracks } from './measures.js';

/** An assessment and the breach start to carry into the next call. */
export interface RuleResult {
  assessment: RuleAssessment;
  /** Since when the breach has held continuously; null when not breaching (or no data). */
  breachSince: number | null;
}

/**
 * Assess one rule on one observation window, comparing the candidate track with the baseline track
 * over that same window.
 *
 * - breach held for ≥ `rule.forMs` (counting from `previousBreachSince`, or now) → 'fail';
 * - breach held for less → 'inconclusive', the reason saying for how long so far;
 * - no breach → 'pass' and the breach clock resets;
 * - fewer than `rule.minSamples` samples → `rule.noData` ('inconclusive' or 'fail'), clock resets;
 * - past the limit but not yet significant (a latency quantile on thin traffic) → 'inconclusive', clock resets;
 * - inconsistent counts (more errors than requests…) → 'error', clock resets.
 *
 * @param tracks candidate and baseline; default {@link inferTracks}(observation).
 */
export function assessRule(rule: Rule, observation: Observation, now: number, previousBreachSince: number | null, tracks: RuleTracks = inferTracks(observation)): RuleResult {
  const m = measure(rule, observation, tracks);
  const assess = (verdict: RuleAssessment['verdict'], reason: string, breachSince: number | null): RuleResult => ({
    assessment: { ruleId: rule.id, verdict, reason, at: now, evidence: m.evidence },
    breachSince,
  });
  if (m.kind === 'error') return assess('error', `cannot assess: ${m.summary}`, null);
  if (m.kind === 'no-data') return assess(rule.noData, `no data: ${m.summary}`, null);
  if (m.kind === 'uncertain') return assess('inconclusive', `too little evidence yet: ${m.summary}`, null);
  if (!m.breach) return assess('pass', m.summary, null);
  return assessBreach(rule, m, now, previousBreachSince, assess);
}

function assessBreach(
  rule: Rule,
  m: Extract<Measurement, { kind: 'measured' }>,
  now: number,
  previousBreachSince: number | null,
  assess: (verdict: RuleAssessment['verdict'], reason: string, breachSince: number | null) => RuleResult,
): RuleResult {
  const since = previousBreachSince ?? now;
  const held = now - since;
  if (held >= rule.forMs) {
    const duration = rule.forMs === 0 ? 'at once' : `for ${formatDuration(held)} (limit ${formatDuration(rule.forMs)})`;
    return assess('fail', `${m.summary}; breached ${duration}`, since);
  }
  return assess('inconclusive', `${m.summary}; breaching for ${formatDuration(held)} of ${formatDuration(rule.forMs)}`, since);
}

/**
 * The tracks an observation compares when the caller does not say: candidate 'green' if the
 * observation mentions green and not canary, else 'canary'; baseline 'blue' if it mentions blue
 * and not stable, else 'stable'.
 */
export function inferTracks(observation: Observation): RuleTracks {
  const mentions = (t: Track): boolean => t in observation.tracks || t in observation.instances;
  return {
    candidate: mentions('green') && !mentions('canary') ? 'green' : 'canary',
    baseline: mentions('blue') && !mentions('stable') ? 'blue' : 'stable',
  };
}

/** "250 ms", "12 s", "5 min 30 s": durations in reasons. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  const rest = Math.round(s - min * 60);
  return rest === 0 ? `${min} min` : `${min} min ${rest} s`;
}
