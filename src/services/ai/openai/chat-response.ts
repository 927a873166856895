// Provider answers in OpenAI's chat-completion shapes: one `chat.completion` object, or a stream
// of `chat.completion.chunk` server-sent events ending `data: [DONE]`, whatever protocol the
// provider spoke (Anthropic and Ollama chunks are translated as they arrive).
import { randomUUID } from 'node:crypto';
import type { Static } from '../../../kit/index.js';
import type { OpenedStream } from '../providers/generation.js';
import type { ChatResult, FinishReason, ToolCall, Usage } from '../providers/provider.js';
import type { ChatCompletionAnswer } from './answers.js';

export const completionId = (): string => `chatcmpl-${randomUUID().replaceAll('-', '')}`;

export const usageOf = (u: Usage) => ({ prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens });

const toolCallsOf = (calls: ToolCall[]) => calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }));

export function chatCompletion(result: ChatResult, id: string, created: number): Static<typeof ChatCompletionAnswer> {
  const hasTools = result.toolCalls.length > 0;
  return {
    id,
    object: 'chat.completion' as const,
    created,
    model: result.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: hasTools && result.text === '' ? null : result.text, refusal: null, ...(hasTools ? { tool_calls: toolCallsOf(result.toolCalls) } : {}) },
        finish_reason: result.finishReason ?? (hasTools ? 'tool_calls' : 'stop'),
        logprobs: null,
      },
    ],
    usage: usageOf(result.usage),
  };
}

export interface ChatStreamOutcome {
  text: string;
  usage: Usage;
  model: string;
  error: string | null;
}

const data = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;

/** Renders the stream; `onEnd` runs once with what was delivered (for usage, cost and logs). */
export async function* chatChunks(opened: OpenedStream, options: { id: string; created: number; includeUsage: boolean }, onEnd: (o: ChatStreamOutcome) => void): AsyncGenerator<string> {
  const outcome: ChatStreamOutcome = { text: '', usage: { inputTokens: 0, outputTokens: 0 }, model: opened.target.model, error: null };
  // With include_usage, OpenAI puts `usage: null` on every chunk but the last.
  const extra = options.includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finishReason: FinishReason | null = null) =>
    data({
      id: options.id,
      object: 'chat.completion.chunk',
      created: options.created,
      model: outcome.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
      ...extra,
    });
  let finish: FinishReason | null = null;
  let calledTools = false;
  try {
    yield chunk({ role: 'assistant', content: '' });
    for await (const c of opened.chunks) {
      if (c.kind === 'text') {
        outcome.text += c.text;
        yield chunk({ content: c.text });
      } else if (c.kind === 'tool_call') {
        calledTools = true;
        yield chunk({
          tool_calls: [{ index: c.index, ...(c.id === undefined ? {} : { id: c.id, type: 'function' }), function: { ...(c.name === undefined ? {} : { name: c.name }), arguments: c.arguments } }],
        });
      } else if (c.kind === 'usage') outcome.usage = { ...outcome.usage, ...c.usage };
      else {
        finish = c.finishReason;
        outcome.model = c.model ?? outcome.model;
      }
    }
    yield chunk({}, finish ?? (calledTools ? 'tool_calls' : 'stop'));
    if (options.includeUsage) {
      yield data({ id: options.id, object: 'chat.completion.chunk', created: options.created, model: outcome.model, system_fingerprint: null, choices: [], usage: usageOf(outcome.usage) });
    }
    yield 'data: [DONE]\n\n';
  } catch (err) {
    outcome.error = (err as Error).message;
    // OpenAI's SDKs raise an APIError for an `error` event in the stream.
    yield data({ error: { message: `The provider failed mid-stream: ${outcome.error}`, type: 'server_error', param: null, code: 'upstream_unavailable' } });
  } finally {
    onEnd(outcome);
  }
}
