// Anthropic Messages API through the official SDK (its own retries off; see generation.ts).
import Anthropic from '@anthropic-ai/sdk';
import { httpFetch } from './http-fetch.js';
import { ProviderError, type ChatChunk, type ChatRequest, type Provider } from './provider.js';

export function createAnthropicProvider(options: { apiKey: string | null; baseUrl: string | null }): Provider {
  const baseUrl = options.baseUrl ?? 'https://api.anthropic.com';
  const client = options.apiKey === null ? null : new Anthropic({ apiKey: options.apiKey, baseURL: baseUrl, maxRetries: 0, timeout: 600_000, fetch: httpFetch });
  const need = (): Anthropic => { if (client === null) throw new Error('anthropic is not configured'); return client; };
  const body = (req: ChatRequest) => ({
    model: req.model,
    max_tokens: req.maxTokens,
    temperature: Math.min(req.temperature, 1),
    ...(req.system ? { system: req.system } : {}),
    messages: [{ role: 'user' as const, content: req.prompt }],
  });

  return {
    name: 'anthropic',
    baseUrl,
    disabledReason: client === null ? 'no API key configured (PITCHEY_AI_ANTHROPIC_API_KEY)' : null,
    async generate(req, signal) {
      const r = await need().messages.create(body(req), { signal });
      const text = r.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      return { text, model: r.model, usage: { inputTokens: r.usage.input_tokens, outputTokens: r.usage.output_tokens }, finishReason: r.stop_reason ?? null };
    },
    async *stream(req, signal): AsyncIterable<ChatChunk> {
      const events = await need().messages.create({ ...body(req), stream: true }, { signal });
      let finishReason: string | null = null;
      let model: string | undefined;
      for await (const ev of events) {
        if (ev.type === 'message_start') {
          model = ev.message.model;
          yield { kind: 'usage', usage: { inputTokens: ev.message.usage.input_tokens } };
        } else if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') {
          yield { kind: 'text', text: ev.delta.text };
        } else if (ev.type === 'message_delta') {
          finishReason = ev.delta.stop_reason ?? finishReason;
          yield { kind: 'usage', usage: { outputTokens: ev.usage.output_tokens } };
        }
      }
      if (finishReason === null) throw new ProviderError('anthropic', 'stream ended before the answer was finished', { retryable: false, providerFault: true });
      yield { kind: 'done', finishReason, ...(model === undefined ? {} : { model }) };
    },
    async listModels(signal) {
      const ids: string[] = [];
      for await (const m of need().models.list({}, { signal })) ids.push(m.id);
      return ids;
    },
  };
}
