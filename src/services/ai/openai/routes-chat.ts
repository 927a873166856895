// POST /v1/chat/completions: OpenAI's request and answer over the provider layer (aliases,
// fallbacks, retries, breaker, concurrency, budget, usage, cache). Which provider answered, what it
// cost and whether the cache did are told in headers, so the body stays OpenAI's.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { clientGoneSignal, Problem, type HttpApp } from '../../../kit/index.js';
import type { ProviderLayer } from '../provider-layer.js';
import type { AttemptFailure, Target } from '../providers/generation.js';
import type { ChatRequest } from '../providers/provider.js';
import { cacheKey } from '../response-cache.js';
import { RATE_LIMITS } from '../routes-local.js';
import { CHAT_DOC } from './answers.js';
import { ChatCompletionBody, toChatRequest } from './chat-request.js';
import { chatChunks, chatCompletion, completionId } from './chat-response.js';

function tell(reply: FastifyReply, target: Target, failures: AttemptFailure[], cost?: { costUsd: number }): FastifyReply {
  reply.header('x-pitchey-provider', target.provider).header('x-pitchey-model', target.model).header('x-pitchey-fallbacks', String(failures.length));
  return cost === undefined ? reply : reply.header('x-pitchey-cost-usd', String(cost.costUsd));
}

/** The chain without targets that cannot do what the request needs (JSON output); none left is a 400. */
function capable(layer: ProviderLayer, targets: Target[], chat: Omit<ChatRequest, 'model'>): Target[] {
  if (chat.responseFormat === undefined) return targets;
  const able = targets.filter((t) => layer.providers[t.provider].jsonOutput);
  if (able.length > 0) return able;
  throw new Problem(
    'AI_NOT_SUPPORTED',
    `${[...new Set(targets.map((t) => t.provider))].join(', ')} cannot be held to JSON output; drop response_format or use a model served by openai (or a compatible server) or ollama.`,
    { extensions: { field: 'body/response_format' } },
  );
}

export function registerChatRoute(app: HttpApp, layer: ProviderLayer): void {
  app.post(
    '/chat/completions',
    {
      config: { rateLimit: { max: RATE_LIMITS.generate, timeWindow: '1 minute' } },
      schema: { summary: 'OpenAI chat completions (streamed with `stream: true`) through the provider layer', tags: ['openai'], body: ChatCompletionBody, doc: CHAT_DOC },
    },
    async (req, reply) => {
      const b = req.body;
      const chat = toChatRequest(b);
      const targets = capable(layer, await layer.catalogue.resolveModel(b.model, b.fallbacks), chat);
      const principal = layer.principalOf(req);
      layer.assertBudget(principal);
      const signal = clientGoneSignal(reply, new Error('client went away'));
      const id = completionId();
      const created = Math.floor(Date.now() / 1000);
      if (b.user !== undefined) req.log.info({ end_user: b.user }, 'chat completion for an end user');

      if (b.stream === true) {
        const opened = await layer.generation.openStream(targets, chat, signal);
        const frames = chatChunks(opened, { id, created, includeUsage: b.stream_options?.include_usage === true }, (o) => {
          layer.account(req, principal, opened.target, o.usage, { prompt: chat.messages, completion: o.text });
        });
        return tell(reply, opened.target, opened.failures).type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(Readable.from(frames));
      }

      const { cache } = layer;
      const useCache = cache !== null && b.cache !== false && !/no-cache|no-store/i.test(String(req.headers['cache-control'] ?? ''));
      const key = useCache ? cacheKey('chat', targets, chat) : '';
      const cached = useCache ? await cache.get(key) : undefined;
      if (cached !== undefined) return reply.header('x-cache', 'hit').send({ ...(cached as object), id, created });

      const { target, result, failures } = await layer.generation.generate(targets, chat, signal);
      const cost = layer.account(req, principal, target, result.usage, { prompt: chat.messages, completion: result.text });
      const body = chatCompletion(result, id, created);
      if (useCache) await cache.set(key, body);
      return tell(reply, target, failures, cost)
        .header('x-cache', useCache ? 'miss' : 'bypass')
        .send(body);
    },
  );
}
