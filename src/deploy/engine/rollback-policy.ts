// Whether a rollback waits for the forward sign-offs, judged purely. Going back to a version this
// environment already ran and trusted is the checklist's standard rollback (§15: done in under
// 15 minutes); waiting hours for six people to approve it would defeat it. A version the
// environment never validated is a forward deployment in all but name and waits like one.

/** A version that was promoted in this environment, and what its post-deployment validation said. */
export interface PromotedVersion {
  version: string;
  promotedAt: number;
  /** The immediate validation phase passed and no phase failed. */
  validated: boolean;
}

export interface RollbackPolicy {
  /** `none`: a rollback to a known-good version needs no forward sign-offs; `required`: every rollback waits for them. */
  signoffs: 'none' | 'required';
  /** How recently a version must have been promoted and validated here to count as known-good. */
  maxAgeMs: number;
}

/** The plan's record of why a rollback may skip (or must wait for) the forward sign-offs. */
export interface RollbackGrant {
  /** The version rolled back from. */
  from: string | null;
  signoffsWaived: boolean;
  why: string;
}

const days = (ms: number): string => `${Math.round((ms / 86_400_000) * 10) / 10} d`;

/** Judges a rollback to `target` from the service's current version, given what ran here before. */
export function judgeRollback(input: { target: string; current: string | null; previous: string | null; history: readonly PromotedVersion[]; policy: RollbackPolicy; now: number }): RollbackGrant {
  const { target, policy } = input;
  const base = { from: input.current };
  if (policy.signoffs === 'required') return { ...base, signoffsWaived: false, why: 'every rollback waits for the forward sign-offs (PITCHEY_ROLLBACK_SIGNOFFS=required)' };
  if (target === input.previous) return { ...base, signoffsWaived: true, why: `${target} was the stable version before ${input.current ?? 'this one'}: a rollback to it needs no forward sign-offs` };
  const trusted = input.history.filter((h) => h.version === target && h.validated && input.now - h.promotedAt <= policy.maxAgeMs).sort((a, b) => b.promotedAt - a.promotedAt)[0];
  if (trusted !== undefined) {
    return {
      ...base,
      signoffsWaived: true,
      why: `${target} was promoted and passed validation here ${days(input.now - trusted.promotedAt)} ago (within ${days(policy.maxAgeMs)}): no forward sign-offs needed`,
    };
  }
  return { ...base, signoffsWaived: false, why: `${target} was not promoted and validated here within ${days(policy.maxAgeMs)}: going to it waits for sign-offs like any deployment` };
}
