// Builds Evidence records: the title comes from the catalogue and the time from the `now` passed
// in, so a check only states what it saw and against what.
import { CHECKS, type CheckId } from './catalogue.js';
import type { CheckStatus, Evidence } from './evidence.js';

export interface Finding {
  status: CheckStatus;
  observed: string;
  threshold: string;
  source: string;
  details?: Record<string, unknown> | undefined;
}

export function createEvidence(check: CheckId, finding: Finding, now: Date): Evidence {
  const { details, ...rest } = finding;
  return { check, title: CHECKS[check], ...rest, ...(details === undefined ? {} : { details }), at: now.toISOString() };
}

/** A check that could not observe anything fails with the reason; it never passes by default. */
export function failedEvidence(check: CheckId, source: string, err: unknown, now: Date): Evidence {
  const message = err instanceof Error ? err.message : String(err);
  return createEvidence(check, { status: 'fail', observed: `error: ${message}`, threshold: 'check runs', source }, now);
}

/** Runs one observation; a throw becomes a failing Evidence for that check. */
export async function guarded(check: CheckId, source: string, now: Date, observe: () => Evidence | Promise<Evidence>): Promise<Evidence> {
  try {
    return await observe();
  } catch (err) {
    return failedEvidence(check, source, err, now);
  }
}

/** The worst of several statuses: fail over warn over pass. */
export function worst(statuses: CheckStatus[]): CheckStatus {
  if (statuses.includes('fail')) return 'fail';
  return statuses.includes('warn') ? 'warn' : 'pass';
}
