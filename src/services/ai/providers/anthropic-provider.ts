// Anthropic Messages API through the official SDK (its own retries off; see generation.ts).
// OpenAI-shaped messages and tools are translated: system messages become `system`, tool calls
// `tool_use` blocks, tool answers `tool_result` blocks in a user turn.
import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageCreateParamsBase, MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { httpFetch } from './http-fetch.js';
import { ProviderError, type ChatChunk, type ChatMessage, type ChatRequest, type FinishReason, type Provider, type ToolChoice } from './provider.js';

const FINISH: Record<string, FinishReason> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', refusal: 'content_filter', pause_turn: 'stop' };
const finish = (reason: string | null | undefined): FinishReason | null => (reason == null ? null : (FINISH[reason] ?? 'stop'));

function parseArguments(json: string): unknown {
  try {
    return JSON.parse(json || '{}');
  } catch {
    return {};
  }
}

function blocks(m: ChatMessage): ContentBlockParam[] {
  if (m.role === 'tool') return [{ type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: m.content }];
  return [
    ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
    ...(m.toolCalls ?? []).map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: parseArguments(c.arguments) })),
  ];
}

/** Anthropic wants alternating user/assistant turns: consecutive messages of one side merge. */
function toAnthropic(messages: ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const last = out.at(-1);
    if (last?.role === role) (last.content as ContentBlockParam[]).push(...blocks(m));
    else out.push({ role, content: blocks(m) });
  }
  // A turn of plain text goes as a string, the form every Anthropic-compatible server knows.
  return out.map((m) => {
    const only = (m.content as ContentBlockParam[])[0];
    return m.content.length === 1 && only?.type === 'text' ? { role: m.role, content: only.text } : m;
  });
}

function toolChoice(c: ToolChoice): MessageCreateParamsBase['tool_choice'] {
  if (c === 'auto') return { type: 'auto' };
  if (c === 'none') return { type: 'none' };
  if (c === 'required') return { type: 'any' };
  return { type: 'tool', name: c.name };
}

export function createAnthropicProvider(options: { apiKey: string | null; baseUrl: string | null }): Provider {
  const baseUrl = options.baseUrl ?? 'https://api.anthropic.com';
  const client = options.apiKey === null ? null : new Anthropic({ apiKey: options.apiKey, baseURL: baseUrl, maxRetries: 0, timeout: 600_000, fetch: httpFetch });
  const need = (): Anthropic => {
    if (client === null) throw new Error('anthropic is not configured');
    return client;
  };
  const body = (req: ChatRequest): MessageCreateParamsBase => {
    const system = req.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    // `temperature` is still accepted by the API, though this SDK version no longer types it.
    const params = {
      model: req.model,
      max_tokens: req.maxTokens,
      temperature: Math.min(req.temperature, 1),
      ...(system ? { system } : {}),
      messages: toAnthropic(req.messages),
      ...(req.topP === undefined ? {} : { top_p: req.topP }),
      ...(req.stop === undefined ? {} : { stop_sequences: req.stop }),
      ...(req.tools === undefined
        ? {}
        : { tools: req.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), input_schema: { type: 'object' as const, ...t.parameters } })) }),
      ...(req.toolChoice === undefined ? {} : { tool_choice: toolChoice(req.toolChoice) }),
    };
    return params as MessageCreateParamsBase;
  };

  return {
    name: 'anthropic',
    baseUrl,
    // The Messages API has no JSON mode: a request that needs one skips Anthropic targets.
    jsonOutput: false,
    disabledReason: client === null ? 'no API key configured (PITCHEY_AI_ANTHROPIC_API_KEY)' : null,
    async generate(req, signal) {
      const r = await need().messages.create({ ...body(req), stream: false }, { signal });
      const text = r.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      const toolCalls = r.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: JSON.stringify(b.input) }] : []));
      return { text, toolCalls, model: r.model, usage: { inputTokens: r.usage.input_tokens, outputTokens: r.usage.output_tokens }, finishReason: finish(r.stop_reason) };
    },
    async *stream(req, signal): AsyncIterable<ChatChunk> {
      const events = await need().messages.create({ ...body(req), stream: true }, { signal });
      let finishReason: FinishReason | null | undefined;
      let model: string | undefined;
      // Anthropic numbers every content block; OpenAI numbers only the tool calls.
      const toolIndex = new Map<number, number>();
      for await (const ev of events) {
        if (ev.type === 'message_start') {
          model = ev.message.model;
          yield { kind: 'usage', usage: { inputTokens: ev.message.usage.input_tokens } };
        } else if (ev.type === 'content_block_start' && ev.content_block.type === 'tool_use') {
          toolIndex.set(ev.index, toolIndex.size);
          yield { kind: 'tool_call', index: toolIndex.get(ev.index)!, id: ev.content_block.id, name: ev.content_block.name, arguments: '' };
        } else if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
          yield { kind: 'text', text: ev.delta.text };
        } else if (ev.type === 'content_block_delta' && ev.delta.type === 'input_json_delta') {
          yield { kind: 'tool_call', index: toolIndex.get(ev.index) ?? 0, arguments: ev.delta.partial_json };
        } else if (ev.type === 'message_delta') {
          finishReason = finish(ev.delta.stop_reason) ?? finishReason;
          yield { kind: 'usage', usage: { outputTokens: ev.usage.output_tokens } };
        }
      }
      if (finishReason == null) throw new ProviderError('anthropic', 'stream ended before the answer was finished', { retryable: false, providerFault: true });
      yield { kind: 'done', finishReason, ...(model === undefined ? {} : { model }) };
    },
    async listModels(signal) {
      const ids: string[] = [];
      for await (const m of need().models.list({}, { signal })) ids.push(m.id);
      return ids;
    },
  };
}
