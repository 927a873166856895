// A small naive Bayes classifier (wink-naive-bayes-text-classifier) over the words of normalised
// text (stop words kept: "you" and "myself" carry the meaning here), trained when the service starts on the labelled set the repo ships
// (harm-examples.ts, a few milliseconds). It catches what the phrase patterns have no pattern
// for; its scores are one-vs-rest probabilities per label.
import winkNaiveBayes from 'wink-naive-bayes-text-classifier';
import { HARM_EXAMPLES, type HarmLabel } from './harm-examples.js';
import { normalise, words } from './normalise.js';

export type HarmClass = Exclude<HarmLabel, 'benign'>;
export const HARM_CLASSES: readonly HarmClass[] = ['violence', 'harassment', 'hate', 'self-harm', 'sexual'];

export interface HarmClassifier {
  /** Per harmful label, the probability the text is that rather than anything else, 0 … 1. */
  scores(normalisedText: string): Record<HarmClass, number>;
  /** The label with the highest score, benign included. */
  top(normalisedText: string): HarmLabel;
}

// Word pairs ("kill you" against "kill for") and other smoothing factors were tried by 5-fold
// cross-validation on the training part: pairs lowered recall on this small a set.
export function trainHarmClassifier(examples: readonly (readonly [HarmLabel, string])[]): HarmClassifier {
  const nb = winkNaiveBayes();
  nb.definePrepTasks([words]);
  nb.defineConfig({ considerOnlyPresence: true, smoothingFactor: 0.5 });
  for (const [label, text] of examples) nb.learn(normalise(text), label);
  nb.consolidate();
  // wink's odds are log2(label : rest).
  const probability = (log2Odds: number) => 1 / (1 + 2 ** -log2Odds);
  return {
    scores(text) {
      const odds = new Map(nb.computeOdds(text));
      return Object.fromEntries(HARM_CLASSES.map((c) => [c, probability(odds.get(c) ?? -Infinity)])) as Record<HarmClass, number>;
    },
    top: (text) => nb.computeOdds(text)[0]![0] as HarmLabel,
  };
}

let shipped: HarmClassifier | null = null;
/** The classifier trained on the whole shipped set (once per process). */
export function harmClassifier(): HarmClassifier {
  shipped ??= trainHarmClassifier(HARM_EXAMPLES);
  return shipped;
}
