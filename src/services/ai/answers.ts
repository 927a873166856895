// The success answers of the contract's four routes (/analyze, /moderate, /generate, /models):
// each handler is typed by its schema and the OpenAPI document carries the same one, so the two
// cannot drift. Problems each route can answer beyond its kind's are listed beside them.
import { Nullable, StringEnum, Type, type RouteDoc } from '../../kit/index.js';
import { ClassifierInfo, Classification } from './local/classifiers.js';
import { OPENAI_CATEGORIES } from './local/moderation.js';
import { PROVIDER_NAMES } from './providers/provider.js';
import { UsageRow } from './usage.js';

const TEXT_PROBLEMS = ['AI_TEXT_EMPTY', 'AI_TEXT_TOO_LONG'] as const;
const Span = { start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) };
const Pii = Type.Array(Type.Object({ type: StringEnum(['email', 'card_number', 'iban', 'phone']), ...Span, masked: Type.String({ description: 'All but the last characters masked' }) }));
const Profanity = Type.Array(Type.Object({ word: Type.String(), ...Span }));
const Timestamp = Type.String({ format: 'date-time' });
const Label = StringEnum(['positive', 'neutral', 'negative']);

export const AnalyzeAnswer = Type.Object({
  content: Type.String(),
  analysis_type: Type.Literal('comprehensive'),
  timestamp: Timestamp,
  metrics: Type.Object({ word_count: Type.Integer({ minimum: 0 }), character_count: Type.Integer({ minimum: 0 }), sentence_count: Type.Integer({ minimum: 0 }) }),
  sentiment: Type.Object({
    label: Label,
    polarity: Type.Number({ minimum: -1, maximum: 1 }),
    scores: Type.Array(Type.Object({ label: Label, score: Type.Number({ minimum: 0, maximum: 1 }) }), { description: 'Sum to 1, highest first' }),
  }),
  readability: Type.Object({ flesch_reading_ease: Type.Number(), level: Type.String(), complex_words: Type.Integer({ minimum: 0 }), reading_time_secs: Type.Number({ minimum: 0 }) }),
  keywords: Type.Array(Type.Object({ keyword: Type.String(), count: Type.Integer({ minimum: 1 }) })),
  language: Type.String({ description: 'ISO 639-3, `und` if unsure' }),
  content_flags: Type.Array(Type.String(), { description: '`pii`, `profanity`, `excessive_caps` and the flagged categories' }),
  pii: Pii,
});
export const ANALYZE_DOC: RouteDoc = { ok: { json: AnalyzeAnswer }, problems: [...TEXT_PROBLEMS] };

const PerCategory = <T extends ReturnType<typeof Type.Boolean> | ReturnType<typeof Type.Number>>(value: T) =>
  Type.Record(Type.String(), value, { description: `Each of OpenAI's categories: ${OPENAI_CATEGORIES.join(', ')}` });

/** Which judge moderated: the offline checks, OpenAI's moderation model or a guard model. */
export const JudgedBy = Type.Object({ judge: StringEnum(['offline', 'openai', 'guard']), provider: Nullable(Type.String()), model: Nullable(Type.String()) });

export const ModerateAnswer = Type.Object({
  content_preview: Type.String({ description: 'The first 100 characters' }),
  flags: Type.Array(Type.String()),
  approved: Type.Boolean({ description: 'Nothing flagged, no profanity, no PII' }),
  timestamp: Timestamp,
  flagged: Type.Boolean(),
  categories: PerCategory(Type.Boolean()),
  category_scores: PerCategory(Type.Number({ minimum: 0, maximum: 1 })),
  assessed_categories: Type.Array(Type.String(), { description: 'Only these were judged' }),
  hard_block: Type.Boolean({ description: 'Sexual content involving minors: refused whoever judged' }),
  judged_by: JudgedBy,
  offline_only: Type.Boolean(),
  notice: Nullable(Type.String({ description: 'Set when only the offline checks judged' })),
  fallback_reason: Nullable(Type.String({ description: 'Why a provider judge did not' })),
  evidence: Type.Array(Type.Object({ category: Type.String(), source: StringEnum(['pattern', 'word_list', 'classifier']), evidence: Type.String(), score: Type.Number() })),
  profanity: Profanity,
  pii: Pii,
});
// A judge that fails falls back to the offline checks (`fallback_reason`), never to a problem.
export const MODERATE_DOC: RouteDoc = { ok: { json: ModerateAnswer }, problems: [...TEXT_PROBLEMS] };

const Provider = StringEnum(PROVIDER_NAMES);
const Failure = Type.Object({ provider: Provider, model: Type.String(), reason: Type.String() });

export const GenerateAnswer = Type.Object({
  prompt: Type.String(),
  generated_text: Type.String(),
  model: Type.String(),
  provider: Provider,
  usage: Type.Object({
    prompt_tokens: Type.Integer({ minimum: 0 }),
    completion_tokens: Type.Integer({ minimum: 0 }),
    total_tokens: Type.Integer({ minimum: 0 }),
    cost_usd: Type.Number({ minimum: 0 }),
    priced: Type.Boolean({ description: 'false: no price is configured for this model (cost 0)' }),
  }),
  finish_reason: Nullable(StringEnum(['stop', 'length', 'tool_calls', 'content_filter'])),
  cached: Type.Boolean(),
  fallbacks: Type.Array(Failure, { description: 'Targets tried before the one that answered' }),
});
/** A server-sent-event stream's body, as OpenAPI can say it: text, its frames in words. */
export const eventStream = (frames: string) => Type.String({ description: `Server-sent events: ${frames}` });
export const GENERATE_DOC: RouteDoc = {
  ok: { json: GenerateAnswer, also: { 'text/event-stream': eventStream('`event: start`, one `data: {"text"}` per piece, then `event: done` with usage (or `event: error`); with `stream: true`') } },
  problems: [...TEXT_PROBLEMS, 'AI_UNKNOWN_PROVIDER', 'AI_UNKNOWN_MODEL', 'AI_BUDGET_EXCEEDED', 'AI_PROVIDERS_UNAVAILABLE'],
};

const Target = Type.Object({ provider: Provider, model: Type.String() });
const LocalModel = Type.Object(
  {
    name: Type.String({ description: 'What a route names it by (`sentiment`, `moderation`, `language`, a trained classifier)' }),
    model: Type.Optional(Type.String()),
    package: Type.String(),
    version: Type.Optional(Type.Integer()),
    tasks: Type.Optional(Type.Array(Type.String())),
    labels: Type.Optional(Type.Array(Type.String())),
    held_out_accuracy: Type.Optional(Type.Number()),
    offline: Type.Literal(true),
  },
  { additionalProperties: true },
);

export const ModelsAnswer = Type.Object({
  loaded: Type.Array(LocalModel),
  providers: Type.Array(
    Type.Object({
      name: Provider,
      aliases: Type.Array(Type.String()),
      configured: Type.Boolean(),
      base_url: Type.String(),
      available: Type.Boolean({ description: 'Reachable now and not cooling down' }),
      reason: Nullable(Type.String()),
      models: Type.Array(Type.String()),
      live_models: Type.Array(Type.String(), { description: 'What the provider listed when asked just now' }),
      breaker: Type.Object({ state: StringEnum(['closed', 'open', 'half-open']), consecutiveFailures: Type.Integer({ minimum: 0 }), openUntil: Nullable(Type.Number()) }),
      in_flight: Type.Integer({ minimum: 0 }),
    }),
  ),
  aliases: Type.Record(Type.String(), Type.Array(Target)),
  recommended: Type.Object({ classify: Type.String(), moderate: Type.String(), generate: Nullable(Type.Object({ provider: Provider, model: Nullable(Type.String()) })) }),
});

// The classifier routes: /classify, and training and listing custom classifiers (/classifiers).
export const ClassifyAnswer = Type.Object({
  text: Type.String(),
  model: Type.String({ description: '`sentiment`, or a trained classifier as `name@version`' }),
  classification: Type.Array(Classification, { description: 'Every label, highest score first' }),
  confidence: Type.Number({ minimum: 0, maximum: 1, description: "The top label's score" }),
});
export const CLASSIFY_DOC: RouteDoc = { ok: { json: ClassifyAnswer }, problems: [...TEXT_PROBLEMS, 'AI_UNKNOWN_MODEL'] };

export const TrainedAnswer = Type.Composite([ClassifierInfo, Type.Object({ held_out_accuracy: Type.Number({ minimum: 0, maximum: 1 }) })]);
export const TRAIN_DOC: RouteDoc = { ok: { json: TrainedAnswer, status: 201 }, problems: [...TEXT_PROBLEMS, 'AI_TRAINING_INVALID'] };
export const ClassifiersAnswer = Type.Object({ classifiers: Type.Array(ClassifierInfo, { description: 'The newest version of each' }) });

export const UsageAnswer = Type.Object({
  principal: Type.String({ description: 'Whose usage: the key id' }),
  month: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'The UTC month' }),
  budget_usd: Nullable(Type.Number({ minimum: 0, description: 'None set: null' })),
  spent_usd: Type.Number({ minimum: 0 }),
  remaining_usd: Nullable(Type.Number({ minimum: 0 })),
  by_model: Type.Array(UsageRow),
});
