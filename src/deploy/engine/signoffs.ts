// Sign-offs, judged purely: which required roles hold a valid approval for exactly this plan.
// An approval for another plan hash, an expired one, or one by the deployment's author counts for nothing.

import { SIGNOFF_ROLES, type SignoffRole } from '../../kit/roles.js';

export { SIGNOFF_ROLES, type SignoffRole };

export interface Approval {
  deploymentId: string;
  role: SignoffRole;
  name: string;
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

export function isSignoffRole(value: string): value is SignoffRole {
  return Object.hasOwn(SIGNOFF_ROLES, value);
}

/** Judges the approvals given for a deployment against the roles its environment requires. */
export function assessSignoffs(input: { required: readonly SignoffRole[]; approvals: readonly Approval[]; planHash: string; author: string; now: number }): SignoffAssessment {
  const valid = new Map<SignoffRole, Approval>();
  const rejected: SignoffAssessment['rejected'] = [];
  for (const a of input.approvals) {
    let why: string | null = null;
    if (a.planHash !== input.planHash) why = `given for plan ${a.planHash}, this deployment runs plan ${input.planHash}`;
    else if (a.expiresAt <= input.now) why = 'expired';
    else if (a.name.trim().toLowerCase() === input.author.trim().toLowerCase()) why = "the deployment's author cannot approve it";
    if (why === null && !valid.has(a.role)) valid.set(a.role, a);
    else if (why !== null) rejected.push({ approval: a, why });
  }
  const missing = input.required.filter((r) => !valid.has(r));
  return { complete: missing.length === 0, missing, valid: [...valid.values()], rejected };
}
