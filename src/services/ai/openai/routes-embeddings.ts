// POST /v1/embeddings: OpenAI's request and answer, from providers that offer embeddings (OpenAI
// and compatible servers, Ollama), through the same chain, retries, breaker, budget and usage.
import { clientGoneSignal, Problem, StringEnum, Type, type HttpApp, type Static } from '../../../kit/index.js';
import type { ProviderLayer } from '../provider-layer.js';
import { RATE_LIMITS } from '../routes-local.js';
import { EMBEDDINGS_DOC, EmbeddingsAnswer } from './answers.js';
import { usageOf } from './chat-response.js';

const EmbeddingBody = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    input: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 2_048 })], { description: 'text or texts (token arrays are not accepted)' }),
    encoding_format: Type.Optional(StringEnum(['float', 'base64'])),
    dimensions: Type.Optional(Type.Integer({ minimum: 1, maximum: 8_192 })),
    user: Type.Optional(Type.String()),
    fallbacks: Type.Optional(Type.Array(Type.String(), { maxItems: 5 })),
  },
  { additionalProperties: false },
);

/** OpenAI's base64 form: the float32 values, little-endian, as the SDKs decode them. */
function base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

export function registerEmbeddingsRoute(app: HttpApp, layer: ProviderLayer): void {
  app.post(
    '/embeddings',
    {
      config: { rateLimit: { max: RATE_LIMITS.classify, timeWindow: '1 minute' } },
      schema: { summary: 'OpenAI embeddings from a provider that offers them', tags: ['openai'], body: EmbeddingBody, doc: EMBEDDINGS_DOC },
    },
    async (req, reply): Promise<Static<typeof EmbeddingsAnswer>> => {
      const b = req.body;
      const resolved = await layer.catalogue.resolveModel(b.model, b.fallbacks);
      const targets = resolved.filter((t) => layer.providers[t.provider].embed !== undefined);
      if (targets.length === 0) {
        throw new Problem('AI_NOT_SUPPORTED', `${[...new Set(resolved.map((t) => t.provider))].join(', ')} offers no embeddings; use a model served by openai (or a compatible server) or ollama.`, {
          extensions: { field: 'body/model' },
        });
      }
      const principal = layer.principalOf(req);
      layer.assertBudget(principal);
      const input = [b.input].flat();
      const { target, value } = await layer.generation.run(targets, clientGoneSignal(reply, new Error('client went away')), (p, t, signal) =>
        p.embed!({ model: t.model, input, ...(b.dimensions === undefined ? {} : { dimensions: b.dimensions }) }, signal),
      );
      const used = { inputTokens: value.usage.inputTokens, outputTokens: 0 };
      layer.account(req, principal, target, used, { prompt: input, completion: null });
      return {
        object: 'list',
        data: value.vectors.map((v, index) => ({ object: 'embedding', index, embedding: b.encoding_format === 'base64' ? base64(v) : v })),
        model: value.model,
        usage: { prompt_tokens: usageOf(used).prompt_tokens, total_tokens: used.inputTokens },
      };
    },
  );
}
