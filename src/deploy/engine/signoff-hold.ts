// The sign-off hold, judged purely: when a step's analysis would promote, the promotion waits for
// the missing sign-offs. The time it started waiting is part of the deployment's stored state, so a
// controller restarted while waiting keeps the same deadline; past it, the deployment rolls back.
import { SIGNOFF_ROLES, type SignoffRole } from './signoffs.js';
import { advance } from './machine.js';
import { transition } from './transitions.js';
import type { DeploymentState, EngineResult } from './types.js';

export interface SignoffHold extends EngineResult {
  /** `signed`: the promotion goes ahead; `waiting`: held (no actions); `timed-out`: rolled back. */
  hold: 'signed' | 'waiting' | 'timed-out';
  /** True on the call that began the wait (the controller audits it once). */
  began: boolean;
}

/** Whether a result asks to promote (the only thing sign-offs hold). */
export function promotes(result: EngineResult): boolean {
  return result.actions.some((a) => a.kind === 'promote');
}

/**
 * Holds `promotion` (what `advance` returned from `before`) until no role is missing. While held,
 * analysis goes on: the rules' clocks and verdicts are kept, only the promotion waits.
 */
export function holdForSignoffs(before: DeploymentState, promotion: EngineResult, missing: readonly SignoffRole[], timeoutMs: number, now: number): SignoffHold {
  if (missing.length === 0) return { ...promotion, state: { ...promotion.state, awaitingSignoffSince: null }, hold: 'signed', began: false };
  const since = before.awaitingSignoffSince ?? now;
  const analysed = { ...before, breachSince: promotion.state.breachSince, assessments: promotion.state.assessments, awaitingSignoffSince: since };
  const waiting = `promotion waits for sign-off by ${missing.map((r) => SIGNOFF_ROLES[r]).join(', ')}`;
  if (now - since >= timeoutMs) {
    const rolledBack = advance(analysed, { kind: 'abort', reason: `${waiting}: none came within ${Math.round(timeoutMs / 1000)} s` }, now);
    return { ...rolledBack, hold: 'timed-out', began: false };
  }
  // The deadline in the reason: operators see it, and it stays the same across a restart.
  const reason = `${waiting} until ${new Date(since + timeoutMs).toISOString()}`;
  const state = analysed.reason === reason ? analysed : transition(analysed, { reason }, now);
  return { state, actions: [], hold: 'waiting', began: before.awaitingSignoffSince == null };
}
