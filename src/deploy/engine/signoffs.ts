// Sign-offs, judged purely: who may give one, and which required roles hold a valid approval for
// exactly this plan. An approval for another plan hash, an expired one, one by the deployment's
// author, or a second role filled by one person (unless the environment allows it) counts for nothing.

import { isSignoffRole, SIGNOFF_ROLES, type SignoffRole } from '../../kit/roles.js';
import type { DeploymentPlan } from './types.js';

export { isSignoffRole, SIGNOFF_ROLES, type SignoffRole };

export interface Approval {
  deploymentId: string;
  role: SignoffRole;
  /** The person, as authenticated (the key's holder or the token's subject). */
  name: string;
  /** The credential that authenticated them (`key:<hash prefix>` or `jwt:<sub>`); null on approvals kept from before. */
  credential: string | null;
  comment: string | null;
  planHash: string;
  at: number;
  expiresAt: number;
}

export interface SignoffAssessment {
  complete: boolean;
  /** Roles still without a valid approval. */
  missing: SignoffRole[];
  /** The approvals that count, one per role. */
  valid: Approval[];
  /** Approvals that do not count, each with why. */
  rejected: Array<{ approval: Approval; why: string }>;
}

/** What an environment asks of sign-offs: the roles a promotion waits for, and whether one person may fill several. */
export interface SignoffPolicy {
  required: readonly SignoffRole[];
  sharedRoles: boolean;
}

/** The roles a plan's promotion waits for: none for a rollback the policy let through (judgeRollback). */
export function requiredSignoffs(plan: Pick<DeploymentPlan, 'rollback'>, policy: SignoffPolicy): readonly SignoffRole[] {
  return plan.rollback?.signoffsWaived === true ? [] : policy.required;
}

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

interface SignoffContext {
  planHash: string;
  author: string;
  now: number;
  /** Whether one person may fill several roles (`PITCHEY_SIGNOFF_SHARED_ROLES`); by default not. */
  sharedRoles?: boolean;
}

/** Judges the approvals given for a deployment against the roles its environment requires. */
export function assessSignoffs(input: SignoffContext & { required: readonly SignoffRole[]; approvals: readonly Approval[] }): SignoffAssessment {
  const valid = new Map<SignoffRole, Approval>();
  const rejected: SignoffAssessment['rejected'] = [];
  for (const a of input.approvals) {
    let why: string | null = null;
    const filled = [...valid.values()].find((v) => same(v.name, a.name) && v.role !== a.role);
    if (a.planHash !== input.planHash) why = `given for plan ${a.planHash}, this deployment runs plan ${input.planHash}`;
    else if (a.expiresAt <= input.now) why = 'expired';
    else if (same(a.name, input.author)) why = "the deployment's author cannot approve it";
    else if (filled !== undefined && input.sharedRoles !== true) why = `${a.name} already signed off as ${SIGNOFF_ROLES[filled.role]}; one person fills one role`;
    if (why === null && !valid.has(a.role)) valid.set(a.role, a);
    else if (why !== null) rejected.push({ approval: a, why });
  }
  const missing = input.required.filter((r) => !valid.has(r));
  return { complete: missing.length === 0, missing, valid: [...valid.values()], rejected };
}

/** Who is asking to sign off, as their credential says. */
export interface Signer {
  /** The credential's person; null for a machine's key, which can never sign. */
  person: string | null;
  /** Whether the credential holds the role by name. */
  holdsRole: boolean;
  /** The name the request gave, if any: it must be the person's own. */
  named: string | null;
}

/**
 * Why a sign-off request is refused, or null when it may be recorded. Sign-offs are people's: the
 * credential must name its holder and hold the role, and the author's never counts.
 */
export function refuseSignoff(input: SignoffContext & { role: string; signer: Signer; approvals: readonly Approval[] }): string | null {
  const { role, signer } = input;
  if (!isSignoffRole(role)) return `unknown role "${role}"; one of ${Object.keys(SIGNOFF_ROLES).join(', ')}`;
  if (signer.person === null) return "a sign-off is a person's: this credential names no one (give the key a holder, `key:scopes@name`, or use a token with `sub`)";
  if (signer.named !== null && !same(signer.named, signer.person)) return `the name "${signer.named}" is not the authenticated ${signer.person}: a sign-off is given in one's own name`;
  if (same(signer.person, input.author)) return `${input.author} wrote this deployment and cannot sign it off`;
  if (!signer.holdsRole) return `${signer.person}'s credential does not hold the ${SIGNOFF_ROLES[role]} role (${role})`;
  const other = input.approvals.find((a) => same(a.name, signer.person!) && a.role !== role && a.planHash === input.planHash && a.expiresAt > input.now);
  if (other !== undefined && input.sharedRoles !== true)
    return `${signer.person} already signed off as ${SIGNOFF_ROLES[other.role]}; one person fills one role here (PITCHEY_SIGNOFF_SHARED_ROLES allows more)`;
  return null;
}
