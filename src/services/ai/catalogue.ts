// Which providers and models a /generate request may name, and how a request becomes a chain of
// targets: a model alias (config) is a chain; otherwise provider + model, then any `fallback`.
// The contract's `local` provider is Ollama. Live model lists (from /models probes) extend the
// configured ones, so models pulled into Ollama or served by a compatible server are accepted.
import { Problem, type Config } from '../../kit/index.js';
import type { Target } from './providers/generation.js';
import { PROVIDER_NAMES, type Provider, type ProviderName } from './providers/provider.js';

export const PROVIDER_ALIASES: Record<string, ProviderName> = { local: 'ollama' };
export const VALID_PROVIDER_NAMES = [...PROVIDER_NAMES, ...Object.keys(PROVIDER_ALIASES)];

export interface GenerateSelection { provider?: string | undefined; model?: string | undefined; fallback?: string[] | undefined }

export interface Catalogue {
  models(provider: ProviderName): string[];
  aliases(): Record<string, Target[]>;
  setLive(provider: ProviderName, models: string[]): void;
  resolve(selection: GenerateSelection): Target[];
  defaultProvider(): ProviderName;
}

function providerName(name: string): ProviderName {
  const resolved = PROVIDER_ALIASES[name] ?? name;
  if (!(PROVIDER_NAMES as readonly string[]).includes(resolved)) {
    throw new Problem('AI_UNKNOWN_PROVIDER', `No provider "${name}"; use one of ${VALID_PROVIDER_NAMES.join(', ')}.`, { extensions: { valid: VALID_PROVIDER_NAMES } });
  }
  return resolved as ProviderName;
}

/** `provider` or `provider:model` (a model name may itself hold colons, as Ollama's tags do). */
function splitRef(ref: string): { provider: string; model: string | undefined } {
  const at = ref.indexOf(':');
  return at < 0 ? { provider: ref, model: undefined } : { provider: ref.slice(0, at), model: ref.slice(at + 1) };
}

export function createCatalogue(config: Config, providers: Record<ProviderName, Provider>): Catalogue {
  const live = new Map<ProviderName, string[]>();
  const configured = (p: ProviderName) => config.aiModels[p] ?? [];
  const models = (p: ProviderName) => [...new Set([...configured(p), ...(live.get(p) ?? [])])];
  const aliases = Object.fromEntries(Object.entries(config.aiAliases).map(([alias, refs]) => [alias, refs.map((ref) => {
    const { provider, model } = splitRef(ref);
    const p = providerName(provider);
    return { provider: p, model: model ?? configured(p)[0] ?? '' };
  })]));

  function target(provider: ProviderName, model: string | undefined): Target {
    const valid = models(provider);
    const chosen = model ?? valid[0];
    if (chosen === undefined || !valid.includes(chosen)) {
      const listed = [...valid.map((m) => `${provider}:${m}`), ...Object.keys(aliases)];
      throw new Problem('AI_UNKNOWN_MODEL', `${model === undefined ? 'No default model' : `No model "${model}"`} for ${provider}; use one of ${listed.join(', ') || '(none configured)'}.`, { extensions: { valid: listed } });
    }
    return { provider, model: chosen };
  }

  const catalogue: Catalogue = {
    models,
    aliases: () => aliases,
    setLive: (p, list) => { live.set(p, list); },
    defaultProvider: () => PROVIDER_NAMES.find((p) => providers[p].disabledReason === null) ?? 'openai',
    resolve(selection) {
      const alias = selection.model === undefined ? undefined : aliases[selection.model];
      const primary = alias ?? [target(selection.provider === undefined ? catalogue.defaultProvider() : providerName(selection.provider), selection.model)];
      const fallbacks = (selection.fallback ?? []).map((ref) => {
        const { provider, model } = splitRef(ref);
        return aliases[ref] ?? [target(providerName(provider), model)];
      });
      const chain = [...primary, ...fallbacks.flat()];
      return chain.filter((t, i) => chain.findIndex((u) => u.provider === t.provider && u.model === t.model) === i);
    },
  };
  return catalogue;
}
