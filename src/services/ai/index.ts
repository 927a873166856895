// AI inference (:8083, /api/ai/): offline local models (sentiment, moderation, language, custom
// classifiers) and one provider layer for hosted and local LLMs (OpenAI and compatible servers,
// Anthropic, Ollama as the contract's `local`), offered in the platform's own shape (/generate)
// and in OpenAI's (/v1/…), so stock OpenAI clients can use it.
import type { ServiceManifest } from '../../kit/index.js';
import { createProviderLayer } from './provider-layer.js';
import { registerGenerateRoutes } from './routes-generate.js';
import { registerLocalRoutes } from './routes-local.js';
import { registerModelRoutes } from './routes-models.js';
import { registerModerateRoute } from './routes-moderate.js';
import { registerOpenAiRoutes } from './openai/index.js';

export const aiService: ServiceManifest = {
  name: 'ai',
  title: 'Pitchey AI inference',
  description: 'Text analysis, classification, moderation (offline models) and generation through OpenAI, Anthropic or a local LLM server; an OpenAI-compatible API under /v1.',
  async routes(app, ctx) {
    const layer = createProviderLayer(app, ctx);
    const classifiers = registerLocalRoutes(app, ctx);
    registerModerateRoute(app, ctx, layer);
    registerGenerateRoutes(app, ctx, layer);
    registerModelRoutes(app, layer, classifiers);
    await registerOpenAiRoutes(app, ctx, layer);
  },
};
