// The promotion chain's gate: a version may enter an environment only after the environment before
// it promoted that version and its post-deployment validation passed there. Pure: it judges the
// earlier environment's record summary (fetched by an adapter) and names what is missing.

/** A validation phase's outcome as the earlier environment recorded it. */
export interface PhaseOutcome {
  phase: string;
  status: string;
}

/** What the earlier environment says of a service's version (`GET /_pitchey/admin/evidence/:service/:version`). */
export interface EarlierRecordSummary {
  env: string;
  service: string;
  version: string;
  /** The newest deployment of that version there, promoted or not; null when it was never deployed. */
  deploymentId: string | null;
  promoted: boolean;
  /** Validation phases that have ended, in order. */
  phases: PhaseOutcome[];
  /** sha256 of that deployment's record as it stood when asked: the evidence the later record keeps. */
  recordHash: string | null;
  /**
   * The exact text (canonical JSON) `recordHash` was computed over: the record keeps changing, so
   * the later environment keeps this frozen copy and anyone can check the hash against it. Absent
   * from an older controller.
   */
  recordSnapshot?: string | null;
}

export interface PromotionEvidence {
  env: string;
  deploymentId: string;
  recordHash: string;
  phases: PhaseOutcome[];
}

export type PromotionGate =
  | { verdict: 'not-required'; reason: string }
  | { verdict: 'pass'; reason: string; evidence: PromotionEvidence }
  | { verdict: 'fail'; missing: 'promotion' | 'validation'; reason: string }
  | { verdict: 'error'; reason: string };

/** A promotion's validation passed: its immediate phase passed and no phase failed. */
export function validationPassed(phases: readonly PhaseOutcome[]): boolean {
  return phases.some((p) => p.phase === 'immediate' && p.status === 'pass') && !phases.some((p) => p.status === 'fail');
}

export interface PromotionGateInput {
  env: string;
  service: string;
  version: string;
  /** The environment before this one in the chain; null when this one is first or not in a chain. */
  earlierEnv: string | null;
  /** Its summary of the version, or why it could not be read. */
  earlier: EarlierRecordSummary | { error: string } | null;
}

export function assessPromotionGate(i: PromotionGateInput): PromotionGate {
  const what = `${i.service} ${i.version}`;
  if (i.earlierEnv === null) return { verdict: 'not-required', reason: `${i.env} is first in the promotion chain (or in none)` };
  const e = i.earlier;
  if (e === null || 'error' in e) return { verdict: 'error', reason: `cannot read ${i.earlierEnv}'s record of ${what}: ${e === null ? 'no answer' : e.error}` };
  if (e.env !== i.earlierEnv || e.service !== i.service || e.version !== i.version) {
    return { verdict: 'error', reason: `${i.earlierEnv} answered for ${e.env} ${e.service} ${e.version}, not ${what}` };
  }
  if (e.deploymentId === null) return { verdict: 'fail', missing: 'promotion', reason: `${what} was never deployed to ${i.earlierEnv}: deploy and promote it there first` };
  if (!e.promoted) return { verdict: 'fail', missing: 'promotion', reason: `${what} was not promoted in ${i.earlierEnv} (its deployment ${e.deploymentId} did not end promoted)` };
  const failed = e.phases.find((p) => p.status === 'fail');
  if (failed !== undefined) return { verdict: 'fail', missing: 'validation', reason: `${what} failed its ${failed.phase} validation phase in ${i.earlierEnv} (${e.deploymentId})` };
  if (!validationPassed(e.phases) || e.recordHash === null) {
    return { verdict: 'fail', missing: 'validation', reason: `${what} was promoted in ${i.earlierEnv} (${e.deploymentId}) but its post-deployment validation has not passed yet` };
  }
  return {
    verdict: 'pass',
    reason: `${what} was promoted and validated in ${i.earlierEnv} (${e.deploymentId}, record ${e.recordHash.slice(0, 12)})`,
    evidence: { env: e.env, deploymentId: e.deploymentId, recordHash: e.recordHash, phases: e.phases },
  };
}
