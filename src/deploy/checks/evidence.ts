// The one shape every pre-deployment check returns, and the record shows: what was observed,
// against which threshold, from where, when — and whether it passed.
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface Evidence {
  /** Stable id of the check, e.g. `tls-expiry`, `capacity-disk`. */
  check: string;
  /** The checklist item it carries out, in words. */
  title: string;
  status: CheckStatus;
  /** What was seen, in a form a person can read ("21 days", "72 %"). */
  observed: string;
  /** What it was held against ("≥ 30 days", "< 85 %"). */
  threshold: string;
  /** Where it came from (a file, a URL, a command). */
  source: string;
  /** ISO time of the observation. */
  at: string;
  /** Anything a reviewer needs beyond the line above. */
  details?: Record<string, unknown>;
  /** Set when a failing check was waived: who approved it and why. */
  waiver?: { approver: string; reason: string; at: string };
}
