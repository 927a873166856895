// Step analysis: assess the rules that apply at the current traffic split and sort the verdicts into
// what the machine acts on — a rollback, a pause, new alerts, and the rules still holding the step.
import type { DeploymentPlan, DeploymentState, Observation, Rule, RuleAssessment, RuleMetric, Track } from './types.js';
import { assessRule } from './rules.js';
import { isRequested } from './slo-measures.js';

/** Metrics that need the baseline to carry traffic in the same window. */
const SIDE_BY_SIDE: ReadonlySet<RuleMetric> = new Set(['error-rate-vs-stable', 'latency-ratio', 'auth-failures']);
/** Metrics a cold instance's first requests would mislead: not judged while the newest instances warm up. */
const WARMS_UP: ReadonlySet<RuleMetric> = new Set(['latency-ratio']);

/**
 * Where the analysis window may begin: never before the deployment started, and once the newest
 * instances have warmed up, never before that (their cold first requests are left out for good).
 */
export function analysisFrom(state: DeploymentState, now: number): number {
  const warm = state.warmUntil ?? null;
  return warm !== null && now >= warm ? Math.max(warm, state.startedAt) : state.startedAt;
}

/** What one observation means for the current step. */
export interface StepAnalysis {
  /** Breach clocks for every rule of the plan (null for rules not assessed now). */
  breachSince: Record<string, number | null>;
  /** Latest assessment per rule: this observation's, else the last one made. */
  assessments: RuleAssessment[];
  /** First failing rule whose action is 'rollback'. */
  rollback: RuleAssessment | null;
  /** First failing rule whose action is 'pause'. */
  pause: RuleAssessment | null;
  /** 'alert' rules that fail now and did not before. */
  newAlerts: RuleAssessment[];
  /** Assessed rollback/pause rules that are not 'pass': the step may not advance while any remain. */
  holding: RuleAssessment[];
}

/**
 * Rules that can be assessed at this split. Side-by-side rules need both tracks to carry traffic
 * (0 < candidate weight < 100) and a baseline version to exist; the rest always apply.
 */
export function applicableRules(plan: DeploymentPlan, candidateWeight: number): Rule[] {
  const sideBySide = plan.fromVersion !== null && candidateWeight > 0 && candidateWeight < 100;
  return plan.rules.filter((rule) => (sideBySide || !SIDE_BY_SIDE.has(rule.metric)) && judges(rule, plan.service));
}

/** Whether `rule` judges deployments of `service` (an objective of video encoding judges only video). */
export function judges(rule: Rule, service: string): boolean {
  return rule.services === undefined || rule.services.includes(service);
}

/** Assess the applicable rules on `observation`, `candidate` against 'stable'. */
export function analyseStep(state: DeploymentState, observation: Observation, now: number, candidate: Track): StepAnalysis {
  // An objective of work nobody asked for in this window is not judged in it (slo-measures.ts).
  const rules = applicableRules(state.plan, state.plan.steps[state.stepIndex] ?? 0).filter((rule) => isRequested(rule, observation));
  const warmUntil = state.warmUntil ?? null;
  const warming = warmUntil !== null && now < warmUntil;
  const results = rules.map((rule) => {
    const result = assessRule(rule, observation, now, state.breachSince[rule.id] ?? null, { candidate, baseline: 'stable' });
    if (!warming || !WARMS_UP.has(rule.metric)) return { rule, ...result };
    const reason = `warming up (${Math.ceil((warmUntil - now) / 1000)} s left of ${(state.plan.warmupMs ?? 0) / 1000} s): the new instances' first requests are not judged on latency (they would read: ${result.assessment.reason})`;
    return { rule, breachSince: null, assessment: { ...result.assessment, verdict: 'inconclusive' as const, reason } };
  });
  const current = new Map(results.map((r) => [r.rule.id, r]));
  const previous = new Map(state.assessments.map((a) => [a.ruleId, a]));
  const failing = (action: Rule['action']): RuleAssessment | null => results.find((r) => r.rule.action === action && r.assessment.verdict === 'fail')?.assessment ?? null;
  return {
    breachSince: Object.fromEntries(state.plan.rules.map((rule) => [rule.id, current.get(rule.id)?.breachSince ?? null])),
    assessments: state.plan.rules.flatMap((rule) => {
      const latest = current.get(rule.id)?.assessment ?? previous.get(rule.id);
      return latest ? [latest] : [];
    }),
    rollback: failing('rollback'),
    pause: failing('pause'),
    newAlerts: results.filter((r) => r.rule.action === 'alert' && r.assessment.verdict === 'fail' && previous.get(r.rule.id)?.verdict !== 'fail').map((r) => r.assessment),
    holding: results.filter((r) => r.rule.action !== 'alert' && r.assessment.verdict !== 'pass').map((r) => r.assessment),
  };
}
