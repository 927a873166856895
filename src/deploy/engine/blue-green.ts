// Blue-green: start the new colour beside the current one, switch traffic (at once by default), bake
// with analysis while the old colour idles at weight 0, then promote. Tracks: 'stable' is the current
// version (blue), 'green' the new one; rolling back sends all traffic to 'stable' again.
import type { Action, DeploymentPlan, DeploymentState, EngineResult } from './types.js';
import type { StrategyRunner } from './strategy.js';
import { backToStable, enterStep, promoteTrack, workersOf } from './transitions.js';

/** The blue-green strategy (tracks: 'stable' = blue/current, 'green' = new). */
export const blueGreen: StrategyRunner = {
  candidate: 'green',
  start: startGreen,
  instancesReady: (state, now) => enterStep(state, blueGreen, 0, now),
  nextStep: nextSwitchStep,
  stepDurationMs: (state) => (isLastStep(state) ? state.plan.bakeMs : state.plan.stepMs),
  describeStep: describeSwitchStep,
  // All traffic back to the current colour, then green goes.
  rollbackActions: (state) => backToStable('green', state.plan.toVersion),
  promoteActions: () => promoteTrack('green'),
};

function startGreen(plan: DeploymentPlan): Action[] {
  return [{ kind: 'startInstances', track: 'green', version: plan.toVersion, count: plan.instances, faults: plan.faults, ...workersOf(plan) }];
}

function nextSwitchStep(state: DeploymentState, now: number): EngineResult | null {
  return isLastStep(state) ? null : enterStep(state, blueGreen, state.stepIndex + 1, now);
}

/** The last step (the full switch) is analysed for bakeMs; earlier ones for stepMs. */
function isLastStep(state: DeploymentState): boolean {
  return state.stepIndex >= state.plan.steps.length - 1;
}

function describeSwitchStep(state: DeploymentState): string {
  const weight = state.plan.steps[state.stepIndex] ?? 0;
  const step = `step ${state.stepIndex + 1}/${state.plan.steps.length} (green at ${weight} %`;
  return isLastStep(state) ? `${step}, baking; stable kept running at weight 0)` : `${step})`;
}
