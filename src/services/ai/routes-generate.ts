// POST /generate (JSON or server-sent events) and GET /usage: the provider layer behind the
// contract's fields, with per-caller usage, cost and budget, and the response cache.
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { clientGoneSignal, Type, type HttpApp, type ServiceContext } from '../../kit/index.js';
import type { FastifyRequest } from 'fastify';
import { createCatalogue, type Catalogue } from './catalogue.js';
import { createAnthropicProvider } from './providers/anthropic-provider.js';
import { createGeneration, type Generation, type Target } from './providers/generation.js';
import { createOllamaProvider } from './providers/ollama-provider.js';
import { createOpenAiProvider } from './providers/openai-provider.js';
import type { Provider, ProviderName, Usage } from './providers/provider.js';
import { cacheKey, createMemoryCache, createRedisCache, type ResponseCache } from './response-cache.js';
import { RATE_LIMITS } from './routes-local.js';
import { sseFrames, type StreamOutcome } from './sse.js';
import { requireText } from './text-limits.js';
import { assertWithinBudget, budgetOf, createUsageStore, monthOf, priceOf, type UsageStore } from './usage.js';

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

export interface ProviderLayer { providers: Record<ProviderName, Provider>; catalogue: Catalogue; generation: Generation }

function createProviderLayer(ctx: ServiceContext, app: HttpApp): ProviderLayer {
  const c = ctx.config;
  const providers: Record<ProviderName, Provider> = {
    openai: createOpenAiProvider({ apiKey: c.aiOpenaiApiKey, baseUrl: c.aiOpenaiBaseUrl }),
    anthropic: createAnthropicProvider({ apiKey: c.aiAnthropicApiKey, baseUrl: c.aiAnthropicBaseUrl }),
    ollama: createOllamaProvider({ baseUrl: c.aiOllamaBaseUrl }),
  };
  const generation = createGeneration({
    providers, timeoutMs: c.aiTimeoutMs, concurrency: c.aiConcurrency, retries: c.aiRetries,
    breaker: { failures: c.aiBreakerFailures, cooldownMs: c.aiBreakerCooldownMs },
    onFailure: (f) => {
      ctx.metrics.aiProviderCalls.inc({ provider: f.provider, outcome: 'error' });
      app.log.warn({ provider: f.provider, model: f.model, attempt: f.attempt, reason: f.reason }, 'provider attempt failed');
    },
  });
  return { providers, catalogue: createCatalogue(c, providers), generation };
}

function createCache(ctx: ServiceContext, app: HttpApp): ResponseCache | null {
  const { aiCacheTtlMs: ttl, aiCacheRedisUrl: url } = ctx.config;
  if (ttl === 0) return null;
  return url === null ? createMemoryCache(ttl) : createRedisCache(url, ttl, (err) => app.log.warn({ err: (err as Error).message }, 'response cache unavailable; answering uncached'));
}

function usageBody(usage: Usage, cost: { costUsd: number; priced: boolean }) {
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens, cost_usd: cost.costUsd, priced: cost.priced };
}

export function registerGenerateRoutes(app: HttpApp, ctx: ServiceContext): ProviderLayer {
  const layer = createProviderLayer(ctx, app);
  const usage: UsageStore = createUsageStore(join(ctx.dataDir, 'usage.sqlite'));
  const cache = createCache(ctx, app);
  app.addHook('onClose', async () => { usage.close(); await cache?.close(); });

  function account(req: FastifyRequest, principal: string, target: Target, used: Usage, texts: { prompt: string; completion: string }) {
    const cost = priceOf(ctx.config.aiPrices, target, used);
    usage.record(principal, target, used, cost.costUsd);
    ctx.metrics.aiProviderCalls.inc({ provider: target.provider, outcome: 'ok' });
    ctx.metrics.aiTokens.inc({ provider: target.provider, direction: 'in' }, used.inputTokens);
    ctx.metrics.aiTokens.inc({ provider: target.provider, direction: 'out' }, used.outputTokens);
    req.log.info({ provider: target.provider, model: target.model, input_tokens: used.inputTokens, output_tokens: used.outputTokens, cost_usd: cost.costUsd }, 'generation');
    // Prompts and completions are the caller's data: only an operator who turned on debug sees them.
    req.log.debug(texts, 'generation text');
    return cost;
  }

  app.post('/generate', {
    config: { rateLimit: { max: RATE_LIMITS.generate, timeWindow: '1 minute' } },
    schema: { summary: 'Generate text with a hosted or local LLM (fallbacks, retries, cache; `stream: true` answers server-sent events)', body: GenerateBody },
  }, async (req, reply) => {
    const b = req.body;
    const prompt = requireText(b.prompt, { field: 'prompt', limit: ctx.config.aiTextLimits.generate });
    const targets = await layer.catalogue.resolve({ provider: b.provider, model: b.model, fallback: b.fallback });
    const principal = req.principal?.id ?? 'anonymous';
    assertWithinBudget(usage, ctx.config.aiBudgets, principal);
    const chat = { prompt, maxTokens: b.max_tokens, temperature: b.temperature, ...(b.system ? { system: b.system } : {}) };
    const signal = clientGoneSignal(reply, new Error('client went away'));

    if (b.stream) {
      const opened = await layer.generation.openStream(targets, chat, signal);
      const onEnd = (o: StreamOutcome) => { account(req, principal, opened.target, o.usage, { prompt, completion: o.text }); };
      return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').header('x-accel-buffering', 'no')
        .send(Readable.from(sseFrames(opened, onEnd)));
    }

    const useCache = cache !== null && b.cache && !/no-cache|no-store/i.test(String(req.headers['cache-control'] ?? ''));
    const key = useCache ? cacheKey({ targets, prompt, system: b.system ?? null, maxTokens: b.max_tokens, temperature: b.temperature }) : '';
    const cached = useCache ? await cache.get(key) : undefined;
    if (cached !== undefined) return reply.header('x-cache', 'hit').send({ ...(cached as object), prompt, cached: true });

    const { target, result, failures } = await layer.generation.generate(targets, chat, signal);
    const cost = account(req, principal, target, result.usage, { prompt, completion: result.text });
    const body = { prompt, generated_text: result.text, model: result.model, provider: target.provider, usage: usageBody(result.usage, cost), finish_reason: result.finishReason, cached: false, fallbacks: failures };
    if (useCache) await cache.set(key, { ...body, prompt: undefined });
    return reply.header('x-cache', useCache ? 'miss' : 'bypass').send(body);
  });

  app.get('/usage', { schema: { summary: "The caller's generation usage, cost and budget this month" } }, async (req) => {
    const principal = req.principal?.id ?? 'anonymous';
    const budget = budgetOf(ctx.config.aiBudgets, principal);
    const spent = usage.spent(principal);
    return { principal, month: monthOf(new Date()), budget_usd: budget, spent_usd: spent, remaining_usd: budget === null ? null : Math.max(0, budget - spent), by_model: usage.rows(principal) };
  });

  return layer;
}
