// Rolling: replace stable instances one at a time. Each batch starts one new instance (track
// 'canary'), moves its share of traffic (replaced/total) and stops one old instance, then is
// analysed. A rollback restarts the old instances removed so far, then moves traffic back.
import type { Action, DeploymentPlan, DeploymentState, EngineResult } from './types.js';
import type { StrategyRunner } from './strategy.js';
import { backToStable, enterStep, promoteTrack, transition } from './transitions.js';

/** The rolling strategy (tracks: 'stable' old instances, 'canary' replacements; plan.steps[i] = share after batch i + 1). */
export const rolling: StrategyRunner = {
  candidate: 'canary',
  start: (plan) => [startOne(plan)],
  instancesReady: replaceOne,
  nextStep: startNextBatch,
  stepDurationMs: (state) => state.plan.stepMs,
  describeStep: describeBatch,
  rollbackActions: restoreStable,
  promoteActions: promoteReplacements,
};

function startOne(plan: DeploymentPlan): Extract<Action, { kind: 'startInstances' }> {
  return { kind: 'startInstances', track: 'canary', version: plan.toVersion, count: 1, faults: plan.faults };
}

/** The new instance is ready: give the new version its share, and stop one old instance. */
function replaceOne(state: DeploymentState, now: number): EngineResult {
  const replaced = state.replaced + 1;
  const entered = enterStep(state, rolling, replaced - 1, now, { replaced });
  const stopOld: Action = { kind: 'stopInstances', track: 'stable', count: 1, ...versionOf(state.plan.fromVersion) };
  return { state: entered.state, actions: [...entered.actions, stopOld] };
}

/**
 * The batch passed: ask for the next instance (phase 'starting'; stepStartedAt marks when it was
 * asked for, for the ready timeout), or null when every instance is replaced.
 */
function startNextBatch(state: DeploymentState, now: number): EngineResult | null {
  if (state.replaced >= state.plan.instances) return null;
  const reason = `batch ${state.replaced}/${state.plan.instances} passed; starting replacement ${state.replaced + 1}`;
  return {
    state: transition(state, { phase: 'starting', stepStartedAt: now, reason }, now),
    actions: [startOne(state.plan)],
  };
}

function describeBatch(state: DeploymentState): string {
  const { instances, steps } = state.plan;
  return `batch ${state.replaced}/${instances} (${state.replaced} of ${instances} replaced, new version at ${steps[state.stepIndex] ?? 0} %)`;
}

/** Old instances back first (as many as were stopped), then traffic, then the replacements go. */
function restoreStable(state: DeploymentState): Action[] {
  const { plan, replaced } = state;
  const restart: Action[] = replaced > 0 && plan.fromVersion !== null
    ? [{ kind: 'startInstances', track: 'stable', version: plan.fromVersion, count: replaced, faults: null }]
    : [];
  return [...restart, ...backToStable('canary', plan.toVersion)];
}

/** Operator promotion may come before every batch ran: start the missing replacements first. */
function promoteReplacements(state: DeploymentState): Action[] {
  const missing = state.plan.instances - state.replaced;
  const top: Action[] = missing > 0 ? [{ ...startOne(state.plan), count: missing }] : [];
  return [...top, ...promoteTrack('canary')];
}

function versionOf(version: string | null): { version?: string } {
  return version === null ? {} : { version };
}
