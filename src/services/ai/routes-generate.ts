// POST /generate (JSON or server-sent events) and GET /usage: the provider layer behind the
// contract's fields, with per-caller usage, cost and budget, and the response cache.
import { Readable } from 'node:stream';
import { clientGoneSignal, Type, type HttpApp, type ServiceContext, type Static } from '../../kit/index.js';
import { GENERATE_DOC, UsageAnswer, type GenerateAnswer } from './answers.js';
import type { ProviderLayer } from './provider-layer.js';
import { promptMessages, type Usage } from './providers/provider.js';
import { cacheKey } from './response-cache.js';
import { RATE_LIMITS } from './routes-local.js';
import { sseFrames, type StreamOutcome } from './sse.js';
import { requireText } from './text-limits.js';
import { budgetOf, monthOf } from './usage.js';

const GenerateBody = Type.Object({
  prompt: Type.String(),
  provider: Type.Optional(Type.String({ description: 'openai, anthropic, ollama or local (= ollama)' })),
  model: Type.Optional(Type.String({ description: 'a model of the provider, or an alias (a configured fallback chain)' })),
  max_tokens: Type.Integer({ minimum: 1, maximum: 32_000, default: 500 }),
  temperature: Type.Number({ minimum: 0, maximum: 2, default: 0.7 }),
  system: Type.Optional(Type.String({ maxLength: 10_000 })),
  stream: Type.Boolean({ default: false }),
  cache: Type.Boolean({ default: true, description: 'false: neither read nor write the response cache' }),
  fallback: Type.Optional(Type.Array(Type.String(), { maxItems: 5, description: 'further targets, `provider` or `provider:model`, tried in order' })),
});

function usageBody(usage: Usage, cost: { costUsd: number; priced: boolean }) {
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens, cost_usd: cost.costUsd, priced: cost.priced };
}

export function registerGenerateRoutes(app: HttpApp, ctx: ServiceContext, layer: ProviderLayer): void {
  const { usage, cache } = layer;

  app.post(
    '/generate',
    {
      config: { rateLimit: { max: RATE_LIMITS.generate, timeWindow: '1 minute' } },
      schema: { summary: 'Generate text with a hosted or local LLM (fallbacks, retries, cache; `stream: true` answers server-sent events)', body: GenerateBody, doc: GENERATE_DOC },
    },
    async (req, reply) => {
      const b = req.body;
      const prompt = requireText(b.prompt, { field: 'prompt', limit: ctx.config.aiTextLimits.generate });
      const targets = await layer.catalogue.resolve({ provider: b.provider, model: b.model, fallback: b.fallback });
      const principal = layer.principalOf(req);
      layer.assertBudget(principal);
      const chat = { messages: promptMessages(prompt, b.system), maxTokens: b.max_tokens, temperature: b.temperature };
      const signal = clientGoneSignal(reply, new Error('client went away'));

      if (b.stream) {
        const opened = await layer.generation.openStream(targets, chat, signal);
        const onEnd = (o: StreamOutcome) => {
          layer.account(req, principal, opened.target, o.usage, { prompt, completion: o.text });
        };
        return reply
          .type('text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache')
          .header('x-accel-buffering', 'no')
          .send(Readable.from(sseFrames(opened, onEnd)));
      }

      const useCache = cache !== null && b.cache && !/no-cache|no-store/i.test(String(req.headers['cache-control'] ?? ''));
      const key = useCache ? cacheKey('gen', targets, [prompt.trim(), b.system?.trim() ?? null, b.max_tokens, b.temperature]) : '';
      const cached = useCache ? await cache.get(key) : undefined;
      if (cached !== undefined) return reply.header('x-cache', 'hit').send({ ...(cached as object), prompt, cached: true });

      const { target, result, failures } = await layer.generation.generate(targets, chat, signal);
      const cost = layer.account(req, principal, target, result.usage, { prompt, completion: result.text });
      const body: Static<typeof GenerateAnswer> = {
        prompt,
        generated_text: result.text,
        model: result.model,
        provider: target.provider,
        usage: usageBody(result.usage, cost),
        finish_reason: result.finishReason,
        cached: false,
        fallbacks: failures,
      };
      if (useCache) await cache.set(key, { ...body, prompt: undefined });
      return reply.header('x-cache', useCache ? 'miss' : 'bypass').send(body);
    },
  );

  app.get('/usage', { schema: { summary: "The caller's generation usage, cost and budget this month", doc: { ok: { json: UsageAnswer } } } }, (req): Static<typeof UsageAnswer> => {
    const principal = layer.principalOf(req);
    const budget = budgetOf(ctx.config.aiBudgets, principal);
    const spent = usage.spent(principal);
    return { principal, month: monthOf(new Date()), budget_usd: budget, spent_usd: spent, remaining_usd: budget === null ? null : Math.max(0, budget - spent), by_model: usage.rows(principal) };
  });
}
