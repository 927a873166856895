// AI inference (:8083, /api/ai/): offline local models and one provider layer for hosted LLMs.
// This build reports what is loaded and configured; the models and providers arrive with their issue.
import type { ServiceManifest } from '../../kit/index.js';

const PROVIDERS = [
  { name: 'openai', keyEnv: 'OPENAI_API_KEY' },
  { name: 'anthropic', keyEnv: 'ANTHROPIC_API_KEY' },
  { name: 'ollama', keyEnv: 'OLLAMA_BASE_URL' },
] as const;

export const aiService: ServiceManifest = {
  name: 'ai',
  title: 'Pitchey AI inference',
  description: 'Text analysis, classification, moderation and generation.',
  homePort: 8083,
  routes(app) {
    app.get('/models', { config: { auth: 'public' }, schema: { summary: 'Loaded local models and provider availability' } }, async () => ({
      loaded: [],
      providers: PROVIDERS.map((p) => ({
        name: p.name,
        configured: Boolean(process.env[p.keyEnv]),
        available: false,
        reason: 'the provider layer is not part of this build yet',
      })),
      recommended: [],
    }));
  },
};
