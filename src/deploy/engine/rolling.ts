// Rolling: surge first. Each batch starts new instances (track 'canary') beside the old ones, gives
// the new version the share its instances carry, and is analysed there; only a batch that passed
// retires old instances (rolling-plan.ts says how many). A rollback restarts the old instances
// retired so far, then moves traffic back.
import type { Action, DeploymentPlan, DeploymentState, EngineResult, RollingBatch } from './types.js';
import type { StrategyRunner } from './strategy.js';
import { shareOf } from './rolling-plan.js';
import { backToStable, enterStep, promoteTrack, setWeights, transition, workersOf } from './transitions.js';

/** The rolling strategy (tracks: 'stable' old instances, 'canary' new ones; plan.steps[i] = share in batch i). */
export const rolling: StrategyRunner = {
  candidate: 'canary',
  start: (plan) => [startBatch(plan, 0)],
  instancesReady: batchReady,
  nextStep: retireThenStartNext,
  stepDurationMs: (state) => state.plan.stepMs,
  describeStep: describeBatch,
  rollbackActions: restoreStable,
  promoteActions: promoteReplacements,
};

function batchesOf(plan: DeploymentPlan): RollingBatch[] {
  if (plan.rolling === undefined) throw new Error(`rolling plan ${plan.id} has no batches`);
  return plan.rolling.batches;
}

/** The first batch brings the new version's workers too; stable's keep running until the promotion retires them. */
function startBatch(plan: DeploymentPlan, index: number): Extract<Action, { kind: 'startInstances' }> {
  return { kind: 'startInstances', track: 'canary', version: plan.toVersion, count: batchesOf(plan)[index]?.start ?? 1, faults: plan.faults, ...(index === 0 ? workersOf(plan) : {}) };
}

/** The batch's new instances are ready: the new version gets their share, beside every old instance still up. */
function batchReady(state: DeploymentState, now: number): EngineResult {
  const batches = batchesOf(state.plan);
  const index = Math.max(
    0,
    batches.findIndex((b) => b.newInstances > state.replaced),
  );
  return enterStep(state, rolling, index, now, { replaced: batches[index]?.newInstances ?? state.replaced });
}

/**
 * The batch passed: retire its old instances (traffic first, to the share the remaining ones leave),
 * then ask for the next batch (phase 'starting'; stepStartedAt marks when, for the ready timeout),
 * or null after the last batch (the promotion retires the rest).
 */
function retireThenStartNext(state: DeploymentState, now: number): EngineResult | null {
  const batches = batchesOf(state.plan);
  const batch = batches[state.stepIndex];
  if (batch === undefined || state.stepIndex + 1 >= batches.length) return null;
  const retire: Action[] =
    batch.retireAfter > 0
      ? [
          setWeights('canary', shareOf(batch.newInstances, batch.oldInstances - batch.retireAfter)),
          { kind: 'stopInstances', track: 'stable', count: batch.retireAfter, ...versionOf(state.plan.fromVersion) },
        ]
      : [];
  const reason = `batch ${state.stepIndex + 1}/${batches.length} passed; ${batch.retireAfter} old instance(s) retired; starting batch ${state.stepIndex + 2}`;
  return {
    state: transition(state, { phase: 'starting', stepStartedAt: now, reason }, now),
    actions: [...retire, startBatch(state.plan, state.stepIndex + 1)],
  };
}

function describeBatch(state: DeploymentState): string {
  const batches = batchesOf(state.plan);
  const b = batches[state.stepIndex];
  const beside = b === undefined ? '' : `${b.newInstances} new beside ${b.oldInstances} old, `;
  return `batch ${state.stepIndex + 1}/${batches.length} (${beside}new version at ${state.plan.steps[state.stepIndex] ?? 0} %)`;
}

/** Old instances retired so far: those of every batch that passed (a later batch is starting or analysed). */
function retiredSoFar(state: DeploymentState): number {
  const batches = batchesOf(state.plan);
  const passed = state.phase === 'starting' && state.replaced > 0 ? state.stepIndex + 1 : state.stepIndex;
  return batches.slice(0, passed).reduce((sum, b) => sum + b.retireAfter, 0);
}

/** Old instances back first (as many as were retired), then traffic, then the new ones go. */
function restoreStable(state: DeploymentState): Action[] {
  const { plan } = state;
  const retired = retiredSoFar(state);
  const restart: Action[] = retired > 0 && plan.fromVersion !== null ? [{ kind: 'startInstances', track: 'stable', version: plan.fromVersion, count: retired, faults: null }] : [];
  return [...restart, ...backToStable('canary', plan.toVersion)];
}

/** Operator promotion may come before every batch ran: start the missing new instances first. */
function promoteReplacements(state: DeploymentState): Action[] {
  const missing = state.plan.instances - state.replaced;
  // The workers came with the first batch, unless none started.
  const workers = state.replaced === 0 ? workersOf(state.plan) : {};
  const top: Action[] = missing > 0 ? [{ kind: 'startInstances', track: 'canary', version: state.plan.toVersion, count: missing, faults: state.plan.faults, ...workers }] : [];
  return [...top, ...promoteTrack('canary')];
}

function versionOf(version: string | null): { version?: string } {
  return version === null ? {} : { version };
}
