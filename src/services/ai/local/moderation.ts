// Moderation from word lists that handle obfuscation (obscenity: l33t, repeated and inserted
// characters; spaced-out letters are joined first), PII and shouting, answered in the OpenAI
// moderation shape beside the contract's `flags` and `approved`.
import { RegExpMatcher, englishDataset, englishRecommendedTransformers, type EnglishProfaneWord } from 'obscenity';
import { findPii, type PiiSpan } from './pii.js';

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

export const MODERATION_MODEL = { name: 'obscenity-english', package: 'obscenity', tasks: ['profanity', 'harassment', 'hate', 'sexual', 'pii'] };

/** The categories OpenAI's moderation endpoint answers with; the word lists assess three of them. */
export const OPENAI_CATEGORIES = [
  'harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent', 'self-harm',
  'self-harm/intent', 'self-harm/instructions', 'sexual', 'sexual/minors', 'violence', 'violence/graphic',
] as const;
export const ASSESSED_CATEGORIES = ['harassment', 'hate', 'sexual'] as const;

const HATE: EnglishProfaneWord[] = ['abeed', 'abo', 'africoon', 'arabush', 'boonga', 'chingchong', 'chink', 'dyke', 'fag', 'kike', 'negro', 'nigger', 'retard', 'spastic', 'tranny'];
const HARASSMENT: EnglishProfaneWord[] = ['bastard', 'bitch', 'cunt', 'dick', 'prick', 'slut', 'twat', 'whore', 'ass', 'cuck', 'turd', 'wank'];
const MILD: EnglishProfaneWord[] = ['fuck', 'shit', 'piss', 'arse', 'bollocks'];

export interface ProfanityHit { word: EnglishProfaneWord; start: number; end: number }

/** Joins letters spelled out with spaces/dots ("f u c k") and maps each joined index back. */
function joinSpacedLetters(text: string): { text: string; map: number[] } {
  const run = /(?<![\p{L}\p{N}])(?:[\p{L}\p{N}@$!*][ ._-]{1,2}){2,}[\p{L}\p{N}@$!*](?![\p{L}\p{N}])/gu;
  const map: number[] = [];
  let out = '';
  let last = 0;
  const copy = (from: number, to: number) => { for (let i = from; i < to; i++) { out += text[i]; map.push(i); } };
  for (const m of text.matchAll(run)) {
    copy(last, m.index);
    for (let i = m.index; i < m.index + m[0].length; i++) if (!/[ ._-]/.test(text[i]!)) { out += text[i]; map.push(i); }
    last = m.index + m[0].length;
  }
  copy(last, text.length);
  return { text: out, map };
}

export function findProfanity(text: string): ProfanityHit[] {
  const joined = joinSpacedLetters(text);
  const hits = new Map<string, ProfanityHit>();
  for (const m of matcher.getAllMatches(joined.text, true)) {
    const word = englishDataset.getPayloadWithPhraseMetadata(m).phraseMetadata!.originalWord;
    const start = joined.map[m.startIndex]!;
    const end = joined.map[m.endIndex]! + 1;
    hits.set(`${start}:${end}`, { word, start, end });
  }
  return [...hits.values()];
}

/** Share of upper-case letters among the letters, when there are enough letters to judge. */
export function excessiveCaps(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length < 12) return false;
  const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
  return upper / letters.length > 0.7;
}

function categoryScore(count: number): number {
  return count === 0 ? 0 : Math.min(1, 0.6 + 0.15 * (count - 1));
}

export interface Moderation {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  assessed_categories: readonly string[];
  flags: string[];
  approved: boolean;
  profanity: { word: string; start: number; end: number }[];
  pii: PiiSpan[];
}

export function moderate(text: string): Moderation {
  const profanity = findProfanity(text);
  const pii = findPii(text);
  const count = (words: EnglishProfaneWord[]) => profanity.filter((p) => words.includes(p.word)).length;
  const scores: Record<string, number> = Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, 0]));
  scores.hate = categoryScore(count(HATE));
  scores.harassment = Math.max(categoryScore(count(HARASSMENT)), scores.hate * 0.8);
  scores.sexual = categoryScore(profanity.length - count(HATE) - count(HARASSMENT) - count(MILD));
  const categories = Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, (scores[c] ?? 0) >= 0.5]));
  const flagged = Object.values(categories).some(Boolean);
  const flags = [
    ...(profanity.length > 0 ? ['profanity'] : []),
    ...ASSESSED_CATEGORIES.filter((c) => categories[c]),
    ...(pii.length > 0 ? ['pii'] : []),
    ...(excessiveCaps(text) ? ['excessive_caps'] : []),
  ];
  return { flagged, categories, category_scores: scores, assessed_categories: ASSESSED_CATEGORIES, flags, approved: !flagged && profanity.length === 0 && pii.length === 0, profanity, pii };
}
