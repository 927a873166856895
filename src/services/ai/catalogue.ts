// Which providers and models a /generate request may name, and how a request becomes a chain of
// targets: a model alias (config) is a chain; otherwise provider + model, then any `fallback`.
// The contract's `local` provider is Ollama. Live model lists (each provider asked, answers kept a
// few seconds) extend the configured ones, so models pulled into Ollama or served by a compatible
// server are accepted without a restart.
import { Problem, type Config } from '../../kit/index.js';
import type { Target } from './providers/generation.js';
import { toProviderError } from './providers/provider-errors.js';
import { PROVIDER_NAMES, type Provider, type ProviderName } from './providers/provider.js';

const PROBE_TIMEOUT_MS = 2_000;
const PROBE_TTL_MS = 10_000;

/** What asking a provider for its models found out. */
export interface Probe {
  at: number;
  reachable: boolean;
  reason: string | null;
  models: string[];
}

export const PROVIDER_ALIASES: Record<string, ProviderName> = { local: 'ollama' };
export const VALID_PROVIDER_NAMES = [...PROVIDER_NAMES, ...Object.keys(PROVIDER_ALIASES)];

export interface GenerateSelection {
  provider?: string | undefined;
  model?: string | undefined;
  fallback?: string[] | undefined;
}

export interface Catalogue {
  models(provider: ProviderName): string[];
  aliases(): Record<string, Target[]>;
  /** Asks the provider for its models (answer cached a few seconds). */
  probe(provider: ProviderName): Promise<Probe>;
  resolve(selection: GenerateSelection): Promise<Target[]>;
  /**
   * OpenAI-style model names: an alias, `provider:model`, a provider's name (its default model) or a
   * plain model name (the first configured provider that serves it), then each fallback the same way.
   */
  resolveModel(model: string, fallbacks?: string[]): Promise<Target[]>;
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
  const probes = new Map<ProviderName, Promise<Probe>>();
  const live = new Map<ProviderName, string[]>();
  const configured = (p: ProviderName) => config.aiModels[p] ?? [];
  const models = (p: ProviderName) => [...new Set([...configured(p), ...(live.get(p) ?? [])])];

  async function ask(name: ProviderName): Promise<Probe> {
    const provider = providers[name];
    if (provider.disabledReason !== null) return { at: Date.now(), reachable: false, reason: provider.disabledReason, models: [] };
    const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
    try {
      const list = await provider.listModels(signal);
      live.set(name, list);
      return { at: Date.now(), reachable: true, reason: null, models: list };
    } catch (err) {
      return { at: Date.now(), reachable: false, reason: toProviderError(name, err, { timedOut: signal.aborted, timeoutMs: PROBE_TIMEOUT_MS }).message, models: [] };
    }
  }

  async function probe(name: ProviderName): Promise<Probe> {
    const previous = await probes.get(name);
    if (previous !== undefined && Date.now() - previous.at < PROBE_TTL_MS) return previous;
    const next = ask(name);
    probes.set(name, next);
    return next;
  }
  const aliases = Object.fromEntries(
    Object.entries(config.aiAliases).map(([alias, refs]) => [
      alias,
      refs.map((ref) => {
        const { provider, model } = splitRef(ref);
        const p = providerName(provider);
        return { provider: p, model: model ?? configured(p)[0] ?? '' };
      }),
    ]),
  );

  async function target(provider: ProviderName, model: string | undefined): Promise<Target> {
    if (model !== undefined && !models(provider).includes(model)) await probe(provider);
    const valid = models(provider);
    const chosen = model ?? valid[0];
    if (chosen === undefined || !valid.includes(chosen)) {
      const listed = [...valid.map((m) => `${provider}:${m}`), ...Object.keys(aliases)];
      throw new Problem('AI_UNKNOWN_MODEL', `${model === undefined ? 'No default model' : `No model "${model}"`} for ${provider}; use one of ${listed.join(', ') || '(none configured)'}.`, {
        extensions: { valid: listed },
      });
    }
    return { provider, model: chosen };
  }

  const enabled = () => PROVIDER_NAMES.filter((p) => providers[p].disabledReason === null);

  async function byName(ref: string): Promise<Target[]> {
    const alias = aliases[ref];
    if (alias !== undefined) return alias;
    const { provider, model } = splitRef(ref);
    if (provider in PROVIDER_ALIASES || (PROVIDER_NAMES as readonly string[]).includes(provider)) return [await target(providerName(provider), model)];
    let serving = enabled().find((p) => models(p).includes(ref));
    if (serving === undefined) {
      await Promise.all(enabled().map((p) => probe(p)));
      serving = enabled().find((p) => models(p).includes(ref));
    }
    if (serving !== undefined) return [{ provider: serving, model: ref }];
    const listed = [...Object.keys(aliases), ...enabled().flatMap((p) => models(p))];
    throw new Problem('AI_UNKNOWN_MODEL', `No model "${ref}"; use one of ${listed.join(', ') || '(none configured)'} (or provider:model).`, { extensions: { valid: listed } });
  }

  const dedupe = (chain: Target[]) => chain.filter((t, i) => chain.findIndex((u) => u.provider === t.provider && u.model === t.model) === i);

  const catalogue: Catalogue = {
    models,
    aliases: () => aliases,
    probe,
    defaultProvider: () => PROVIDER_NAMES.find((p) => providers[p].disabledReason === null) ?? 'openai',
    async resolve(selection) {
      const alias = selection.model === undefined ? undefined : aliases[selection.model];
      const primary = alias ?? [await target(selection.provider === undefined ? catalogue.defaultProvider() : providerName(selection.provider), selection.model)];
      const fallbacks: Target[][] = [];
      for (const ref of selection.fallback ?? []) {
        const { provider, model } = splitRef(ref);
        fallbacks.push(aliases[ref] ?? [await target(providerName(provider), model)]);
      }
      return dedupe([...primary, ...fallbacks.flat()]);
    },
    async resolveModel(model, fallbacks = []) {
      const chains = [await byName(model)];
      for (const ref of fallbacks) chains.push(await byName(ref));
      return dedupe(chains.flat());
    },
  };
  return catalogue;
}
