// The /v1 routes' success answers in OpenAI's documented shapes (chat completion, embeddings,
// moderations, the model list), plus the platform's additions beside them (`judged_by`, …). The
// handlers are typed by these and the OpenAPI document carries them. Their errors are OpenAI
// error objects (errors.ts), documented as the `OpenAIError` schema.
import { Nullable, StringEnum, Type, type RouteDoc } from '../../../kit/index.js';
import { eventStream, JudgedBy } from '../answers.js';

const Usage = Type.Object({ prompt_tokens: Type.Integer({ minimum: 0 }), completion_tokens: Type.Integer({ minimum: 0 }), total_tokens: Type.Integer({ minimum: 0 }) });
const ToolCall = Type.Object({ id: Type.String(), type: Type.Literal('function'), function: Type.Object({ name: Type.String(), arguments: Type.String({ description: 'JSON text' }) }) });

export const ChatCompletionAnswer = Type.Object({
  id: Type.String(),
  object: Type.Literal('chat.completion'),
  created: Type.Integer({ description: 'Unix seconds' }),
  model: Type.String(),
  system_fingerprint: Type.Null(),
  choices: Type.Array(
    Type.Object({
      index: Type.Integer({ minimum: 0 }),
      message: Type.Object({ role: Type.Literal('assistant'), content: Nullable(Type.String()), refusal: Type.Null(), tool_calls: Type.Optional(Type.Array(ToolCall)) }),
      finish_reason: StringEnum(['stop', 'length', 'tool_calls', 'content_filter']),
      logprobs: Type.Null(),
    }),
  ),
  usage: Usage,
});
/** What a request through the provider layer can be refused with (rendered as OpenAI errors). */
const PROVIDER_PROBLEMS = ['AI_UNKNOWN_PROVIDER', 'AI_UNKNOWN_MODEL', 'AI_BUDGET_EXCEEDED', 'AI_PROVIDERS_UNAVAILABLE', 'AI_NOT_SUPPORTED'] as const;
export const CHAT_DOC: RouteDoc = {
  problems: [...PROVIDER_PROBLEMS],
  ok: {
    json: ChatCompletionAnswer,
    also: { 'text/event-stream': eventStream('with `stream: true`, `data: {chat.completion.chunk}` frames, then `data: [DONE]` (an `error` object when the provider fails mid-stream)') },
  },
};

export const EmbeddingsAnswer = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(
    Type.Object({
      object: Type.Literal('embedding'),
      index: Type.Integer({ minimum: 0 }),
      embedding: Type.Union([Type.Array(Type.Number()), Type.String({ description: 'float32 little-endian, base64 (`encoding_format: base64`)' })]),
    }),
  ),
  model: Type.String(),
  usage: Type.Object({ prompt_tokens: Type.Integer({ minimum: 0 }), total_tokens: Type.Integer({ minimum: 0 }) }),
});
export const EMBEDDINGS_DOC: RouteDoc = { ok: { json: EmbeddingsAnswer }, problems: [...PROVIDER_PROBLEMS] };

const PerCategory = <T extends ReturnType<typeof Type.Boolean | typeof Type.Number | typeof Type.Array>>(value: T) => Type.Record(Type.String(), value);
export const ModerationsAnswer = Type.Object({
  id: Type.String(),
  model: Type.String(),
  results: Type.Array(
    Type.Object({
      flagged: Type.Boolean(),
      categories: PerCategory(Type.Boolean()),
      category_scores: PerCategory(Type.Number({ minimum: 0, maximum: 1 })),
      category_applied_input_types: PerCategory(Type.Array(Type.Literal('text'))),
      assessed_categories: Type.Array(Type.String(), { description: 'Only these were judged' }),
      hard_block: Type.Boolean(),
    }),
    { description: 'One per input, in order' },
  ),
  judged_by: JudgedBy,
  offline_only: Type.Boolean(),
  notice: Nullable(Type.String()),
  fallback_reason: Nullable(Type.String()),
});

export const ModelAnswer = Type.Object({
  id: Type.String(),
  object: Type.Literal('model'),
  created: Type.Integer(),
  owned_by: Type.String({ description: '`pitchey` for an alias, else the provider' }),
});
export const ModelListAnswer = Type.Object({ object: Type.Literal('list'), data: Type.Array(ModelAnswer) });
