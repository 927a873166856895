// The deploy engine's public face: pure decisions for deployments. Other folders import from here only.
export type * from './types.js';
export { PHASES, TERMINAL_PHASES } from './types.js';
export { createPlan, planHash, PlanError, type PlanInput } from './plan.js';
export { DEFAULT_RULES, DEFAULT_CANARY_STEPS, DEFAULT_BLUE_GREEN_STEPS, DEFAULT_STEP_MS, DEFAULT_BAKE_MS, DEFAULT_READY_TIMEOUT_MS, MONITORING_ALERTS } from './defaults.js';
export { startDeployment, advance } from './machine.js';
export { assessRule, inferTracks, formatDuration, ERROR_RATE_ALPHA, LATENCY_ALPHA, AUTH_FAILURE_ALPHA, LATENCY_FLOOR_MS, type RuleResult, type RuleTracks } from './rules.js';
export { analysisFrom, applicableRules, judges } from './analysis.js';
export { OBJECTIVES, SLO_ALPHA, SLO_MIN_SAMPLES, SLO_PERIOD_MS, assessErrorBudget, describeErrorBudget, sloRules, type ErrorBudget, type Indicator, type Objective } from './slo.js';
export { countOutcomes, REQUESTS } from './slo-measures.js';
export {
  binomialUpperTail,
  twoProportionTest,
  mannWhitneyU,
  quantileAboveTest,
  quantile,
  normalCdf,
  isSignificantlyWorse,
  MIN_EXPECTED_CELL,
  type ProportionTest,
  type RankTest,
} from './statistics.js';
export { canonicalJson, fnv1a64 } from './hash.js';
export { SIGNOFF_ROLES, assessSignoffs, isSignoffRole, refuseSignoff, requiredSignoffs, type Approval, type Signer, type SignoffAssessment, type SignoffPolicy, type SignoffRole } from './signoffs.js';
export { assessPower, planBudget, sampleSizeTwoProportions, type PlanBudget, type StepPower } from './power.js';
export {
  DEFAULT_VALIDATION_LIMITS,
  addToPhase,
  assessPhase,
  validationPhases,
  type PhaseObjectives,
  type PhaseTraffic,
  type PhaseVerdict,
  type ValidationLimits,
  type ValidationPhase,
} from './validation.js';
export { judgeRollback, type PromotedVersion, type RollbackGrant, type RollbackPolicy } from './rollback-policy.js';
export { assessPromotionGate, validationPassed, type EarlierRecordSummary, type PhaseOutcome, type PromotionEvidence, type PromotionGate, type PromotionGateInput } from './promotion-gate.js';
export { diffEffectiveConfig, flatten, isAllowed, type Difference, type DriftInput, type EffectiveConfig } from './drift.js';
export { holdForSignoffs, promotes, type SignoffHold } from './signoff-hold.js';
export { recoverDeployment, rollBackOnRecovery, type Recovery } from './recovery.js';
export {
  advanceValidation,
  describeResumedValidation,
  judgeSmokeAfterPromotion,
  rollbackToPrevious,
  completeSeconds,
  sampleSeconds,
  startValidation,
  type AfterPromotion,
  type SecondsSpan,
  type ValidationProgress,
  type ValidationSample,
  type ValidationStep,
} from './post-promotion.js';
export {
  DEFAULT_RELEASE_ORDER,
  ReleaseOrderError,
  holdForRelease,
  planReleaseOrder,
  recoverRelease,
  releaseDecision,
  type RecoveringMember,
  type ReleaseDecision,
  type ReleaseMember,
  type ReleaseRecovery,
} from './release-train.js';
