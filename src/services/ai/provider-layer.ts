// The provider layer every generating route stands on: providers, catalogue (aliases, fallback
// chains), generation (retries, breaker, concurrency), per-caller usage and budget, the response
// cache, and one way to account for a finished call. /generate and the OpenAI-compatible /v1
// routes are two faces of it.
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { HttpApp, ServiceContext } from '../../kit/index.js';
import { createCatalogue, type Catalogue } from './catalogue.js';
import { createAnthropicProvider } from './providers/anthropic-provider.js';
import { createGeneration, type Generation, type Target } from './providers/generation.js';
import { createOllamaProvider } from './providers/ollama-provider.js';
import { createOpenAiProvider } from './providers/openai-provider.js';
import type { Provider, ProviderName, Usage } from './providers/provider.js';
import { createMemoryCache, createRedisCache, type ResponseCache } from './response-cache.js';
import { assertWithinBudget, createUsageStore, priceOf, type UsageStore } from './usage.js';

export interface ProviderLayer {
  providers: Record<ProviderName, Provider>;
  catalogue: Catalogue;
  generation: Generation;
  usage: UsageStore;
  cache: ResponseCache | null;
  /** Who pays: the API key id or JWT subject. */
  principalOf(req: FastifyRequest): string;
  /** Throws AI_BUDGET_EXCEEDED when the caller has spent its month's budget. */
  assertBudget(principal: string): void;
  /** Records usage and cost, counts metrics, logs the call; answers the cost. */
  account(req: FastifyRequest, principal: string, target: Target, used: Usage, texts: { prompt: unknown; completion: unknown }): { costUsd: number; priced: boolean };
}

function createCache(ctx: ServiceContext, app: HttpApp): ResponseCache | null {
  const { aiCacheTtlMs: ttl, aiCacheRedisUrl: url } = ctx.config;
  if (ttl === 0) return null;
  return url === null ? createMemoryCache(ttl) : createRedisCache(url, ttl, (err) => app.log.warn({ err: (err as Error).message }, 'response cache unavailable; answering uncached'));
}

export function createProviderLayer(app: HttpApp, ctx: ServiceContext): ProviderLayer {
  const c = ctx.config;
  const providers: Record<ProviderName, Provider> = {
    openai: createOpenAiProvider({ apiKey: c.aiOpenaiApiKey, baseUrl: c.aiOpenaiBaseUrl }),
    anthropic: createAnthropicProvider({ apiKey: c.aiAnthropicApiKey, baseUrl: c.aiAnthropicBaseUrl }),
    ollama: createOllamaProvider({ baseUrl: c.aiOllamaBaseUrl }),
  };
  const generation = createGeneration({
    providers,
    timeoutMs: c.aiTimeoutMs,
    concurrency: c.aiConcurrency,
    retries: c.aiRetries,
    breaker: { failures: c.aiBreakerFailures, cooldownMs: c.aiBreakerCooldownMs },
    onFailure: (f) => {
      ctx.metrics.aiProviderCalls.inc({ provider: f.provider, outcome: 'error' });
      app.log.warn({ provider: f.provider, model: f.model, attempt: f.attempt, reason: f.reason }, 'provider attempt failed');
    },
  });
  const usage = createUsageStore(join(ctx.dataDir, 'usage.sqlite'));
  const cache = createCache(ctx, app);
  app.addHook('onClose', async () => {
    usage.close();
    await cache?.close();
  });

  return {
    providers,
    catalogue: createCatalogue(c, providers),
    generation,
    usage,
    cache,
    principalOf: (req) => req.principal?.id ?? 'anonymous',
    assertBudget: (principal) => assertWithinBudget(usage, c.aiBudgets, principal),
    account(req, principal, target, used, texts) {
      const cost = priceOf(c.aiPrices, target, used);
      usage.record(principal, target, used, cost.costUsd);
      ctx.metrics.aiProviderCalls.inc({ provider: target.provider, outcome: 'ok' });
      ctx.metrics.aiTokens.inc({ provider: target.provider, direction: 'in' }, used.inputTokens);
      ctx.metrics.aiTokens.inc({ provider: target.provider, direction: 'out' }, used.outputTokens);
      req.log.info({ provider: target.provider, model: target.model, input_tokens: used.inputTokens, output_tokens: used.outputTokens, cost_usd: cost.costUsd }, 'generation');
      // Prompts and completions are the caller's data: only an operator who turned on debug sees them.
      req.log.debug(texts, 'generation text');
      return cost;
    },
  };
}
