// Custom text classifiers: naive Bayes (wink-naive-bayes-text-classifier) over the NLP model's
// tokens, trained from labelled examples with a held-out accuracy, stored as versioned JSON files
// under the service's data dir (`classifiers/<name>/v<version>.json`, written atomically).
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import winkNaiveBayes from 'wink-naive-bayes-text-classifier';
import { Problem, Type, type Static } from '../../../kit/index.js';
import { featureTokens } from './nlp.js';

export const CLASSIFIER_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const MIN_EXAMPLES_PER_LABEL = 2;

export interface Example {
  text: string;
  label: string;
}

/** A trained classifier: the store's record, which the routes answer as is. */
export const ClassifierInfo = Type.Object({
  name: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  labels: Type.Array(Type.String()),
  examples: Type.Integer({ minimum: 0 }),
  heldOutAccuracy: Type.Number({ minimum: 0, maximum: 1, description: 'Share of the held-out examples the model trained on the rest labelled right' }),
  heldOut: Type.Integer({ minimum: 0 }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type ClassifierInfo = Static<typeof ClassifierInfo>;

interface StoredClassifier extends ClassifierInfo {
  model: string;
}

export const Classification = Type.Object({ label: Type.String(), score: Type.Number({ minimum: 0, maximum: 1 }) });
export type Classification = Static<typeof Classification>;

type Model = ReturnType<typeof winkNaiveBayes>;

function newModel(): Model {
  const nb = winkNaiveBayes();
  nb.definePrepTasks([featureTokens]);
  nb.defineConfig({ considerOnlyPresence: true, smoothingFactor: 0.5 });
  return nb;
}

function train(examples: Example[]): Model {
  const nb = newModel();
  for (const e of examples) nb.learn(e.text, e.label);
  try {
    nb.consolidate();
  } catch (err) {
    // The library refuses examples with too few distinct words (fewer than 10): the caller's to fix.
    if (/vocabulary is too small/.test((err as Error).message)) throw new Problem('AI_TRAINING_INVALID', 'The examples use too few distinct words to learn from; give longer or more varied texts.');
    throw err;
  }
  return nb;
}

/** Log-odds per label → probabilities that sum to 1; all unseen words → an even spread. */
function predict(nb: Model, labels: string[], text: string): Classification[] {
  const odds = nb.computeOdds(text).filter(([label]) => labels.includes(label));
  if (odds.length === 0) return labels.map((label) => ({ label, score: 1 / labels.length }));
  const weights = odds.map(([label, o]) => [label, 1 / (1 + Math.exp(-o))] as const);
  const sum = weights.reduce((s, [, w]) => s + w, 0);
  return weights.map(([label, w]) => ({ label, score: w / sum })).sort((a, b) => b.score - a.score);
}

/** A deterministic, per-label split: every fifth example of each label (its first included) is held out. */
function split(examples: Example[]): { train: Example[]; test: Example[] } {
  const seen = new Map<string, number>();
  const out = { train: [] as Example[], test: [] as Example[] };
  for (const e of examples) {
    const i = seen.get(e.label) ?? 0;
    seen.set(e.label, i + 1);
    (i % 5 === 0 ? out.test : out.train).push(e);
  }
  return out;
}

function validate(examples: Example[]): string[] {
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  if (counts.size < 2) throw new Problem('AI_TRAINING_INVALID', `Examples must carry at least two different labels; got ${counts.size}.`);
  const thin = [...counts].filter(([, n]) => n < MIN_EXAMPLES_PER_LABEL + 1).map(([l]) => l);
  if (thin.length > 0)
    throw new Problem('AI_TRAINING_INVALID', `Each label needs at least ${MIN_EXAMPLES_PER_LABEL + 1} examples (some are held out to measure accuracy); too few for: ${thin.join(', ')}.`);
  return [...counts.keys()].sort();
}

export interface ClassifierStore {
  train(name: string, examples: Example[]): Promise<ClassifierInfo>;
  list(): Promise<ClassifierInfo[]>;
  classify(name: string, version: number | null, text: string): Promise<{ info: ClassifierInfo; classification: Classification[] } | null>;
}

export function createClassifierStore(dir: string): ClassifierStore {
  const loaded = new Map<string, { info: ClassifierInfo; nb: Model }>();

  async function versions(name: string): Promise<number[]> {
    const files = await readdir(join(dir, name)).catch(() => [] as string[]);
    return files
      .map((f) => /^v(\d+)\.json$/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async function load(name: string, version: number): Promise<{ info: ClassifierInfo; nb: Model }> {
    const key = `${name}@${version}`;
    const hit = loaded.get(key);
    if (hit) return hit;
    const { model, ...info } = JSON.parse(await readFile(join(dir, name, `v${version}.json`), 'utf8')) as StoredClassifier;
    const nb = newModel();
    nb.importJSON(model);
    nb.consolidate();
    const entry = { info, nb };
    loaded.set(key, entry);
    return entry;
  }

  return {
    async train(name, examples) {
      const labels = validate(examples);
      const { train: trainSet, test } = split(examples);
      const trial = train(trainSet);
      const right = test.filter((e) => predict(trial, labels, e.text)[0]?.label === e.label).length;
      const nb = train(examples);
      const version = ((await versions(name)).at(-1) ?? 0) + 1;
      const info: ClassifierInfo = { name, version, labels, examples: examples.length, heldOutAccuracy: right / test.length, heldOut: test.length, createdAt: new Date().toISOString() };
      await mkdir(join(dir, name), { recursive: true });
      const path = join(dir, name, `v${version}.json`);
      await writeFile(`${path}.tmp`, JSON.stringify({ ...info, model: nb.exportJSON() } satisfies StoredClassifier));
      await rename(`${path}.tmp`, path);
      loaded.set(`${name}@${version}`, { info, nb });
      return info;
    },
    async list() {
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => CLASSIFIER_NAME.test(n)).sort();
      const out: ClassifierInfo[] = [];
      for (const name of names) {
        const latest = (await versions(name)).at(-1);
        if (latest !== undefined) out.push((await load(name, latest)).info);
      }
      return out;
    },
    async classify(name, version, text) {
      // A named version never changes once written: when it is loaded, the folder need not be read.
      const known = version === undefined ? undefined : loaded.get(`${name}@${version}`);
      if (known !== undefined) return { info: known.info, classification: predict(known.nb, known.info.labels, text) };
      const all = await versions(name);
      const wanted = version ?? all.at(-1);
      if (wanted === undefined || !all.includes(wanted)) return null;
      const { info, nb } = await load(name, wanted);
      return { info, classification: predict(nb, info.labels, text) };
    },
  };
}
