// Ollama over its HTTP API (`POST /api/chat`, NDJSON when streaming; `GET /api/tags`). This is
// the contract's `local` provider: a model server on our own machine or network.
import { httpStatusError } from './provider-errors.js';
import { httpFetch } from './http-fetch.js';
import { ProviderError, type ChatChunk, type ChatRequest, type Provider } from './provider.js';

interface OllamaLine {
  model?: string;
  message?: { content?: string };
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

export function createOllamaProvider(options: { baseUrl: string | null }): Provider {
  const baseUrl = options.baseUrl ?? 'http://127.0.0.1:11434';

  async function post(req: ChatRequest, stream: boolean, signal: AbortSignal): Promise<Response> {
    const res = await httpFetch(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal,
      body: JSON.stringify({
        model: req.model, stream,
        messages: [...(req.system ? [{ role: 'system', content: req.system }] : []), { role: 'user', content: req.prompt }],
        options: { num_predict: req.maxTokens, temperature: req.temperature },
      }),
    });
    if (!res.ok) {
      const text = await res.text();
      let message = text;
      try { message = (JSON.parse(text) as { error?: string }).error ?? text; } catch { /* not JSON */ }
      throw httpStatusError('ollama', res.status, message, res.headers);
    }
    if (res.body === null) throw new ProviderError('ollama', 'empty response', { retryable: true, providerFault: true });
    return res;
  }

  return {
    name: 'ollama',
    baseUrl,
    disabledReason: options.baseUrl === null ? 'no server configured (PITCHEY_AI_OLLAMA_BASE_URL)' : null,
    async generate(req, signal) {
      const line = (await (await post(req, false, signal)).json()) as OllamaLine;
      return {
        text: line.message?.content ?? '',
        model: line.model ?? req.model,
        usage: { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 },
        finishReason: line.done_reason ?? null,
      };
    },
    async *stream(req, signal): AsyncIterable<ChatChunk> {
      const res = await post(req, true, signal);
      for await (const line of ndjson(res.body!)) {
        if (line.error !== undefined) throw new ProviderError('ollama', `stream error: ${line.error}`, { retryable: false, providerFault: true });
        if (line.message?.content) yield { kind: 'text', text: line.message.content };
        if (line.done) {
          yield { kind: 'usage', usage: { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 } };
          yield { kind: 'done', finishReason: line.done_reason ?? null, ...(line.model === undefined ? {} : { model: line.model }) };
          return;
        }
      }
      throw new ProviderError('ollama', 'stream ended before done', { retryable: false, providerFault: true });
    },
    async listModels(signal) {
      const res = await httpFetch(`${baseUrl}/api/tags`, { signal });
      if (!res.ok) throw httpStatusError('ollama', res.status, await res.text(), res.headers);
      return ((await res.json()) as { models?: { name: string }[] }).models?.map((m) => m.name) ?? [];
    },
  };
}
