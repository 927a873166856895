// PII in free text: e-mail addresses, card numbers (Luhn-checked), IBANs (mod-97-checked) and
// phone numbers, each with its span. Checksums keep order numbers and dates from being flagged.

export type PiiType = 'email' | 'card_number' | 'iban' | 'phone';

export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
  /** The match with all but its last characters masked, so the answer does not repeat the secret. */
  masked: string;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
const PHONE = /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}(?!\w)/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

export function ibanValid(raw: string): boolean {
  const iban = raw.replace(/ /g, '');
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function mask(text: string, keep: number): string {
  let kept = 0;
  return [...text]
    .reverse()
    .map((c) => (/[A-Za-z0-9]/.test(c) && kept++ >= keep ? '*' : c))
    .reverse()
    .join('');
}

function maskEmail(email: string): string {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}***@${domain}`;
}

// Digit groups are everywhere (dates, order and account numbers); a phone number must also look
// like one: international (+…), an area code in brackets, a national trunk 0, or the NANP 3-3-4 shape.
function phoneLike(m: string): boolean {
  const digits = m.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15 || /^\d{4}-\d{2}-\d{2}$/.test(m)) return false;
  return /^[+(]/.test(m) || /^0\d/.test(m) || /^\d{3}[-. ]\d{3}[-. ]\d{4}$/.test(m);
}

const DETECTORS: { type: PiiType; pattern: RegExp; valid: (m: string) => boolean; mask: (m: string) => string }[] = [
  { type: 'email', pattern: EMAIL, valid: () => true, mask: maskEmail },
  { type: 'card_number', pattern: CARD, valid: (m) => luhnValid(m.replace(/\D/g, '')), mask: (m) => mask(m, 4) },
  { type: 'iban', pattern: IBAN, valid: ibanValid, mask: (m) => mask(m, 4) },
  { type: 'phone', pattern: PHONE, valid: phoneLike, mask: (m) => mask(m, 2) },
];

/** Every PII span, in text order; a span claimed by an earlier detector is not claimed again. */
export function findPii(text: string): PiiSpan[] {
  const spans: PiiSpan[] = [];
  const overlaps = (start: number, end: number) => spans.some((s) => start < s.end && end > s.start);
  for (const d of DETECTORS) {
    for (const m of text.matchAll(d.pattern)) {
      const start = m.index;
      const end = start + m[0].length;
      if (!overlaps(start, end) && d.valid(m[0])) spans.push({ type: d.type, start, end, masked: d.mask(m[0]) });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}
