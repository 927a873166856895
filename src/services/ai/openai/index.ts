// The OpenAI-compatible face of the AI service, under /v1 (through the gateway /api/ai/v1): the
// official SDKs and LangChain point `baseURL` here and pass a platform API key as their apiKey
// (sent as `Authorization: Bearer`, which the kit accepts). Errors here are OpenAI error objects.
import { sendProblem, Problem, type HttpApp, type ServiceContext } from '../../../kit/index.js';
import type { ProviderLayer } from '../provider-layer.js';
import { OPENAI_ERRORS, renderOpenAiError } from './errors.js';
import { registerChatRoute } from './routes-chat.js';
import { registerEmbeddingsRoute } from './routes-embeddings.js';
import { registerModelsRoutes } from './routes-models.js';
import { registerModerationsRoute } from './routes-moderations.js';

export const OPENAI_PREFIX = '/v1';

export async function registerOpenAiRoutes(app: HttpApp, ctx: ServiceContext, layer: ProviderLayer): Promise<void> {
  await app.register(
    (v1, _opts, done) => {
      v1.setErrorHandler((err, req, reply) => sendProblem(req, reply, err, renderOpenAiError));
      // This prefix has its own not-found handler, so it tells a wrong method from a wrong path itself.
      const methods = new Map<string, string[]>();
      v1.addHook('onRoute', (r) => {
        // Every route here answers OpenAI error objects (the handler above), and its document says so.
        if (r.schema !== undefined) r.schema.doc = { ...r.schema.doc, errors: OPENAI_ERRORS };
        methods.set(r.url, [...(methods.get(r.url) ?? []), ...[r.method].flat().filter((m) => m !== 'HEAD')]);
      });
      const allowedOn = (path: string) => [...methods].filter(([url]) => url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1)))).flatMap(([, m]) => m);
      v1.setNotFoundHandler((req, reply) => {
        const path = req.url.split('?')[0] ?? '/';
        const allowed = allowedOn(path);
        const problem =
          allowed.length > 0
            ? new Problem('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}.`, { headers: { allow: allowed.join(', ') } })
            : new Problem('ROUTE_NOT_FOUND', `No route ${req.method} ${path}; this OpenAI-compatible API offers chat/completions, embeddings, moderations and models.`);
        return sendProblem(req, reply, problem, renderOpenAiError);
      });
      registerChatRoute(v1, layer);
      registerEmbeddingsRoute(v1, layer);
      registerModelsRoutes(v1, layer);
      registerModerationsRoute(v1, ctx, layer);
      done();
    },
    { prefix: OPENAI_PREFIX },
  );
}
