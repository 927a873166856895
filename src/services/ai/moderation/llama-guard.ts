// Reads a guard model's answer (Llama Guard 3's: `safe`, or `unsafe` and a line of hazard codes
// such as `S1,S10`) into OpenAI's moderation categories. Codes with no OpenAI counterpart (advice,
// privacy, IP, elections) flag the text without a category.
import type { ModerationVerdict } from '../providers/provider.js';

/** MLCommons hazard codes as Llama Guard 3 numbers them → OpenAI categories. */
const HAZARDS: Record<string, string[]> = {
  S1: ['violence'],
  S2: ['illicit'],
  S3: ['sexual'],
  S4: ['sexual/minors', 'sexual'],
  S5: ['harassment'],
  S9: ['illicit/violent'],
  S10: ['hate'],
  S11: ['self-harm'],
  S12: ['sexual'],
  S14: ['illicit'],
};

/** What a guard model judges, in OpenAI's names (for `assessed_categories`). */
export const GUARD_CATEGORIES = [...new Set(Object.values(HAZARDS).flat())].sort();

export class GuardAnswerError extends Error {}

export function readGuardAnswer(answer: string, allCategories: readonly string[]): ModerationVerdict & { hazards: string[] } {
  const [verdict = '', codes = ''] = answer
    .trim()
    .split('\n')
    .map((l) => l.trim());
  const word = verdict.toLowerCase();
  if (word !== 'safe' && word !== 'unsafe') throw new GuardAnswerError(`the guard model answered "${answer.slice(0, 60)}", not safe/unsafe`);
  const hazards = word === 'unsafe' ? (codes.match(/S\d+/g) ?? []) : [];
  const flaggedCategories = new Set(hazards.flatMap((h) => HAZARDS[h] ?? []));
  return {
    flagged: word === 'unsafe',
    categories: Object.fromEntries(allCategories.map((c) => [c, flaggedCategories.has(c)])),
    // A guard model answers yes or no; its scores are that answer.
    scores: Object.fromEntries(allCategories.map((c) => [c, flaggedCategories.has(c) ? 1 : 0])),
    hazards,
  };
}
