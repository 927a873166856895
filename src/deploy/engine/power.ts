// Can the plan see what it is meant to see? For each canary step, at the traffic the service has
// had, enough requests must reach the new version before the step ends to detect an error rate
// rising from 1 % to 5 % (one-sided two-proportion test, the side-by-side rule's alpha, 80 % power).
// And the plan's time budget: the fastest promotion and the worst-case time to detect and roll back.
import type { DeploymentPlan } from './types.js';

export interface StepPower {
  step: number;
  weightPercent: number;
  /** Requests the new version is expected to get during the step. */
  expectedRequests: number;
  /** Requests needed to detect 1 % → 5 % (or the rule's minimum sample, whichever is larger). */
  neededRequests: number;
  detectable: boolean;
}

export interface PlanBudget {
  /** Everything passing at the first chance: every step's duration plus the bake. */
  fastestPromotionS: number;
  /** The slowest rollback rule holding from the first request: its `for` plus one analysis interval and window. */
  worstDetectAndRollbackS: number;
  slowestRule: string | null;
}

const Z = (p: number): number => {
  // Acklam's rational approximation of the standard normal quantile: ample for sample sizes.
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938376484052046];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137308495, 3.754408661907416];
  const q = Math.min(p, 1 - p);
  const t = Math.sqrt(-2 * Math.log(q));
  const x = (((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  if (q > 0.02425) {
    const r = q - 0.5;
    const s = r * r;
    const central = ((((((a[0]! * s + a[1]!) * s + a[2]!) * s + a[3]!) * s + a[4]!) * s + a[5]!) * r) / (((((b[0]! * s + b[1]!) * s + b[2]!) * s + b[3]!) * s + b[4]!) * s + 1);
    return p < 0.5 ? central : -central;
  }
  return p < 0.5 ? x : -x;
};

/** Requests per group to detect `p1` → `p2` with a one-sided two-proportion test. */
export function sampleSizeTwoProportions(p1: number, p2: number, alpha: number, power: number): number {
  const zA = Z(1 - alpha);
  const zB = Z(power);
  const pBar = (p1 + p2) / 2;
  const n = (zA * Math.sqrt(2 * pBar * (1 - pBar)) + zB * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2;
  return Math.ceil(n);
}

export function assessPower(plan: DeploymentPlan, requestsPerSecond: number, options: { alpha?: number; power?: number } = {}): StepPower[] {
  const needed = Math.max(
    sampleSizeTwoProportions(0.01, 0.05, options.alpha ?? 0.001, options.power ?? 0.8),
    ...plan.rules.filter((r) => r.metric === 'error-rate-vs-stable').map((r) => r.minSamples),
  );
  return plan.steps
    .filter((w) => w < 100)
    .map((weight, i) => {
      const expected = Math.floor(((requestsPerSecond * weight) / 100) * (plan.stepMs / 1000));
      return { step: i + 1, weightPercent: weight, expectedRequests: expected, neededRequests: needed, detectable: expected >= needed };
    });
}

export function planBudget(plan: DeploymentPlan, analysis: { intervalMs: number; windowMs: number }): PlanBudget {
  const fastest = plan.steps.length * plan.stepMs + (plan.strategy === 'blue-green' ? plan.bakeMs : 0);
  const rollbackRules = plan.rules.filter((r) => r.action === 'rollback');
  const slowest = rollbackRules.reduce<(typeof rollbackRules)[number] | null>((worst, r) => (worst === null || r.forMs > worst.forMs ? r : worst), null);
  const worst = (slowest?.forMs ?? 0) + analysis.intervalMs + analysis.windowMs;
  return { fastestPromotionS: fastest / 1000, worstDetectAndRollbackS: worst / 1000, slowestRule: slowest?.id ?? null };
}
