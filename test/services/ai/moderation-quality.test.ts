// The offline moderation judge measured on the held-out part of the labelled set it ships (every
// fifth example of each label; the classifier trained on the rest). Per-category precision and
// recall are printed for the notes: the classifier alone (a clean held-out figure) and the whole
// judge (its phrase patterns were written with the whole set in view, so read that as optimistic).
import { describe, expect, it } from 'vitest';
import { HARM_CLASSES, trainHarmClassifier, type HarmClassifier } from '../../../src/services/ai/local/harm-classifier.js';
import { HARM_EXAMPLES, type HarmLabel } from '../../../src/services/ai/local/harm-examples.js';
import { CLASSIFIER_THRESHOLD, moderate } from '../../../src/services/ai/local/moderation.js';
import { normalise } from '../../../src/services/ai/local/normalise.js';

function split(): { train: [HarmLabel, string][]; test: [HarmLabel, string][] } {
  const seen = new Map<HarmLabel, number>();
  const out = { train: [] as [HarmLabel, string][], test: [] as [HarmLabel, string][] };
  for (const e of HARM_EXAMPLES) {
    const i = seen.get(e[0]) ?? 0;
    seen.set(e[0], i + 1);
    (i % 5 === 0 ? out.test : out.train).push(e);
  }
  return out;
}

type Judge = (text: string) => Set<string>;

function measure(test: [HarmLabel, string][], judge: Judge) {
  const judged = test.map(([label, text]) => ({ label, flagged: judge(text) }));
  const rows = HARM_CLASSES.map((c) => {
    const tp = judged.filter((j) => j.label === c && j.flagged.has(c)).length;
    const fp = judged.filter((j) => j.label !== c && j.flagged.has(c)).length;
    const fn = judged.filter((j) => j.label === c && !j.flagged.has(c)).length;
    return { category: c, support: tp + fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp / (tp + fn) };
  });
  const benign = judged.filter((j) => j.label === 'benign');
  return { rows, falseAlarmRate: benign.filter((j) => j.flagged.size > 0).length / benign.length };
}

function show(title: string, m: ReturnType<typeof measure>): void {
  console.log(`${title}: benign lines flagged ${(m.falseAlarmRate * 100).toFixed(0)} %`);
  console.table(m.rows.map((r) => ({ ...r, precision: r.precision.toFixed(2), recall: r.recall.toFixed(2) })));
}

const classifierOnly =
  (clf: HarmClassifier): Judge =>
  (text) => {
    const n = normalise(text);
    const top = clf.top(n);
    return new Set(top !== 'benign' && clf.scores(n)[top] >= CLASSIFIER_THRESHOLD ? [top] : []);
  };
const wholeJudge =
  (clf: HarmClassifier): Judge =>
  (text) => {
    const m = moderate(text, clf);
    return new Set(
      Object.entries(m.categories)
        .filter(([, v]) => v)
        .map(([c]) => c),
    );
  };

describe('offline moderation on the held-out fifth of the shipped set', () => {
  const { train, test } = split();
  const clf = trainHarmClassifier(train);

  it('the classifier alone rarely flags what is benign (and, at its bar, finds little alone)', () => {
    const m = measure(test, classifierOnly(clf));
    show(`classifier alone (p ≥ ${CLASSIFIER_THRESHOLD}), ${test.length} held-out of ${HARM_EXAMPLES.length}`, m);
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.05);
  });

  it('the whole judge: precision ≥ 0.75 and recall ≥ 0.5 per category, few false alarms', () => {
    const m = measure(test, wholeJudge(clf));
    show('whole offline judge (patterns + word lists + classifier)', m);
    for (const r of m.rows) {
      expect(r.precision, r.category).toBeGreaterThanOrEqual(0.75);
      expect(r.recall, r.category).toBeGreaterThanOrEqual(0.5);
    }
    expect(m.falseAlarmRate).toBeLessThanOrEqual(0.15);
  });
});
