// GET /v1/models and /v1/models/{id}: what a `model` may name, in OpenAI's list shape: aliases
// (owned by pitchey) and each usable provider's models (configured and live, owned by the provider).
import { Problem, Type, type HttpApp, type Static } from '../../../kit/index.js';
import type { ProviderLayer } from '../provider-layer.js';
import { PROVIDER_NAMES } from '../providers/provider.js';
import { ModelAnswer, ModelListAnswer } from './answers.js';

const CREATED = 1_700_000_000;

async function listed(layer: ProviderLayer): Promise<Array<Static<typeof ModelAnswer>>> {
  const usable = PROVIDER_NAMES.filter((p) => layer.providers[p].disabledReason === null);
  await Promise.all(usable.map((p) => layer.catalogue.probe(p)));
  return [
    ...Object.keys(layer.catalogue.aliases()).map((id) => ({ id, object: 'model' as const, created: CREATED, owned_by: 'pitchey' })),
    ...usable.flatMap((p) => layer.catalogue.models(p).map((id) => ({ id, object: 'model' as const, created: CREATED, owned_by: p }))),
  ];
}

export function registerModelsRoutes(app: HttpApp, layer: ProviderLayer): void {
  app.get(
    '/models',
    { schema: { summary: 'OpenAI model list: aliases and the models of each configured provider', tags: ['openai'], doc: { ok: { json: ModelListAnswer } } } },
    async (): Promise<Static<typeof ModelListAnswer>> => ({ object: 'list', data: await listed(layer) }),
  );
  app.get(
    '/models/*',
    {
      schema: { summary: 'One model of the OpenAI model list', tags: ['openai'], params: Type.Object({ '*': Type.String() }), doc: { ok: { json: ModelAnswer }, problems: ['AI_UNKNOWN_MODEL'] } },
    },
    async (req): Promise<Static<typeof ModelAnswer>> => {
      const id = req.params['*'];
      const found = (await listed(layer)).find((m) => m.id === id);
      if (found === undefined) throw new Problem('AI_UNKNOWN_MODEL', `No model "${id}".`);
      return found;
    },
  );
}
