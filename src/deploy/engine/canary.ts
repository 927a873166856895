// Canary: run the new version beside stable, shift traffic step by step (5 → 25 → 50 → 100 %),
// analyse each step side by side, then promote. A rollback sends all traffic back to stable.
import type { Action, DeploymentPlan, DeploymentState, EngineResult } from './types.js';
import type { StrategyRunner } from './strategy.js';
import { backToStable, enterStep, promoteTrack, workersOf } from './transitions.js';

/** The canary strategy (tracks: 'stable' old, 'canary' new). */
export const canary: StrategyRunner = {
  candidate: 'canary',
  start: startCanary,
  instancesReady: (state, now) => enterStep(state, canary, 0, now),
  nextStep: nextCanaryStep,
  stepDurationMs: (state) => state.plan.stepMs,
  describeStep: describeCanaryStep,
  // All traffic back to stable first, then the canary instances go.
  rollbackActions: (state) => backToStable('canary', state.plan.toVersion),
  promoteActions: () => promoteTrack('canary'),
};

function startCanary(plan: DeploymentPlan): Action[] {
  return [{ kind: 'startInstances', track: 'canary', version: plan.toVersion, count: plan.instances, faults: plan.faults, ...workersOf(plan) }];
}

function nextCanaryStep(state: DeploymentState, now: number): EngineResult | null {
  const next = state.stepIndex + 1;
  return next < state.plan.steps.length ? enterStep(state, canary, next, now) : null;
}

function describeCanaryStep(state: DeploymentState): string {
  return `step ${state.stepIndex + 1}/${state.plan.steps.length} (canary at ${state.plan.steps[state.stepIndex] ?? 0} %)`;
}
