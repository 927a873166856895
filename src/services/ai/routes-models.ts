// GET /models: the local models loaded in this process, and per provider its configuration,
// models, breaker state and whether it answers right now (probed, with a short cache).
import type { HttpApp, Static } from '../../kit/index.js';
import { ModelsAnswer } from './answers.js';
import type { ClassifierStore } from './local/classifiers.js';
import { LANGUAGE_MODEL } from './local/language.js';
import { MODERATION_MODEL } from './local/moderation.js';
import { NLP_MODEL } from './local/nlp.js';
import { PROVIDER_ALIASES } from './catalogue.js';
import type { ProviderLayer } from './provider-layer.js';
import { PROVIDER_NAMES } from './providers/provider.js';

export function registerModelRoutes(app: HttpApp, layer: ProviderLayer, classifiers: ClassifierStore): void {
  app.get(
    '/models',
    { config: { auth: 'public' }, schema: { summary: "Loaded local models, and each provider's models and whether it is reachable now", doc: { ok: { json: ModelsAnswer } } } },
    async (): Promise<Static<typeof ModelsAnswer>> => {
      const providers = await Promise.all(
        PROVIDER_NAMES.map(async (name) => {
          const p = layer.providers[name];
          const probeResult = await layer.catalogue.probe(name);
          const { breaker, inFlight } = layer.generation.state(name);
          const aliases = Object.entries(PROVIDER_ALIASES)
            .filter(([, target]) => target === name)
            .map(([alias]) => alias);
          return {
            name,
            aliases,
            configured: p.disabledReason === null,
            base_url: p.baseUrl,
            available: probeResult.reachable && breaker.state !== 'open',
            reason: probeResult.reason ?? (breaker.state === 'open' ? 'cooling down after repeated failures' : null),
            models: layer.catalogue.models(name),
            live_models: probeResult.models,
            breaker,
            in_flight: inFlight,
          };
        }),
      );
      const trained = await classifiers.list();
      const firstAvailable = providers.find((p) => p.available);
      return {
        loaded: [
          { ...NLP_MODEL, model: NLP_MODEL.name, name: 'sentiment', offline: true },
          { ...MODERATION_MODEL, model: MODERATION_MODEL.name, name: 'moderation', offline: true },
          { ...LANGUAGE_MODEL, model: LANGUAGE_MODEL.name, name: 'language', offline: true },
          ...trained.map((c) => ({ name: c.name, package: 'wink-naive-bayes-text-classifier', version: c.version, labels: c.labels, held_out_accuracy: c.heldOutAccuracy, offline: true as const })),
        ],
        providers,
        aliases: layer.catalogue.aliases(),
        recommended: {
          classify: 'sentiment',
          moderate: 'moderation',
          generate: firstAvailable === undefined ? null : { provider: firstAvailable.name, model: firstAvailable.models[0] ?? null },
        },
      };
    },
  );
}
