// `pitchey deploy plan`: the resolved plan of a request, reviewed before anything happens — order,
// versions, steps, rules, gates and approvers, rollback target, time budget, statistical power —
// and its hash, which `deploy --plan-hash` must match to run exactly that plan.
import { SIGNOFF_ROLES, assessPower, judgeRollback, planBudget, planHash, requiredSignoffs } from './engine/index.js';
import type { PromotionGate } from './engine/index.js';
import type { Controller, DeployRequest } from './controller.js';
import type { PlanReview } from './admin-api.js';

export interface ReviewContext {
  controller: Controller;
  enforceChecks: boolean;
  analysis: { intervalMs: number; windowMs: number };
  /** Requests per second the service saw recently, and over how long. */
  traffic: (service: string) => Promise<{ requestsPerSecond: number; overS: number }>;
  releaseExists(version: string): Promise<boolean>;
  /** The promotion chain's verdict on this version (what the earlier environment recorded). */
  promotion: PromotionGate;
}

export async function reviewPlan(ctx: ReviewContext, request: DeployRequest, order: number): Promise<PlanReview> {
  const plan = ctx.controller.preview(request);
  const traffic = await ctx.traffic(request.service);
  const steps = plan.strategy === 'canary' ? assessPower(plan, traffic.requestsPerSecond) : [];
  const rollback = plan.fromVersion;
  const rollbackPresent = rollback !== null && (await ctx.releaseExists(rollback));
  const warnings = [
    ...steps
      .filter((s) => !s.detectable)
      .map(
        (s) =>
          `step ${s.step} (${s.weightPercent} %) would see about ${s.expectedRequests} requests at ${traffic.requestsPerSecond.toFixed(2)} req/s; ${s.neededRequests} are needed to detect an error rise from 1 % to 5 % before it ends: lengthen the step or raise its weight`,
      ),
    ...(rollback !== null && !rollbackPresent ? [`the rollback target ${rollback} is not available as a release`] : []),
    ...(plan.faults ? [`fault injection: ${plan.faults}`] : []),
    ...(ctx.promotion.verdict === 'fail' || ctx.promotion.verdict === 'error' ? [`refused until fixed: ${ctx.promotion.reason}`] : []),
  ];
  return {
    order,
    service: request.service,
    planHash: planHash(plan),
    plan,
    gates: {
      preDeploymentChecks: ctx.enforceChecks ? 'enforced' : 'recorded',
      signoffs: requiredSignoffs(plan, ctx.controller.signoffPolicy()).map((r) => ({ role: r, title: SIGNOFF_ROLES[r] })),
      promotion: ctx.promotion,
    },
    // Once this plan is promoted, its from-version is the previous one: what would a rollback to it need?
    rollbackTarget: {
      version: rollback,
      present: rollbackPresent,
      signoffs: rollback === null ? null : judgeRollback({ target: rollback, current: plan.toVersion, previous: rollback, history: [], policy: ctx.controller.rollbackPolicy(), now: 0 }).why,
    },
    budget: planBudget(plan, ctx.analysis),
    power: { requestsPerSecond: traffic.requestsPerSecond, measuredOverS: traffic.overS, steps },
    warnings,
  };
}
