// OpenAI chat completions through the official SDK, also for any OpenAI-compatible server (vLLM,
// LocalAI, LM Studio) at a configured base URL. The SDK's own retries are off: the service has one
// retry policy (generation.ts).
import OpenAI from 'openai';
import { httpFetch } from './http-fetch.js';
import { ProviderError, type ChatChunk, type ChatRequest, type Provider } from './provider.js';

const OPENAI_API = 'https://api.openai.com/v1';

export function createOpenAiProvider(options: { apiKey: string | null; baseUrl: string | null }): Provider {
  const baseUrl = options.baseUrl ?? OPENAI_API;
  const compatible = options.baseUrl !== null && !options.baseUrl.startsWith(OPENAI_API);
  // A compatible server on our own network often needs no key; the SDK insists on a string.
  const client = new OpenAI({ apiKey: options.apiKey ?? 'none', baseURL: baseUrl, maxRetries: 0, timeout: 600_000, fetch: httpFetch });
  const body = (req: ChatRequest) => ({
    model: req.model,
    messages: [...(req.system ? [{ role: 'system' as const, content: req.system }] : []), { role: 'user' as const, content: req.prompt }],
    temperature: req.temperature,
    // OpenAI itself replaced max_tokens with max_completion_tokens; compatible servers know the older name.
    ...(compatible ? { max_tokens: req.maxTokens } : { max_completion_tokens: req.maxTokens }),
  });

  return {
    name: 'openai',
    baseUrl,
    disabledReason: options.apiKey === null && !compatible ? 'no API key configured (PITCHEY_AI_OPENAI_API_KEY)' : null,
    async generate(req, signal) {
      const r = await client.chat.completions.create(body(req), { signal });
      const choice = r.choices[0];
      return {
        text: choice?.message.content ?? '',
        model: r.model,
        usage: { inputTokens: r.usage?.prompt_tokens ?? 0, outputTokens: r.usage?.completion_tokens ?? 0 },
        finishReason: choice?.finish_reason ?? null,
      };
    },
    async *stream(req, signal): AsyncIterable<ChatChunk> {
      const s = await client.chat.completions.create({ ...body(req), stream: true, stream_options: { include_usage: true } }, { signal });
      let finishReason: string | null = null;
      let model: string | undefined;
      for await (const chunk of s) {
        model ??= chunk.model;
        const choice = chunk.choices[0];
        if (choice?.delta.content) yield { kind: 'text', text: choice.delta.content };
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        if (chunk.usage) yield { kind: 'usage', usage: { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens } };
      }
      if (finishReason === null) throw new ProviderError('openai', 'stream ended before the answer was finished', { retryable: false, providerFault: true });
      yield { kind: 'done', finishReason, ...(model === undefined ? {} : { model }) };
    },
    async listModels(signal) {
      const ids: string[] = [];
      for await (const m of client.models.list({ signal })) ids.push(m.id);
      return ids;
    },
  };
}
