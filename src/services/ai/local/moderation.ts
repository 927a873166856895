// The offline moderation judge: phrase patterns for threats, insults aimed at a person, identity
// hate, self-harm and sexual content (minors: a hard block), read on text with its disguises undone
// (normalise.ts); a small classifier trained at start on the shipped labelled set; profanity word
// lists that handle obfuscation (obscenity: l33t, repeated and inserted characters; spaced-out
// letters are joined first); PII and shouting. Answered in the OpenAI moderation shape beside the
// contract's `flags` and `approved`, with the evidence for each category.
import { RegExpMatcher, englishDataset, englishRecommendedTransformers, type EnglishProfaneWord } from 'obscenity';
import { harmClassifier, HARM_CLASSES, type HarmClassifier } from './harm-classifier.js';
import { findHarm } from './harm-patterns.js';
import { normalise } from './normalise.js';
import { findPii, type PiiSpan } from './pii.js';

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

export const MODERATION_MODEL = {
  name: 'pitchey-offline-moderation',
  package: 'obscenity + wink-naive-bayes-text-classifier',
  tasks: ['profanity', 'harassment', 'hate', 'violence', 'self-harm', 'sexual', 'sexual/minors', 'pii'],
};

/** The categories OpenAI's moderation endpoint answers with; the offline judge assesses some of them. */
export const OPENAI_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;
export const ASSESSED_CATEGORIES = ['harassment', 'harassment/threatening', 'hate', 'self-harm', 'self-harm/intent', 'sexual', 'sexual/minors', 'violence'] as const;

/**
 * One-vs-rest probability from which the classifier alone flags its top label. Chosen by 5-fold
 * cross-validation of the whole judge on the training part: benign lines flagged 15/124 at 0.5,
 * 5/124 at 0.9, 0/124 at 0.99, for 0–5 points of recall per category; naive Bayes is overconfident
 * on words such as "criminals" next to a group, and false alarms on users' own words cost more.
 */
export const CLASSIFIER_THRESHOLD = 0.99;
const PATTERN_SCORE = 0.95;
const SECOND_PERSON = /\b(?:you|u|ya|youre|ur|yourself)\b/;

const HATE: EnglishProfaneWord[] = ['abeed', 'abo', 'africoon', 'arabush', 'boonga', 'chingchong', 'chink', 'dyke', 'fag', 'kike', 'negro', 'nigger', 'retard', 'spastic', 'tranny'];
const HARASSMENT: EnglishProfaneWord[] = ['bastard', 'bitch', 'cunt', 'dick', 'prick', 'slut', 'twat', 'whore', 'ass', 'cuck', 'turd', 'wank'];
const MILD: EnglishProfaneWord[] = ['fuck', 'shit', 'piss', 'arse', 'bollocks'];
// Words of biology, health and the news: profanity to the word list, but not sexual content alone.
const CLINICAL: EnglishProfaneWord[] = ['sex', 'anus', 'penis', 'vagina', 'rape'];

export interface ProfanityHit {
  word: EnglishProfaneWord;
  start: number;
  end: number;
}

/** Joins letters spelled out with spaces/dots ("f u c k") and maps each joined index back. */
function joinSpacedLetters(text: string): { text: string; map: number[] } {
  const run = /(?<![\p{L}\p{N}])(?:[\p{L}\p{N}@$!*][ ._-]{1,2}){2,}[\p{L}\p{N}@$!*](?![\p{L}\p{N}])/gu;
  const map: number[] = [];
  let out = '';
  let last = 0;
  const copy = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      out += text[i];
      map.push(i);
    }
  };
  for (const m of text.matchAll(run)) {
    copy(last, m.index);
    for (let i = m.index; i < m.index + m[0].length; i++)
      if (!/[ ._-]/.test(text[i]!)) {
        out += text[i];
        map.push(i);
      }
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

/** Why a category was flagged: which check, and the words it saw (of the normalised text). */
export interface Evidence {
  category: string;
  source: 'pattern' | 'word_list' | 'classifier';
  evidence: string;
  score: number;
}

export interface Moderation {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  assessed_categories: readonly string[];
  /** Sexual content involving minors: refused whatever any other judge says. */
  hard_block: boolean;
  evidence: Evidence[];
  flags: string[];
  approved: boolean;
  profanity: { word: string; start: number; end: number }[];
  pii: PiiSpan[];
}

function wordListEvidence(text: string, profanity: ProfanityHit[]): Evidence[] {
  const of = (words: EnglishProfaneWord[]) => profanity.filter((p) => words.includes(p.word));
  const out: Evidence[] = [];
  const hate = of(HATE);
  if (hate.length > 0) out.push({ category: 'hate', source: 'word_list', evidence: hate.map((h) => h.word).join(', '), score: categoryScore(hate.length) });
  // A slur or insult is harassment when it is aimed at someone; alone it is profanity.
  const insults = of(HARASSMENT);
  if (insults.length > 0 && SECOND_PERSON.test(normalise(text)))
    out.push({ category: 'harassment', source: 'word_list', evidence: insults.map((h) => h.word).join(', '), score: categoryScore(insults.length) });
  const sexual = profanity.filter((p) => ![...HATE, ...HARASSMENT, ...MILD, ...CLINICAL].includes(p.word));
  if (sexual.length > 0) out.push({ category: 'sexual', source: 'word_list', evidence: sexual.map((h) => h.word).join(', '), score: categoryScore(sexual.length) });
  return out;
}

function classifierEvidence(normalised: string, classifier: HarmClassifier): Evidence[] {
  const top = classifier.top(normalised);
  const scores = classifier.scores(normalised);
  return HARM_CLASSES.filter((c) => c === top && scores[c] >= CLASSIFIER_THRESHOLD).map((c) => ({
    category: c,
    source: 'classifier' as const,
    evidence: `top label, p=${scores[c].toFixed(3)}`,
    score: scores[c],
  }));
}

/** The offline judge. `classifier` defaults to the one trained on the shipped set. */
export function moderate(text: string, classifier: HarmClassifier = harmClassifier()): Moderation {
  const profanity = findProfanity(text);
  const pii = findPii(text);
  const normalised = normalise(text);
  const evidence: Evidence[] = [
    ...findHarm(normalised).map((h) => ({ category: h.category, source: 'pattern' as const, evidence: h.phrase, score: PATTERN_SCORE })),
    ...wordListEvidence(text, profanity),
    ...classifierEvidence(normalised, classifier),
  ];
  const scores: Record<string, number> = Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, 0]));
  for (const e of evidence) scores[e.category] = Math.max(scores[e.category] ?? 0, e.score);
  // Below the flagging bar the classifier's view still informs the scores.
  const soft = classifier.scores(normalised);
  for (const c of HARM_CLASSES) scores[c] = Math.max(scores[c] ?? 0, Math.min(soft[c], 0.49));
  const categories = Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, evidence.some((e) => e.category === c && e.score >= 0.5)]));
  const flagged = Object.values(categories).some(Boolean);
  const flags = [
    ...(profanity.length > 0 ? ['profanity'] : []),
    ...ASSESSED_CATEGORIES.filter((c) => categories[c]),
    ...(pii.length > 0 ? ['pii'] : []),
    ...(excessiveCaps(text) ? ['excessive_caps'] : []),
  ];
  return {
    flagged,
    categories,
    category_scores: scores,
    assessed_categories: ASSESSED_CATEGORIES,
    hard_block: categories['sexual/minors'] === true,
    evidence,
    flags,
    approved: !flagged && profanity.length === 0 && pii.length === 0,
    profanity,
    pii,
  };
}
