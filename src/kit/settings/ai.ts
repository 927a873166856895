// AI settings: providers and their models, aliases, prices and budgets, resilience, cache, moderation, text limits.
import { httpUrl, integer, pairs, pairsText, text, SettingError } from './parsers.js';
import { setting } from './setting.js';

const aiTargets = (v: string, name: string): string[] => {
  const list = v
    .split('|')
    .map((t) => t.trim())
    .filter(Boolean);
  if (list.length === 0) throw new SettingError(`"${name}" lists nothing`);
  return list;
};
const aiPrice = (v: string, name: string): [number, number] => {
  const [i, o] = v.split('/').map(Number);
  if (i === undefined || o === undefined || !(i >= 0) || !(o >= 0)) throw new SettingError(`"${name}" must be <in>/<out> USD per million tokens`);
  return [i, o];
};
const positive = (v: string, name: string): number => {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new SettingError(`"${name}" must be a number ≥ 0`);
  return n;
};

/** The contract's longest text per AI route, in characters; a setting may change any of them. */
const AI_TEXT_LIMITS = { analyze: 10_000, generate: 2_000, classify: 1_000, moderate: 10_000 } as const;
export type AiTextRoute = keyof typeof AI_TEXT_LIMITS;

/** `generate=4000,classify=500` over the contract's limits; a misspelt route is refused, since it would limit nothing. */
function aiTextLimits(raw: unknown): Record<AiTextRoute, number> {
  const given = pairs((v, name) => {
    if (!Object.hasOwn(AI_TEXT_LIMITS, name)) throw new SettingError(`unknown route "${name}" (${Object.keys(AI_TEXT_LIMITS).join(', ')})`);
    return integer(1, 1_000_000)(v, name);
  })(raw);
  return { ...AI_TEXT_LIMITS, ...given };
}

/** `offline`, `openai`, `openai:<model>` or `guard:<model ref>`. */
function moderationJudge(raw: unknown): string {
  const v = text(raw).trim();
  if (!/^(?:offline|openai(?::[\w.-]+)?|guard:\S+)$/.test(v)) throw new SettingError('must be offline, openai, openai:<model> or guard:<model>');
  return v;
}

/** `30000` (every provider) or `openai=30000,ollama=120000,*=60000`. */
function perProvider(fallback: number, min: number, max: number) {
  return (raw: unknown): Record<string, number> => {
    const one = integer(min, max);
    const v = text(raw);
    return /^\d+$/.test(v) ? { '*': one(v, '*') } : { '*': fallback, ...pairs(one)(v) };
  };
}

export const AI_SETTINGS = [
  setting({
    key: 'aiOpenaiApiKey',
    env: 'PITCHEY_AI_OPENAI_API_KEY',
    area: 'ai',
    secret: true,
    doc: 'OpenAI API key; unset = the `openai` provider is listed unavailable (unless a base URL of an OpenAI-compatible server is set)',
    shown: 'unset',
    fallback: () => null,
    parse: text,
  }),
  setting({
    key: 'aiOpenaiBaseUrl',
    env: 'PITCHEY_AI_OPENAI_BASE_URL',
    area: 'ai',
    doc: 'base URL of the OpenAI API or of any OpenAI-compatible server (vLLM, LocalAI, LM Studio), e.g. `http://127.0.0.1:8000/v1`',
    shown: "the SDK's",
    fallback: () => null,
    parse: httpUrl,
  }),
  setting({
    key: 'aiAnthropicApiKey',
    env: 'PITCHEY_AI_ANTHROPIC_API_KEY',
    area: 'ai',
    secret: true,
    doc: 'Anthropic API key; unset = `anthropic` listed unavailable',
    shown: 'unset',
    fallback: () => null,
    parse: text,
  }),
  setting({ key: 'aiAnthropicBaseUrl', env: 'PITCHEY_AI_ANTHROPIC_BASE_URL', area: 'ai', doc: 'Anthropic API base URL', shown: "the SDK's", fallback: () => null, parse: httpUrl }),
  setting({
    key: 'aiOllamaBaseUrl',
    env: 'PITCHEY_AI_OLLAMA_BASE_URL',
    area: 'ai',
    doc: 'Ollama server (e.g. `http://127.0.0.1:11434`); it is the `local` provider; unset = unavailable',
    shown: 'unset',
    fallback: () => null,
    parse: httpUrl,
  }),
  /** Models each provider offers, first = its default. */
  setting({
    key: 'aiModels',
    env: 'PITCHEY_AI_MODELS',
    area: 'ai',
    doc: "models each provider offers, first = default: `openai=gpt-4o-mini|gpt-4.1-mini,anthropic=claude-haiku-4-5|claude-sonnet-4-5,ollama=llama3.2` (these are the defaults); Ollama's installed models are added when it answers",
    shown: 'see meaning',
    fallback: () => ({ openai: ['gpt-4o-mini', 'gpt-4.1-mini'], anthropic: ['claude-haiku-4-5', 'claude-sonnet-4-5'], ollama: ['llama3.2'] }),
    parse: pairs(aiTargets),
  }),
  /** Model aliases: a fallback chain of `provider:model` targets. */
  setting({
    key: 'aiAliases',
    env: 'PITCHEY_AI_ALIASES',
    area: 'ai',
    doc: 'model aliases, each a fallback chain: `fast=openai:gpt-4o-mini|anthropic:claude-haiku-4-5|ollama:llama3.2`',
    shown: 'none',
    fallback: (): Record<string, string[]> => ({}),
    parse: pairs(aiTargets),
  }),
  /** USD per million tokens `[in, out]`, keyed `provider:model`. */
  setting({
    key: 'aiPrices',
    env: 'PITCHEY_AI_PRICES',
    area: 'ai',
    doc: 'USD per million tokens in/out: `openai:gpt-4o-mini=0.15/0.6,…`; defaults for the default models; unpriced models cost 0 (reported as unpriced)',
    shown: 'see meaning',
    fallback: (): Record<string, [number, number]> => ({
      'openai:gpt-4o-mini': [0.15, 0.6],
      'openai:gpt-4.1-mini': [0.4, 1.6],
      'anthropic:claude-haiku-4-5': [1, 5],
      'anthropic:claude-sonnet-4-5': [3, 15],
    }),
    parse: pairs(aiPrice),
  }),
  /** USD per UTC month, keyed by principal id (`key:…`, `jwt:…`) or `*`. */
  setting({
    key: 'aiBudgets',
    env: 'PITCHEY_AI_BUDGETS',
    area: 'ai',
    doc: 'spending limit in USD per UTC month per caller: `*=20,key:1a2b3c4d5e6f=100` (principal ids as `/usage` shows them); unset = no limit',
    shown: 'none',
    fallback: (): Record<string, number> => ({}),
    parse: pairs(positive),
  }),
  /** Per provider (or `*`). */
  setting({
    key: 'aiTimeoutMs',
    env: 'PITCHEY_AI_TIMEOUT_MS',
    area: 'ai',
    doc: 'time one provider attempt may take (for a stream: to the first token and between tokens): `60000` or `openai=30000,*=60000`',
    shown: '60000',
    fallback: () => ({ '*': 60_000 }),
    parse: perProvider(60_000, 100, 600_000),
  }),
  setting({
    key: 'aiConcurrency',
    env: 'PITCHEY_AI_CONCURRENCY',
    area: 'ai',
    doc: 'requests in flight to one provider at once: `16` or `ollama=2,*=16`',
    shown: '16',
    fallback: () => ({ '*': 16 }),
    parse: perProvider(16, 1, 1_000),
  }),
  setting({
    key: 'aiRetries',
    env: 'PITCHEY_AI_RETRIES',
    area: 'ai',
    doc: 'retries of one provider after a 408/409/429/5xx or a dropped connection, with exponential backoff that honours `Retry-After`, before the next in the chain',
    fallback: () => 2,
    parse: integer(0, 10),
  }),
  setting({
    key: 'aiBreakerFailures',
    env: 'PITCHEY_AI_BREAKER_FAILURES',
    area: 'ai',
    doc: 'consecutive failures after which a provider is cooled down (skipped)',
    fallback: () => 5,
    parse: integer(1, 1_000),
  }),
  setting({
    key: 'aiBreakerCooldownMs',
    env: 'PITCHEY_AI_BREAKER_COOLDOWN_MS',
    area: 'ai',
    doc: 'how long a cooled-down provider is skipped before one trial request',
    fallback: () => 30_000,
    parse: integer(100, 3_600_000),
  }),
  setting({
    key: 'aiCacheTtlMs',
    env: 'PITCHEY_AI_CACHE_TTL_MS',
    area: 'ai',
    doc: 'how long a `/generate` answer is cached (keyed by the normalised request; `cache: false` bypasses); 0 = no cache',
    fallback: () => 600_000,
    parse: integer(0, 30 * 86_400_000),
  }),
  setting({
    key: 'aiCacheRedisUrl',
    env: 'PITCHEY_AI_CACHE_REDIS_URL',
    area: 'ai',
    secret: true,
    doc: 'keep the response cache in Redis (`redis://host:6379/0`) instead of memory',
    shown: 'unset (memory)',
    fallback: () => null,
    parse: httpUrl,
  }),
  /** Who judges /moderate and /v1/moderations by default: `offline`, `openai[:model]` or `guard:<model>`. */
  setting({
    key: 'aiModeration',
    env: 'PITCHEY_AI_MODERATION',
    area: 'ai',
    doc: "who judges `/moderate` and `/v1/moderations` unless the request names one: `offline` (the built-in checks), `openai` or `openai:<model>` (OpenAI's moderation endpoint, default `omni-moderation-latest`), or `guard:<model>` (a guard model such as Llama Guard, by any name `/v1/chat/completions` accepts, e.g. `guard:ollama:llama-guard3`); a provider judge that fails falls back to `offline`, and the answer says so",
    fallback: () => 'offline',
    parse: moderationJudge,
  }),
  /** Longest text per AI route, in characters; every route has one. */
  setting({
    key: 'aiTextLimits',
    env: 'PITCHEY_AI_TEXT_LIMITS',
    area: 'ai',
    doc: `longest text per route in characters: \`${pairsText(AI_TEXT_LIMITS)}\` (the contract's; these are the defaults); any other name is refused`,
    shown: 'see meaning',
    fallback: () => ({ ...AI_TEXT_LIMITS }),
    parse: aiTextLimits,
  }),
];
