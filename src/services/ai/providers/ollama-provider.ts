// Ollama over its HTTP API (`POST /api/chat`, NDJSON when streaming; `POST /api/embed`;
// `GET /api/tags`). This is the contract's `local` provider: a model server on our own machine or
// network. Ollama's tool calls carry arguments as objects and no ids: ids are made up here.
import { randomUUID } from 'node:crypto';
import { httpStatusError } from './provider-errors.js';
import { httpFetch } from './http-fetch.js';
import { ProviderError, type ChatChunk, type ChatMessage, type ChatRequest, type FinishReason, type Provider, type ToolCall } from './provider.js';

interface OllamaToolCall {
  function: { name: string; arguments: unknown };
}
interface OllamaLine {
  model?: string;
  message?: { content?: string; tool_calls?: OllamaToolCall[] };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

async function* ndjson(body: ReadableStream<Uint8Array>): AsyncIterable<OllamaLine> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line !== '') yield JSON.parse(line) as OllamaLine;
    }
  }
  if (buffered.trim() !== '') yield JSON.parse(buffered) as OllamaLine;
}

function toOllama(m: ChatMessage): Record<string, unknown> {
  return {
    role: m.role,
    content: m.content,
    ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ function: { name: c.name, arguments: JSON.parse(c.arguments || '{}') as unknown } })) } : {}),
  };
}

const toolCallsOf = (line: OllamaLine): ToolCall[] =>
  (line.message?.tool_calls ?? []).map((c) => ({ id: `call_${randomUUID().slice(0, 8)}`, name: c.function.name, arguments: JSON.stringify(c.function.arguments ?? {}) }));

function finish(line: OllamaLine, calledTools: boolean): FinishReason | null {
  if (calledTools) return 'tool_calls';
  return line.done_reason === 'length' ? 'length' : line.done_reason === undefined ? null : 'stop';
}

export function createOllamaProvider(options: { baseUrl: string | null }): Provider {
  const baseUrl = options.baseUrl ?? 'http://127.0.0.1:11434';

  async function post(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    const res = await httpFetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, signal, body: JSON.stringify(body) });
    if (!res.ok) {
      const text = await res.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        /* not JSON */
      }
      throw httpStatusError('ollama', res.status, message, res.headers);
    }
    if (res.body === null) throw new ProviderError('ollama', 'empty response', { retryable: true, providerFault: true });
    return res;
  }

  const chat = (req: ChatRequest, stream: boolean, signal: AbortSignal) =>
    post(
      '/api/chat',
      {
        model: req.model,
        stream,
        messages: req.messages.map(toOllama),
        // Ollama has no tool_choice: "none" is honoured by not offering the tools.
        ...(req.tools === undefined || req.toolChoice === 'none' ? {} : { tools: req.tools.map((t) => ({ type: 'function', function: t })) }),
        // Ollama's `format`: "json", or a JSON Schema the answer must follow.
        ...(req.responseFormat === undefined ? {} : { format: req.responseFormat.type === 'json_object' ? 'json' : req.responseFormat.schema }),
        options: { num_predict: req.maxTokens, temperature: req.temperature, ...(req.topP === undefined ? {} : { top_p: req.topP }), ...(req.stop === undefined ? {} : { stop: req.stop }) },
      },
      signal,
    );

  return {
    name: 'ollama',
    baseUrl,
    jsonOutput: true,
    disabledReason: options.baseUrl === null ? 'no server configured (PITCHEY_AI_OLLAMA_BASE_URL)' : null,
    async generate(req, signal) {
      const line = (await (await chat(req, false, signal)).json()) as OllamaLine;
      const toolCalls = toolCallsOf(line);
      return {
        text: line.message?.content ?? '',
        toolCalls,
        model: line.model ?? req.model,
        usage: { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 },
        finishReason: finish(line, toolCalls.length > 0),
      };
    },
    async *stream(req, signal): AsyncIterable<ChatChunk> {
      const res = await chat(req, true, signal);
      let calls = 0;
      for await (const line of ndjson(res.body!)) {
        if (line.error !== undefined) throw new ProviderError('ollama', `stream error: ${line.error}`, { retryable: false, providerFault: true });
        if (line.message?.content) yield { kind: 'text', text: line.message.content };
        for (const c of toolCallsOf(line)) yield { kind: 'tool_call', index: calls++, id: c.id, name: c.name, arguments: c.arguments };
        if (line.done) {
          yield { kind: 'usage', usage: { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 } };
          yield { kind: 'done', finishReason: finish(line, calls > 0), ...(line.model === undefined ? {} : { model: line.model }) };
          return;
        }
      }
      throw new ProviderError('ollama', 'stream ended before done', { retryable: false, providerFault: true });
    },
    async embed(req, signal) {
      const r = (await (await post('/api/embed', { model: req.model, input: req.input, ...(req.dimensions === undefined ? {} : { dimensions: req.dimensions }) }, signal)).json()) as {
        model?: string;
        embeddings: number[][];
        prompt_eval_count?: number;
      };
      return { vectors: r.embeddings, model: r.model ?? req.model, usage: { inputTokens: r.prompt_eval_count ?? 0 } };
    },
    async listModels(signal) {
      const res = await httpFetch(`${baseUrl}/api/tags`, { signal });
      if (!res.ok) throw httpStatusError('ollama', res.status, await res.text(), res.headers);
      return ((await res.json()) as { models?: { name: string }[] }).models?.map((m) => m.name) ?? [];
    },
  };
}
