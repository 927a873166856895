// Transitions every strategy shares: enter a step, roll back, promote, and settle the two transient
// phases. Each returns a new state (the input is never mutated) with a reason and updatedAt = now.
import type { Action, DeploymentPlan, DeploymentState, EngineInput, EngineResult, Phase, Track } from './types.js';
import { TERMINAL_PHASES } from './types.js';
import type { StrategyRunner } from './strategy.js';

/** A copy of `state` with `patch` applied and `updatedAt` = now. */
export function transition(state: DeploymentState, patch: Partial<DeploymentState>, now: number): DeploymentState {
  return { ...state, ...patch, updatedAt: now };
}

/** Shift traffic to step `index` (weights `candidate: w, stable: 100 − w`) and start analysing it. */
export function enterStep(state: DeploymentState, runner: StrategyRunner, index: number, now: number, patch: Partial<DeploymentState> = {}): EngineResult {
  const weight = state.plan.steps[index] ?? 100;
  const next = transition(state, { ...patch, phase: 'progressing', stepIndex: index, stepStartedAt: now }, now);
  const described = transition(next, { reason: `entered ${runner.describeStep(next)}` }, now);
  return { state: described, actions: [setWeights(runner.candidate, weight)] };
}

/** Weights that send `candidateWeight` % to `candidate` and the rest to stable. */
export function setWeights(candidate: Track, candidateWeight: number): Action {
  return { kind: 'setWeights', weights: { stable: 100 - candidateWeight, [candidate]: candidateWeight } };
}

/** The plan's workers for a startInstances action that brings up the new version's first instances. */
export function workersOf(plan: DeploymentPlan): { workers?: number } {
  const workers = plan.workers ?? 0;
  return workers > 0 ? { workers } : {};
}

/** All traffic back to stable first, then the candidate's instances of `version` go. */
export function backToStable(candidate: Track, version: string): Action[] {
  return [setWeights(candidate, 0), { kind: 'stopInstances', track: candidate, version }];
}

/** The candidate's instances become stable, and take all the traffic. */
export function promoteTrack(candidate: Track): Action[] {
  return [{ kind: 'promote', from: candidate }, setWeights(candidate, 0)];
}

/**
 * Roll back: the strategy's rollback actions, then a critical notification. Phase 'rolled-back' at
 * once — unless the actions start instances (rolling restores old ones): then 'rolling-back' until
 * the controller reports their outcome (see {@link settle}).
 */
export function rollBack(state: DeploymentState, runner: StrategyRunner, reason: string, now: number): EngineResult {
  const { service, toVersion } = state.plan;
  const actions: Action[] = [...runner.rollbackActions(state), { kind: 'notify', level: 'critical', message: `${service}: rolling back ${toVersion}: ${reason}` }];
  return { state: transition(state, { phase: waitsForInstances(actions) ? 'rolling-back' : 'rolled-back', reason }, now), actions };
}

/**
 * Promote: the strategy's promote actions, then an info notification. Phase 'promoted' at once —
 * unless the actions start instances (a rolling promoteNow): then 'promoting' until they are ready.
 */
export function promote(state: DeploymentState, runner: StrategyRunner, reason: string, now: number): EngineResult {
  const { service, toVersion } = state.plan;
  const actions: Action[] = [...runner.promoteActions(state), { kind: 'notify', level: 'info', message: `${service}: promoting ${toVersion}: ${reason}` }];
  return { state: transition(state, { phase: waitsForInstances(actions) ? 'promoting' : 'promoted', reason }, now), actions };
}

/** The controller reports every startInstances outcome (instancesStarted / instancesFailed); nothing else. */
function waitsForInstances(actions: Action[]): boolean {
  return actions.some((a) => a.kind === 'startInstances');
}

const SETTLED: Partial<Record<Phase, Phase>> = { 'rolling-back': 'rolled-back', promoting: 'promoted' };
const TERMINAL: ReadonlySet<Phase> = new Set(TERMINAL_PHASES);

/** Whether `advance` must settle or ignore this state instead of running the strategy. */
export function isSettling(phase: Phase): boolean {
  return phase in SETTLED || TERMINAL.has(phase);
}

/**
 * Settle a transient phase ('rolling-back' / 'promoting', which wait for instances to start): any
 * input but `instancesFailed` confirms it ('rolled-back' / 'promoted', reason kept); `instancesFailed`
 * means it could not complete: phase 'failed' (a person must look). Terminal phases ignore every input.
 */
export function settle(state: DeploymentState, input: EngineInput, now: number): EngineResult {
  const done = SETTLED[state.phase];
  if (!done) return { state, actions: [] };
  if (input.kind === 'instancesFailed') {
    const reason = `${state.phase} did not complete: ${input.reason} (was: ${state.reason ?? 'no reason'})`;
    return {
      state: transition(state, { phase: 'failed', reason }, now),
      actions: [{ kind: 'notify', level: 'critical', message: `${state.plan.service}: ${reason}; needs a person` }],
    };
  }
  return { state: transition(state, { phase: done }, now), actions: [] };
}
