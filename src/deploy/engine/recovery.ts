// Restart recovery, judged purely: what becomes of a deployment the controller was carrying when it
// stopped, from its stored state and the time. Its new instances are gone (the local driver's
// children exit with the controller; the docker driver removes what a previous run left), so a
// canary or blue-green deployment starts them again and goes back to the step it was on — still
// waiting for sign-offs with the same deadline, if it was; what cannot be resumed rolls back, and a
// promotion already under way completes.
import { runnerFor } from './machine.js';
import { setWeights, transition } from './transitions.js';
import type { DeploymentState, EngineResult } from './types.js';

export interface Recovery extends EngineResult {
  decision: 'resume' | 'keep-waiting' | 'roll-back' | 'complete';
  /** Why, for the audit log. */
  why: string;
}

/** The stored state of a deployment that was active when the controller stopped → what happens now. */
export function recoverDeployment(state: DeploymentState, now: number, options: { signoffTimeoutMs: number }): Recovery {
  if (state.phase === 'promoting') return settled(state, 'promoted', 'complete', 'promotion completed after a controller restart', now);
  if (state.phase === 'rolling-back') return settled(state, 'rolled-back', 'complete', 'rollback completed after a controller restart', now);
  if (state.phase === 'pending' || state.plan.strategy === 'rolling') {
    // A rolling deployment retired old instances batch by batch: the restarted platform runs stable again from scratch.
    return settled(state, 'rolled-back', 'roll-back', `controller restarted mid-deployment (${state.plan.strategy}, ${state.phase}): rolled back to stable`, now);
  }
  const since = state.awaitingSignoffSince;
  if (since != null && now - since >= options.signoffTimeoutMs) {
    return settled(
      state,
      'rolled-back',
      'roll-back',
      `the sign-off wait (${Math.round(options.signoffTimeoutMs / 1000)} s from ${new Date(since).toISOString()}) ran out while the controller was down`,
      now,
    );
  }
  return resume(state, since != null, now);
}

/**
 * A deployment its release rolls back on restart (restarting it would only be undone): its new
 * instances are gone with the controller, so stable serves and nothing is left to stop.
 */
export function rollBackOnRecovery(state: DeploymentState, reason: string, now: number): Recovery {
  return settled(state, 'rolled-back', 'roll-back', reason, now);
}

function settled(state: DeploymentState, phase: 'promoted' | 'rolled-back', decision: Recovery['decision'], reason: string, now: number): Recovery {
  return { state: transition(state, { phase, reason }, now), actions: [], decision, why: reason };
}

/** Start the new instances again; once ready they go back to the step (or pause) they were on, analysed afresh. */
function resume(state: DeploymentState, waiting: boolean, now: number): Recovery {
  const runner = runnerFor(state.plan.strategy);
  // Restarted again before the instances were back: the step (and pause) it was resuming still holds.
  const stepIndex = state.resumeAt?.stepIndex ?? (state.phase === 'starting' && state.stepStartedAt === null ? 0 : state.stepIndex);
  const paused = state.resumeAt?.paused ?? state.phase === 'paused';
  const step = runner.describeStep({ ...state, stepIndex });
  const why = waiting
    ? `controller restarted while the promotion waited for sign-offs: ${step} restarts and the wait keeps its deadline`
    : `controller restarted: ${step} resumes on new instances, analysed afresh`;
  const next = transition(
    state,
    {
      phase: 'starting',
      stepStartedAt: now,
      resumeAt: { stepIndex, paused },
      breachSince: Object.fromEntries(Object.keys(state.breachSince).map((id) => [id, null])),
      warmUntil: null,
      reason: why,
    },
    now,
  );
  return { state: next, actions: [setWeights(runner.candidate, 0), ...runner.start(state.plan)], decision: waiting ? 'keep-waiting' : 'resume', why };
}
