// The chat-completions request OpenAI documents, as a schema (validated, documented), and its
// translation into the provider port's ChatRequest. Parameters this service cannot honour are not
// declared, so a client sending one is told so by name rather than silently ignored.
import { Problem, StringEnum, Type, type Static } from '../../../kit/index.js';
import type { ChatMessage, ChatRequest, ResponseFormat, ToolChoice } from '../providers/provider.js';

/** Anthropic requires a limit; OpenAI's own default is the model's maximum. */
export const DEFAULT_MAX_TOKENS = 4_096;

const ContentPart = Type.Object({ type: Type.String(), text: Type.Optional(Type.String()) });
const Message = Type.Object({
  role: StringEnum(['system', 'developer', 'user', 'assistant', 'tool'] as const),
  content: Type.Optional(Type.Union([Type.String(), Type.Null(), Type.Array(ContentPart)])),
  name: Type.Optional(Type.String()),
  tool_calls: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.String(),
        type: Type.Literal('function'),
        function: Type.Object({ name: Type.String(), arguments: Type.String() }),
      }),
    ),
  ),
  tool_call_id: Type.Optional(Type.String()),
});

const Tool = Type.Object({
  type: Type.Literal('function'),
  function: Type.Object({
    name: Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$' }),
    description: Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    strict: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  }),
});

export const ChatCompletionBody = Type.Object(
  {
    model: Type.String({ minLength: 1, description: 'an alias, `provider:model`, a provider name, or a model a provider serves' }),
    messages: Type.Array(Message, { minItems: 1 }),
    stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), Type.Null()])),
    max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 128_000 }), Type.Null()])),
    max_completion_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 128_000 }), Type.Null()])),
    temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
    top_p: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
    stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 4 }), Type.Null()])),
    n: Type.Optional(Type.Union([Type.Literal(1), Type.Null()])),
    tools: Type.Optional(Type.Array(Tool, { maxItems: 128 })),
    tool_choice: Type.Optional(Type.Union([StringEnum(['none', 'auto', 'required'] as const), Type.Object({ type: Type.Literal('function'), function: Type.Object({ name: Type.String() }) })])),
    response_format: Type.Optional(
      Type.Union(
        [
          Type.Object({ type: Type.Literal('text') }),
          Type.Object({ type: Type.Literal('json_object') }),
          Type.Object({
            type: Type.Literal('json_schema'),
            json_schema: Type.Object({
              name: Type.String(),
              description: Type.Optional(Type.String()),
              schema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
              strict: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
            }),
          }),
        ],
        { description: 'JSON mode or structured output; providers without it (anthropic) are skipped' },
      ),
    ),
    parallel_tool_calls: Type.Optional(Type.Boolean({ description: 'accepted; providers decide' })),
    user: Type.Optional(Type.String({ description: 'an end-user id; logged, not forwarded' })),
    fallbacks: Type.Optional(Type.Array(Type.String(), { maxItems: 5, description: "Pitchey: further models tried in order (as LiteLLM's `fallbacks`)" })),
    cache: Type.Optional(Type.Boolean({ description: 'Pitchey: false neither reads nor writes the response cache' })),
  },
  { additionalProperties: false },
);
export type ChatCompletionBody = Static<typeof ChatCompletionBody>;

type MessageIn = Static<typeof Message>;

function textOf(m: MessageIn, index: number): string {
  if (m.content === undefined || m.content === null) return '';
  if (typeof m.content === 'string') return m.content;
  const other = m.content.find((p) => p.type !== 'text');
  if (other !== undefined) {
    throw new Problem('VALIDATION_FAILED', `Content parts of type "${other.type}" are not supported; send text.`, {
      extensions: { errors: [{ field: `body/messages/${index}/content`, message: 'only text parts are supported' }] },
    });
  }
  return m.content.map((p) => p.text ?? '').join('');
}

function toMessage(m: MessageIn, index: number): ChatMessage {
  const content = textOf(m, index);
  if (m.role === 'tool') return { role: 'tool', content, toolCallId: m.tool_call_id ?? '' };
  if (m.role === 'assistant')
    return { role: 'assistant', content, ...(m.tool_calls?.length ? { toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) } : {}) };
  // OpenAI's newer name for system instructions; every provider knows `system`.
  return { role: m.role === 'developer' ? 'system' : m.role, content };
}

function toolChoice(c: ChatCompletionBody['tool_choice']): ToolChoice | undefined {
  if (c === undefined || typeof c === 'string') return c;
  return { name: c.function.name };
}

function responseFormat(f: ChatCompletionBody['response_format']): ResponseFormat | undefined {
  if (f === undefined || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  const s = f.json_schema;
  return { type: 'json_schema', name: s.name, schema: s.schema ?? {}, ...(s.strict == null ? {} : { strict: s.strict }) };
}

export function toChatRequest(b: ChatCompletionBody): Omit<ChatRequest, 'model'> {
  const choice = toolChoice(b.tool_choice);
  const format = responseFormat(b.response_format);
  return {
    messages: b.messages.map(toMessage),
    maxTokens: b.max_completion_tokens ?? b.max_tokens ?? DEFAULT_MAX_TOKENS,
    temperature: b.temperature ?? 1,
    ...(b.top_p == null ? {} : { topP: b.top_p }),
    ...(b.stop == null ? {} : { stop: [b.stop].flat() }),
    ...(b.tools === undefined || b.tools.length === 0
      ? {}
      : {
          tools: b.tools.map((t) => ({
            name: t.function.name,
            ...(t.function.description ? { description: t.function.description } : {}),
            ...(t.function.parameters ? { parameters: t.function.parameters } : {}),
          })),
        }),
    ...(choice === undefined ? {} : { toolChoice: choice }),
    ...(format === undefined ? {} : { responseFormat: format }),
  };
}
