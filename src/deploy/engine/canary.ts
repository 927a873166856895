// Canary: run the new version beside stable, shift traffic step by step (5 → 25 → 50 → 100 %),
// analyse each step side by side, then promote. A rollback sends all traffic back to stable.
import type { Action, DeploymentPlan, DeploymentState, EngineResult } from './types.js';
import type { StrategyRunner } from './strategy.js';
import { enterStep } from './transitions.js';

/** The canary strategy (tracks: 'stable' old, 'canary' new). */
export const canary: StrategyRunner = {
  candidate: 'canary',
  start: startCanary,
  instancesReady: (state, now) => enterStep(state, canary, 0, now),
  nextStep: nextCanaryStep,
  stepDurationMs: (state) => state.plan.stepMs,
  describeStep: describeCanaryStep,
  rollbackActions: abortCanary,
  promoteActions: promoteCanary,
};

function startCanary(plan: DeploymentPlan): Action[] {
  return [{ kind: 'startInstances', track: 'canary', version: plan.toVersion, count: plan.instances, faults: plan.faults }];
}

function nextCanaryStep(state: DeploymentState, now: number): EngineResult | null {
  const next = state.stepIndex + 1;
  return next < state.plan.steps.length ? enterStep(state, canary, next, now) : null;
}

function describeCanaryStep(state: DeploymentState): string {
  return `step ${state.stepIndex + 1}/${state.plan.steps.length} (canary at ${state.plan.steps[state.stepIndex] ?? 0} %)`;
}

/** All traffic back to stable first, then the canary instances go. */
function abortCanary(state: DeploymentState): Action[] {
  return [
    { kind: 'setWeights', weights: { stable: 100, canary: 0 } },
    { kind: 'stopInstances', track: 'canary', version: state.plan.toVersion },
  ];
}

function promoteCanary(): Action[] {
  return [
    { kind: 'promote', from: 'canary' },
    { kind: 'setWeights', weights: { stable: 100, canary: 0 } },
  ];
}
