// OpenAI chat completions, embeddings and moderation through the official SDK, also for any OpenAI-compatible
// server (vLLM, LocalAI, LM Studio) at a configured base URL. The SDK's own retries are off: the
// service has one retry policy (generation.ts).
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { httpFetch } from './http-fetch.js';
import { ProviderError, type ChatChunk, type ChatMessage, type ChatRequest, type FinishReason, type Provider, type ToolCall } from './provider.js';

const OPENAI_API = 'https://api.openai.com/v1';
const FINISH = new Set<string>(['stop', 'length', 'tool_calls', 'content_filter']);
export const openAiFinish = (reason: string | null | undefined): FinishReason | null =>
  reason === 'function_call' ? 'tool_calls' : reason != null && FINISH.has(reason) ? (reason as FinishReason) : null;

function toOpenAi(m: ChatMessage): ChatCompletionMessageParam {
  if (m.role === 'tool') return { role: 'tool', content: m.content, tool_call_id: m.toolCallId ?? '' };
  if (m.role === 'assistant' && m.toolCalls?.length) {
    return { role: 'assistant', content: m.content || null, tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) };
  }
  return { role: m.role, content: m.content };
}

function responseFormat(f: NonNullable<ChatRequest['responseFormat']>): NonNullable<ChatCompletionCreateParamsBase['response_format']> {
  if (f.type === 'json_object') return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name: f.name, schema: f.schema, ...(f.strict === undefined ? {} : { strict: f.strict }) } };
}

export function createOpenAiProvider(options: { apiKey: string | null; baseUrl: string | null }): Provider {
  const baseUrl = options.baseUrl ?? OPENAI_API;
  const compatible = options.baseUrl !== null && !options.baseUrl.startsWith(OPENAI_API);
  // A compatible server on our own network often needs no key; the SDK insists on a string.
  const client = new OpenAI({ apiKey: options.apiKey ?? 'none', baseURL: baseUrl, maxRetries: 0, timeout: 600_000, fetch: httpFetch });
  const body = (req: ChatRequest): ChatCompletionCreateParamsBase => ({
    model: req.model,
    messages: req.messages.map(toOpenAi),
    temperature: req.temperature,
    // OpenAI itself replaced max_tokens with max_completion_tokens; compatible servers know the older name.
    ...(compatible ? { max_tokens: req.maxTokens } : { max_completion_tokens: req.maxTokens }),
    ...(req.topP === undefined ? {} : { top_p: req.topP }),
    ...(req.stop === undefined ? {} : { stop: req.stop }),
    ...(req.tools === undefined ? {} : { tools: req.tools.map((t) => ({ type: 'function' as const, function: t })) }),
    ...(req.toolChoice === undefined ? {} : { tool_choice: typeof req.toolChoice === 'string' ? req.toolChoice : { type: 'function' as const, function: req.toolChoice } }),
    ...(req.responseFormat === undefined ? {} : { response_format: responseFormat(req.responseFormat) }),
  });

  return {
    name: 'openai',
    baseUrl,
    jsonOutput: true,
    disabledReason: options.apiKey === null && !compatible ? 'no API key configured (PITCHEY_AI_OPENAI_API_KEY)' : null,
    async generate(req, signal) {
      const r = await client.chat.completions.create({ ...body(req), stream: false }, { signal });
      const choice = r.choices[0];
      const toolCalls: ToolCall[] = (choice?.message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : []));
      return {
        text: choice?.message.content ?? '',
        toolCalls,
        model: r.model,
        usage: { inputTokens: r.usage?.prompt_tokens ?? 0, outputTokens: r.usage?.completion_tokens ?? 0 },
        finishReason: openAiFinish(choice?.finish_reason),
      };
    },
    async *stream(req, signal): AsyncIterable<ChatChunk> {
      const s = await client.chat.completions.create({ ...body(req), stream: true, stream_options: { include_usage: true } }, { signal });
      let finishReason: FinishReason | null | undefined;
      let model: string | undefined;
      for await (const chunk of s) {
        model ??= chunk.model;
        const choice = chunk.choices[0];
        if (choice?.delta.content) yield { kind: 'text', text: choice.delta.content };
        for (const c of choice?.delta.tool_calls ?? []) {
          yield { kind: 'tool_call', index: c.index, ...(c.id ? { id: c.id } : {}), ...(c.function?.name ? { name: c.function.name } : {}), arguments: c.function?.arguments ?? '' };
        }
        if (choice?.finish_reason) finishReason = openAiFinish(choice.finish_reason);
        if (chunk.usage) yield { kind: 'usage', usage: { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens } };
      }
      if (finishReason === undefined) throw new ProviderError('openai', 'stream ended before the answer was finished', { retryable: false, providerFault: true });
      yield { kind: 'done', finishReason, ...(model === undefined ? {} : { model }) };
    },
    async embed(req, signal) {
      const r = await client.embeddings.create({ model: req.model, input: req.input, encoding_format: 'float', ...(req.dimensions === undefined ? {} : { dimensions: req.dimensions }) }, { signal });
      return { vectors: r.data.sort((a, b) => a.index - b.index).map((d) => d.embedding), model: r.model, usage: { inputTokens: r.usage.prompt_tokens } };
    },
    async moderate(req, signal) {
      const r = await client.moderations.create({ model: req.model, input: req.input }, { signal });
      return {
        model: r.model,
        verdicts: r.results.map((v) => ({ flagged: v.flagged, categories: { ...v.categories } as Record<string, boolean>, scores: { ...v.category_scores } })),
      };
    },
    async listModels(signal) {
      const ids: string[] = [];
      for await (const m of client.models.list({ signal })) ids.push(m.id);
      return ids;
    },
  };
}
