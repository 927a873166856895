// The checklist's default rollback rules, the fast side-by-side rules on top, and default durations.
// Every duration is configurable through createPlan (plan.ts), so tests run the same code in seconds.
import type { Rule } from './types.js';
import { sloRules } from './slo.js';

/** Canary traffic steps in percent. */
export const DEFAULT_CANARY_STEPS: readonly number[] = Object.freeze([5, 25, 50, 100]);
/** Blue-green: switch all traffic at once. */
export const DEFAULT_BLUE_GREEN_STEPS: readonly number[] = Object.freeze([100]);
/** How long each step is analysed. */
export const DEFAULT_STEP_MS = 60_000;
/** Blue-green: how long the old colour keeps running (weight 0) after the switch. */
export const DEFAULT_BAKE_MS = 300_000;
/** How long new instances may take to become ready. */
export const DEFAULT_READY_TIMEOUT_MS = 60_000;
/**
 * How long new instances serve before their latency is judged: a fresh process's first requests are
 * slow (lazy modules, cold JIT, empty pools and caches), and judging them fails a good release.
 */
export const DEFAULT_WARMUP_MS = 5_000;

/**
 * Default rules. The first four are the checklist's rollback rules; the next two compare candidate
 * and stable side by side with no `for`, so a clearly bad canary is stopped in one window; the
 * `slo-*` rules are the checklist's application metrics and availability (slo.ts).
 */
export const DEFAULT_RULES: readonly Rule[] = Object.freeze(
  [
    // Checklist: error rate > 5 % for 5 min → rollback.
    { id: 'error-rate', metric: 'error-rate', threshold: 0.05, forMs: 300_000, minSamples: 20, noData: 'inconclusive', action: 'rollback' },
    // Checklist: response time degraded > 50 % (p95 against stable) for 10 min → rollback.
    { id: 'latency-degraded', metric: 'latency-ratio', threshold: 1.5, forMs: 600_000, minSamples: 20, noData: 'inconclusive', action: 'rollback' },
    // Checklist: authentication failures → rollback (401/403 rate above stable's, held 30 s so one unlucky window does not count).
    { id: 'auth-failures', metric: 'auth-failures', threshold: 0.02, forMs: 30_000, minSamples: 20, noData: 'inconclusive', action: 'rollback' },
    // Checklist: service unavailable → immediate rollback.
    { id: 'unavailable', metric: 'unavailable', threshold: 0.25, forMs: 0, minSamples: 10, noData: 'inconclusive', action: 'rollback' },
    // Fast: error rate clearly above stable's in the same window (p < 0.001 and > +2 points).
    { id: 'error-rate-vs-stable', metric: 'error-rate-vs-stable', threshold: 0.02, forMs: 0, minSamples: 30, noData: 'inconclusive', action: 'rollback' },
    // Fast: p95 clearly slower than stable's in the same window (× 1.8 and Mann–Whitney p < 0.01).
    { id: 'latency-vs-stable', metric: 'latency-ratio', threshold: 1.8, forMs: 0, minSamples: 30, noData: 'inconclusive', action: 'rollback' },
    ...sloRules(),
  ].map((rule) => Object.freeze(rule as Rule)),
);

/**
 * The checklist's monitoring thresholds ("Alert Thresholds": critical at error rate > 5 % or p95 > 5 s,
 * warning at > 2 % or > 3 s), held for 5 minutes. ops/prometheus/alerts.yml carries them as
 * Prometheus rules; a test keeps the two equal, and the critical error rate equal to the
 * `error-rate` rollback rule above.
 */
export const MONITORING_ALERTS = Object.freeze({
  errorRate: Object.freeze({ critical: 0.05, warning: 0.02 }),
  latencyP95Seconds: Object.freeze({ critical: 5, warning: 3 }),
  forMs: 300_000,
});
