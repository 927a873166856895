// Waivers: a failing check with an unexpired waiver (named approver, a reason) becomes `warn` with
// the waiver shown — never a silent pass. Passing and warning checks are left as they are.
import type { Waiver } from './checks-config.js';
import type { Evidence } from './evidence.js';

export function isWaiverValid(w: Waiver, now: Date): boolean {
  return w.approver.trim() !== '' && w.reason.trim() !== '' && Date.parse(w.expires) > now.getTime();
}

export function applyWaivers(evidence: Evidence[], waivers: Waiver[], now: Date): Evidence[] {
  return evidence.map((e) => {
    if (e.status !== 'fail') return e;
    const mine = waivers.filter((w) => w.check === e.check);
    const valid = mine.find((w) => isWaiverValid(w, now));
    if (valid === undefined) {
      return mine.length === 0 ? e : { ...e, details: { ...e.details, waiversNotApplied: mine.map((w) => ({ approver: w.approver, expires: w.expires, why: 'expired or incomplete' })) } };
    }
    return {
      ...e,
      status: 'warn',
      details: { ...e.details, waivedStatus: 'fail', waiverExpires: valid.expires },
      waiver: { approver: valid.approver, reason: valid.reason, at: now.toISOString() },
    };
  });
}
