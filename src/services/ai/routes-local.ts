// The offline routes: /analyze, /classify and custom classifiers (/classifiers). (/moderate, which
// may also ask a provider, is routes-moderate.ts.)
import { join } from 'node:path';
import { Problem, Type, type HttpApp, type ServiceContext, type Static } from '../../kit/index.js';
import { ANALYZE_DOC, CLASSIFY_DOC, TRAIN_DOC, ClassifiersAnswer, type AnalyzeAnswer, type ClassifyAnswer, type TrainedAnswer } from './answers.js';
import { CLASSIFIER_NAME, createClassifierStore, type ClassifierStore } from './local/classifiers.js';
import { detectLanguage } from './local/language.js';
import { moderate } from './local/moderation.js';
import { analyzeText, sentiment } from './local/nlp.js';
import { requireText } from './text-limits.js';

/** The contract's per-client limits. */
export const RATE_LIMITS = { analyze: 30, generate: 20, classify: 60, moderate: 100 } as const;
const perMinute = (max: number) => ({ rateLimit: { max, timeWindow: '1 minute' } });

const SENTIMENT_MODEL = 'sentiment';
const MODEL_REF = /^([a-z0-9][a-z0-9_-]{0,63})(?:@(\d+))?$/;

function registerAnalyze(app: HttpApp, ctx: ServiceContext): void {
  app.post(
    '/analyze',
    {
      config: perMinute(RATE_LIMITS.analyze),
      schema: {
        summary: 'Counts, sentences, readability, keywords, sentiment, language and content flags of a text',
        body: Type.Object({ content: Type.String(), analysis_type: Type.Optional(Type.Literal('comprehensive')) }),
        doc: ANALYZE_DOC,
      },
    },
    (req): Static<typeof AnalyzeAnswer> => {
      const content = requireText(req.body.content, { field: 'content', limit: ctx.config.aiTextLimits.analyze });
      const a = analyzeText(content);
      const moderation = moderate(content);
      const flags = moderation.flags;
      return {
        content,
        analysis_type: req.body.analysis_type ?? 'comprehensive',
        timestamp: new Date().toISOString(),
        metrics: { word_count: a.wordCount, character_count: [...content].length, sentence_count: a.sentenceCount },
        sentiment: { label: a.sentiment.label, polarity: a.sentiment.polarity, scores: a.sentiment.scores },
        readability: a.readability,
        keywords: a.keywords,
        language: detectLanguage(content),
        content_flags: flags,
        pii: moderation.pii,
      };
    },
  );
}

async function classifyWith(store: ClassifierStore, modelRef: string, text: string) {
  if (modelRef === SENTIMENT_MODEL) return { model: SENTIMENT_MODEL, classification: sentiment(text).scores };
  const m = MODEL_REF.exec(modelRef);
  const found = m ? await store.classify(m[1]!, m[2] === undefined ? null : Number(m[2]), text) : null;
  if (found === null) {
    const valid = [SENTIMENT_MODEL, ...(await store.list()).map((c) => c.name)];
    throw new Problem('AI_UNKNOWN_MODEL', `No classifier "${modelRef}"; use one of ${valid.join(', ')} (a trained one as name or name@version).`, { extensions: { valid } });
  }
  return { model: `${found.info.name}@${found.info.version}`, classification: found.classification };
}

function registerClassify(app: HttpApp, ctx: ServiceContext, store: ClassifierStore): void {
  app.post(
    '/classify',
    {
      config: perMinute(RATE_LIMITS.classify),
      schema: {
        summary: 'Classify a text: sentiment (default) or a trained classifier (?model=name or name@version)',
        querystring: Type.Object({ model: Type.Optional(Type.String()) }),
        body: Type.Object({ text: Type.String(), model: Type.Optional(Type.String()) }),
        doc: CLASSIFY_DOC,
      },
    },
    async (req): Promise<Static<typeof ClassifyAnswer>> => {
      const text = requireText(req.body.text, { field: 'text', limit: ctx.config.aiTextLimits.classify });
      const { model, classification } = await classifyWith(store, req.query.model ?? req.body.model ?? SENTIMENT_MODEL, text);
      return { text, model, classification, confidence: classification[0]?.score ?? 0 };
    },
  );

  app.post(
    '/classifiers',
    {
      config: perMinute(RATE_LIMITS.classify),
      schema: {
        summary: 'Train a named classifier from labelled examples (a new version each time); answers its held-out accuracy',
        body: Type.Object({
          name: Type.String({ pattern: CLASSIFIER_NAME.source }),
          examples: Type.Array(Type.Object({ text: Type.String({ minLength: 1 }), label: Type.String({ minLength: 1, maxLength: 64 }) }), { minItems: 1, maxItems: 20_000 }),
        }),
        doc: TRAIN_DOC,
      },
    },
    async (req, reply) => {
      if (req.body.name === SENTIMENT_MODEL) throw new Problem('AI_TRAINING_INVALID', `"${SENTIMENT_MODEL}" is the built-in model; choose another name.`);
      for (const e of req.body.examples) requireText(e.text, { field: 'examples/text', limit: ctx.config.aiTextLimits.classify });
      const info = await store.train(req.body.name, req.body.examples);
      const answer: Static<typeof TrainedAnswer> = { ...info, held_out_accuracy: info.heldOutAccuracy };
      return reply.code(201).send(answer);
    },
  );

  app.get('/classifiers', { schema: { summary: 'Trained classifiers, newest version of each', doc: { ok: { json: ClassifiersAnswer } } } }, async (): Promise<Static<typeof ClassifiersAnswer>> => ({
    classifiers: await store.list(),
  }));
}

export function registerLocalRoutes(app: HttpApp, ctx: ServiceContext): ClassifierStore {
  const store = createClassifierStore(join(ctx.dataDir, 'classifiers'));
  registerAnalyze(app, ctx);
  registerClassify(app, ctx, store);
  return store;
}
