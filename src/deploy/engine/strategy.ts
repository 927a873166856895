// The shape every strategy fills in: how it starts, what each step does, and how it promotes or
// rolls back. The shared flow (machine.ts) decides WHEN; a strategy says WHAT.
import type { Action, DeploymentPlan, DeploymentState, EngineResult, Track } from './types.js';

/** One deployment strategy as a handful of named steps. All functions are pure. */
export interface StrategyRunner {
  /** Track the new version runs on ('canary' or 'green'); the baseline is always 'stable'. */
  readonly candidate: Track;
  /** Actions that begin the deployment (start the new instances). */
  start(plan: DeploymentPlan): Action[];
  /** The instances asked for are ready: enter the next step (phase 'progressing'). */
  instancesReady(state: DeploymentState, now: number): EngineResult;
  /** The current step passed its analysis: the next step, or null when the last one is done (promote). */
  nextStep(state: DeploymentState, now: number): EngineResult | null;
  /** How long the current step is analysed before it may pass. */
  stepDurationMs(state: DeploymentState): number;
  /** "step 2/4 (canary at 25 %)": the step, for reasons. */
  describeStep(state: DeploymentState): string;
  /** Actions that send all traffic back to the old version and remove the new one. */
  rollbackActions(state: DeploymentState): Action[];
  /** Actions that make the new version stable. */
  promoteActions(state: DeploymentState): Action[];
}
