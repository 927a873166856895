// A release of the whole platform (a release train), judged purely: the services go out in declared
// waves, each member's promotion is held until every member's canary has passed, and a failure of
// any member rolls back the others, including those already promoted.
import { transition } from './transitions.js';
import type { DeploymentState, EngineResult, Phase } from './types.js';

/**
 * The default order of `deploy all` when the request declares none: the lighter services first, so
 * a broken build is seen before the heavy media pipelines start instances.
 */
export const DEFAULT_RELEASE_ORDER: readonly (readonly string[])[] = [
  ['ai', 'code'],
  ['video', 'document', 'media'],
];

export class ReleaseOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseOrderError';
  }
}

/**
 * The waves a release runs in: `order` as declared (each service once, every one known), else the
 * default order keeping only `only` (a declared subset) when given.
 */
export function planReleaseOrder(known: readonly string[], order?: readonly (readonly string[])[], only?: readonly string[]): string[][] {
  const waves = order ?? DEFAULT_RELEASE_ORDER.map((w) => w.filter((s) => only === undefined || only.includes(s)));
  const seen = new Set<string>();
  for (const service of waves.flat()) {
    if (!known.includes(service)) throw new ReleaseOrderError(`unknown service "${service}" in the release order; one of ${known.join(', ')}`);
    if (seen.has(service)) throw new ReleaseOrderError(`"${service}" appears twice in the release order`);
    seen.add(service);
  }
  for (const service of only ?? []) if (!seen.has(service)) throw new ReleaseOrderError(`"${service}" is not in the release order`);
  const kept = waves.map((w) => [...w]).filter((w) => w.length > 0);
  if (kept.length === 0) throw new ReleaseOrderError('the release names no service');
  return kept;
}

/** One member as the train sees it: its deployment's phase and what the train asked of it. */
export interface ReleaseMember {
  service: string;
  wave: number;
  /** null: its wave has not started. */
  phase: Phase | null;
  /** Its canary passed every step and its promotion waits for the others. */
  held: boolean;
  /** What the train last asked: let it promote, abort it, or revert its promotion. */
  asked: 'promote' | 'abort' | 'revert' | null;
  /** The phase of the deployment reverting it to its previous version, once asked. */
  revertPhase: Phase | null;
}

export type ReleaseDecision =
  | { kind: 'start-wave'; wave: number; services: string[] }
  | { kind: 'hold'; reason: string }
  | { kind: 'promote-all'; services: string[] }
  | { kind: 'roll-back-all'; reason: string; abort: string[]; revert: string[] }
  | { kind: 'done'; outcome: 'promoted' | 'rolled-back'; reason: string };

const SETTLED: readonly Phase[] = ['promoted', 'rolled-back', 'failed'];
const isLive = (phase: Phase | null): boolean => phase !== null && !SETTLED.includes(phase);

/**
 * What the train does next from its members' states. `failure` is the reason the train is rolling
 * back, once it decided so (kept by the caller); a member that rolled back or failed sets it.
 */
export function releaseDecision(members: readonly ReleaseMember[], failure: string | null): ReleaseDecision {
  const failed = members.find((m) => (m.phase === 'rolled-back' || m.phase === 'failed') && m.asked !== 'abort');
  const cause = failure ?? (failed === undefined ? null : `${failed.service} ${failed.phase}`);
  if (cause !== null) return rollBackAll(members, cause);
  if (members.every((m) => m.phase === 'promoted')) return { kind: 'done', outcome: 'promoted', reason: `all ${members.length} services promoted together` };
  const started = members.filter((m) => m.phase !== null);
  const waiting = started.filter((m) => !m.held && m.phase !== 'promoted');
  if (waiting.length > 0) return { kind: 'hold', reason: `waiting for ${waiting.map((m) => `${m.service} (${m.phase})`).join(', ')}` };
  const next = members.filter((m) => m.phase === null);
  if (next.length > 0) {
    const wave = Math.min(...next.map((m) => m.wave));
    return { kind: 'start-wave', wave, services: next.filter((m) => m.wave === wave).map((m) => m.service) };
  }
  const toPromote = members.filter((m) => m.held && m.asked === null).map((m) => m.service);
  if (toPromote.length > 0) return { kind: 'promote-all', services: toPromote };
  return {
    kind: 'hold',
    reason: `promoting ${members
      .filter((m) => m.phase !== 'promoted')
      .map((m) => m.service)
      .join(', ')}`,
  };
}

/** Abort what is still moving, revert what was promoted; done once every member and revert settled. */
function rollBackAll(members: readonly ReleaseMember[], reason: string): ReleaseDecision {
  const abort = members.filter((m) => isLive(m.phase) && m.asked !== 'abort').map((m) => m.service);
  const revert = members.filter((m) => m.phase === 'promoted' && m.asked !== 'revert').map((m) => m.service);
  if (abort.length > 0 || revert.length > 0) return { kind: 'roll-back-all', reason, abort, revert };
  const moving = members.filter((m) => isLive(m.phase) || isLive(m.revertPhase));
  if (moving.length > 0) return { kind: 'hold', reason: `rolling back: waiting for ${moving.map((m) => m.service).join(', ')}` };
  return { kind: 'done', outcome: 'rolled-back', reason: `release rolled back: ${reason}` };
}

/**
 * Holds a member's promotion (what `advance` returned from `before`) for its release: analysis goes
 * on (a canary that turns bad while it waits still rolls back), only the promotion waits.
 */
export function holdForRelease(before: DeploymentState, promotion: EngineResult, releaseId: string, now: number): EngineResult {
  const analysed = { ...before, breachSince: promotion.state.breachSince, assessments: promotion.state.assessments, releaseHeldSince: before.releaseHeldSince ?? now };
  const reason = `canary passed; promotion held for release ${releaseId} until every service's canary has passed`;
  return { state: analysed.reason === reason ? analysed : transition(analysed, { reason }, now), actions: [] };
}

/** A member as restart recovery sees it: what the train asked, and its deployment once its own recovery decided. */
export interface RecoveringMember {
  service: string;
  asked: ReleaseMember['asked'];
  /** Its deployment's phase after its own recovery (recoverDeployment); null when it never started. */
  phase: Phase | null;
  /** Why its own recovery settled it, when it did (a sign-off wait that ran out while down). */
  why: string | null;
  /** It could not start (refused): a failed member. */
  refused: boolean;
}

export type ReleaseRecovery =
  /** Every member goes on; those in `hold` keep their promotion held until every canary has passed again. */
  | { decision: 'resume'; hold: string[]; why: string }
  /** The release rolls back as a whole: `settle` are the members still active, rolled back now rather than restarted. */
  | { decision: 'roll-back'; failure: string; settle: string[]; why: string };

/**
 * What becomes of a release the controller was running when it stopped, once each member's own
 * recovery decided. Members resume one by one otherwise: a held member would promote alone at its
 * next passing analysis. So the release decides for them: while it runs and no member failed, every
 * member not yet let go stays held; a member that failed (before the stop, or in its own recovery)
 * rolls the release back as a whole, and the members still active are rolled back at once instead of
 * being started again. A release that was already rolling back keeps rolling back.
 */
export function recoverRelease(release: { id: string; phase: 'running' | 'rolling-back'; failure: string | null }, members: readonly RecoveringMember[]): ReleaseRecovery {
  const active = (m: RecoveringMember): boolean => isLive(m.phase);
  const failed = members.find((m) => m.asked !== 'abort' && (m.refused || m.phase === 'rolled-back' || m.phase === 'failed'));
  const failure = release.failure ?? (failed === undefined ? null : `${failed.service} ${failed.refused ? 'failed' : failed.phase}${failed.why === null ? '' : `: ${failed.why}`}`);
  if (failure !== null) {
    const settle = members.filter(active).map((m) => m.service);
    const what = release.phase === 'rolling-back' ? 'was rolling back' : 'rolls back as a whole';
    return {
      decision: 'roll-back',
      failure,
      settle,
      why: `controller restarted: release ${release.id} ${what} (${failure})${settle.length > 0 ? `; ${settle.join(', ')} rolled back rather than restarted` : ''}`,
    };
  }
  const hold = members.filter((m) => active(m) && m.asked === null).map((m) => m.service);
  const why =
    hold.length > 0
      ? `controller restarted mid-release: ${hold.join(', ')} resume and stay held until every service's canary has passed`
      : `controller restarted mid-release: the promotions already let go complete`;
  return { decision: 'resume', hold, why };
}
