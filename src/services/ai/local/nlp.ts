// The English NLP model (wink-nlp with its lite web model, shipped inside the npm package, so it
// loads offline): sentiment, sentences, tokens and readability. Loaded once per process, at its
// first use: reading the model takes ~0.15 s of CPU (and, bundled, its 5 MB would be parsed at
// every start), which `pitchey up` would otherwise spend while five services start on two cores.
// The model ships with the package, so the service is ready without it.
import { createRequire } from 'node:module';
import winkNLP, { type ItemToken } from 'wink-nlp';
import type Model from 'wink-eng-lite-web-model';

function loadNlp() {
  // Required, not imported: a synchronous load at first use, left out of the role's bundle.
  const model = createRequire(import.meta.url)('wink-eng-lite-web-model') as typeof Model;
  // Sentence boundaries, negation and sentiment are all this service reads; skipping POS and NER
  // keeps a short document well under 100 µs.
  const nlp = winkNLP(model, ['sbd', 'negation', 'sentiment']);
  // wink's `its.*` readers are plain functions of the item (typed as methods), passed to `out()`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { sentiment, type, stopWordFlag, normal, readabilityStats } = nlp.its;
  return { readDoc: (text: string) => nlp.readDoc(text), itsSentiment: sentiment, itsType: type, itsStopWord: stopWordFlag, itsNormal: normal, itsReadability: readabilityStats };
}

let loaded: ReturnType<typeof loadNlp> | null = null;
const nlp = (): ReturnType<typeof loadNlp> => (loaded ??= loadNlp());

export const NLP_MODEL = { name: 'wink-eng-lite-web-model', package: 'wink-nlp', tasks: ['sentiment', 'sentences', 'tokens', 'readability', 'keywords'] };

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface Sentiment {
  label: SentimentLabel;
  /** wink's polarity, −1 … 1. */
  polarity: number;
  /** Probabilities that sum to 1, highest first. */
  scores: { label: SentimentLabel; score: number }[];
}

// A softmax over three logits turns polarity into a distribution: neutral wins near 0, and the
// sign decides between positive and negative as |polarity| grows.
const STEEPNESS = 6;
const NEUTRAL_BIAS = 0.5;

export function sentimentFromPolarity(polarity: number): Sentiment {
  const logits: [SentimentLabel, number][] = [
    ['positive', STEEPNESS * polarity],
    ['neutral', NEUTRAL_BIAS - STEEPNESS * Math.abs(polarity)],
    ['negative', -STEEPNESS * polarity],
  ];
  const max = Math.max(...logits.map(([, l]) => l));
  const exp = logits.map(([label, l]) => [label, Math.exp(l - max)] as const);
  const sum = exp.reduce((s, [, e]) => s + e, 0);
  const scores = exp.map(([label, e]) => ({ label, score: e / sum })).sort((a, b) => b.score - a.score);
  return { label: scores[0]!.label, polarity, scores };
}

export function sentiment(text: string): Sentiment {
  const { readDoc, itsSentiment } = nlp();
  return sentimentFromPolarity(readDoc(text).out(itsSentiment) as number);
}

export interface TextAnalysis {
  wordCount: number;
  sentenceCount: number;
  sentiment: Sentiment;
  readability: { flesch_reading_ease: number; level: string; complex_words: number; reading_time_secs: number };
  keywords: { keyword: string; count: number }[];
}

function readingLevel(fres: number): string {
  if (fres >= 80) return 'easy';
  if (fres >= 60) return 'standard';
  if (fres >= 30) return 'difficult';
  return 'very difficult';
}

function keywords(doc: ReturnType<ReturnType<typeof nlp>['readDoc']>, top: number): { keyword: string; count: number }[] {
  const { itsType, itsStopWord, itsNormal } = nlp();
  const counts = new Map<string, number>();
  doc.tokens().each((t: ItemToken) => {
    if (t.out(itsType) !== 'word' || t.out(itsStopWord)) return;
    const word = t.out(itsNormal);
    if (word.length > 2) counts.set(word, (counts.get(word) ?? 0) + 1);
  });
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, top)
    .map(([keyword, count]) => ({ keyword, count }));
}

export function analyzeText(text: string): TextAnalysis {
  const { readDoc, itsReadability, itsSentiment } = nlp();
  const doc = readDoc(text);
  const stats = doc.out(itsReadability) as unknown as { fres: number; numOfWords: number; numOfSentences: number; numOfComplexWords: number; readingTimeMins: number; readingTimeSecs: number };
  return {
    wordCount: stats.numOfWords,
    sentenceCount: stats.numOfSentences,
    sentiment: sentimentFromPolarity(doc.out(itsSentiment) as number),
    readability: { flesch_reading_ease: stats.fres, level: readingLevel(stats.fres), complex_words: stats.numOfComplexWords, reading_time_secs: stats.readingTimeMins * 60 + stats.readingTimeSecs },
    keywords: keywords(doc, 10),
  };
}

/** Lower-case word tokens without stop words or punctuation: the features custom classifiers learn from. */
export function featureTokens(text: string): string[] {
  const { readDoc, itsType, itsStopWord, itsNormal } = nlp();
  const out: string[] = [];
  readDoc(text)
    .tokens()
    .each((t: ItemToken) => {
      const type = t.out(itsType);
      if ((type === 'word' || type === 'number' || type === 'emoji') && !t.out(itsStopWord)) out.push(t.out(itsNormal));
    });
  return out;
}
