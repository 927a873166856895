// The one config loader: settings come from the environment and an optional JSON file
// (environment wins), are validated once at start-up, and every bad value gets its own message.
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { SIGNOFF_ROLES, TRACKS } from './roles.js';
import { parseProxyList } from './trusted-proxies.js';

export type Mode = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ApiKey { key: string; scopes: string[] }

export interface Config {
  mode: Mode;
  host: string;
  port: number | null;
  dataDir: string;
  logLevel: LogLevel;
  apiKeys: ApiKey[];
  jwtSecret: string | null;
  drainTimeoutMs: number;
  jobWaitMs: number;
  jobTtlMs: number;
  jobConcurrency: number;
  jobMaxAttempts: number;
  videoMaxUploadMb: number;
  mediaMaxDimension: number;
  mediaMaxPixels: number;
  mediaMaxDurationS: number;
  rateLimit: boolean;
  /** Peers whose X-Forwarded-For is believed; null = the role's default (services: loopback; gateway: none). */
  trustedProxies: string[] | null;
  /** How long the gateway holds an idempotent request while a service has no healthy instance. */
  gatewayWaitMs: number;
  version: string;
  track: string;
  upstreams: Record<string, string[]>;
  faults: Faults | null;
  deployEnv: string;
  analysisIntervalMs: number;
  analysisWindowMs: number;
  /** Sign-off roles a promotion waits for; null = the default for the environment. */
  signoffs: string[] | null;
  signoffTtlMs: number;
  signoffTimeoutMs: number;
  validationPhasesMs: [number, number, number];
  hlsSegmentSeconds: number;
  mediaMaxUploadMb: number;
  livePorts: [number, number];
  liveHost: string;
  liveIdleTimeoutMs: number;
  liveMaxMs: number;
  /** Document processor: folder of user PDF templates; null = `<data>/services/document/templates`. */
  docTemplatesDir: string | null;
  docMaxPages: number;
  ocrMaxPages: number;
  ocrTimeoutMs: number;
  aiOpenaiApiKey: string | null;
  aiOpenaiBaseUrl: string | null;
  aiAnthropicApiKey: string | null;
  aiAnthropicBaseUrl: string | null;
  aiOllamaBaseUrl: string | null;
  /** Models each provider offers, first = its default. */
  aiModels: Record<string, string[]>;
  /** Model aliases: a fallback chain of `provider:model` targets. */
  aiAliases: Record<string, string[]>;
  /** USD per million tokens `[in, out]`, keyed `provider:model`. */
  aiPrices: Record<string, [number, number]>;
  /** USD per UTC month, keyed by principal id (`key:…`, `jwt:…`) or `*`. */
  aiBudgets: Record<string, number>;
  /** Per provider (or `*`). */
  aiTimeoutMs: Record<string, number>;
  aiConcurrency: Record<string, number>;
  aiRetries: number;
  aiBreakerFailures: number;
  aiBreakerCooldownMs: number;
  aiCacheTtlMs: number;
  aiCacheRedisUrl: string | null;
  /** Who judges /moderate and /v1/moderations by default: `offline`, `openai[:model]` or `guard:<model>`. */
  aiModeration: string;
  /** Longest text per AI route, in characters; every route has one. */
  aiTextLimits: Record<AiTextRoute, number>;
  /** Code executor: programs run at once (default: the machine's cores) and runs waiting beyond them. */
  codeConcurrency: number;
  codeQueue: number;
  /** Code executor: limits a run gets when the request names none, and the most a request may ask for. */
  codeLimits: CodeLimits;
  codeMaxLimits: CodeLimits;
  /** Code executor: a delegated cgroup (path inside each hierarchy) to nest run groups under; null = the service's own + /pitchey-code. */
  codeCgroup: string | null;
  /** Code executor: where the sandbox's run folders are made (every ancestor searchable by the sandbox uid). */
  codeWorkDir: string;
  /** Code executor: deadline of a TypeScript type check in /validate. */
  codeTypecheckMs: number;
  /** Where the controller runs instances: supervised local processes, or containers from images. */
  driver: 'local' | 'docker';
  /** Docker Engine API endpoint (`unix:///path.sock` or `tcp://host:2375`); null = DOCKER_HOST, else /var/run/docker.sock. */
  dockerHost: string | null;
  /** Ed25519 public keys (PEM files) an image's signature must verify against before the docker driver runs it. */
  imageTrustedKeys: string[];
  /** Ed25519 private key (PEM file) `pitchey image build` signs with; null = the data dir's development key. */
  imageSigningKey: string | null;
}

/** Per-run sandbox limits, in the units the API uses. */
export interface CodeLimits { cpu_ms: number; wall_ms: number; memory_mb: number; output_kb: number; processes: number }

const CODE_LIMIT_RANGES: Record<keyof CodeLimits, [number, number]> = {
  cpu_ms: [100, 600_000], wall_ms: [100, 600_000], memory_mb: [16, 65_536], output_kb: [1, 65_536], processes: [1, 4_096],
};

/** `cpu_ms=10000,wall_ms=30000,memory_mb=256,output_kb=1024,processes=64` (any subset over `base`). */
function codeLimits(base: CodeLimits) {
  return (raw: unknown): CodeLimits => {
    const out = { ...base };
    for (const part of text(raw).split(',').filter((p) => p.trim() !== '')) {
      const [name = '', value = ''] = part.trim().split('=');
      const range = CODE_LIMIT_RANGES[name as keyof CodeLimits];
      if (range === undefined) throw new SettingError(`unknown limit "${name}" (cpu_ms, wall_ms, memory_mb, output_kb, processes)`);
      out[name as keyof CodeLimits] = integer(range[0], range[1])(value, name);
    }
    return out;
  };
}

const CODE_DEFAULT_LIMITS: CodeLimits = { cpu_ms: 10_000, wall_ms: 30_000, memory_mb: 256, output_kb: 1024, processes: 64 };
const CODE_MAX_LIMITS: CodeLimits = { cpu_ms: 30_000, wall_ms: 50_000, memory_mb: 1024, output_kb: 4096, processes: 256 };

/** Fault injection for tests and game days: a share of 500s, added latency, a crash after N requests. */
export interface Faults { errorRate: number; latencyMs: number; crashAfter: number | null; after: number }

/** `errors=0.2,latencyMs=100,crashAfter=500,after=10` (any subset; `after`: healthy for the first N requests). */
export function parseFaults(raw: unknown): Faults | null {
  const spec = text(raw);
  if (spec === '' || spec === 'none') return null;
  const faults: Faults = { errorRate: 0, latencyMs: 0, crashAfter: null, after: 0 };
  for (const part of spec.split(',')) {
    const [name = '', value = ''] = part.trim().split('=');
    const n = Number(value);
    if (name === 'errors' && n >= 0 && n <= 1) faults.errorRate = n;
    else if (name === 'latencyMs' && Number.isInteger(n) && n >= 0 && n <= 600_000) faults.latencyMs = n;
    else if (name === 'crashAfter' && Number.isInteger(n) && n > 0) faults.crashAfter = n;
    else if (name === 'after' && Number.isInteger(n) && n >= 0) faults.after = n;
    else throw new SettingError(`"${part}" must be errors=<0..1>, latencyMs=<ms>, crashAfter=<n> or after=<n>`);
  }
  return faults;
}

interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  doc: string;
  fallback: (partial: Partial<Config>) => Config[K];
  parse: (raw: unknown) => Config[K];
}

class SettingError extends Error {}

function text(raw: unknown): string {
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new SettingError('must be a string');
  return String(raw).trim();
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: unknown): T => {
    const v = text(raw);
    if (!(values as readonly string[]).includes(v)) throw new SettingError(`must be one of ${values.join(', ')}`);
    return v as T;
  };
}

/** The one integer range rule; `name` says which value is wrong when a setting holds several. */
function integer(min: number, max: number) {
  return (raw: unknown, name?: string): number => {
    const v = typeof raw === 'number' ? raw : Number(text(raw));
    if (!Number.isInteger(v) || v < min || v > max) throw new SettingError(`${name === undefined ? '' : `"${name}" `}must be an integer from ${min} to ${max}`);
    return v;
  };
}

function bool(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const v = text(raw).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new SettingError('must be true or false');
}

const SCOPE = /^(\*|[a-z][a-z0-9-]*)$/;

/** `key[:scope+scope],key2` in the environment, or `[{key, scopes}]` in the file. */
export function parseApiKeys(raw: unknown): ApiKey[] {
  const entries: ApiKey[] = Array.isArray(raw)
    ? raw.map((e: unknown) => {
        const o = e as { key?: unknown; scopes?: unknown };
        return { key: text(o.key), scopes: Array.isArray(o.scopes) ? o.scopes.map(text) : ['*'] };
      })
    : text(raw).split(',').filter((s) => s.trim() !== '').map((entry) => {
        const [key = '', scopes] = entry.trim().split(':');
        return { key, scopes: scopes === undefined ? ['*'] : scopes.split('+') };
      });
  entries.forEach((e, i) => {
    if (e.key.length < 16) throw new SettingError(`key #${i + 1} is shorter than 16 characters`);
    const bad = e.scopes.find((s) => !SCOPE.test(s));
    if (bad !== undefined) throw new SettingError(`key #${i + 1} has an invalid scope "${bad}"`);
  });
  return entries;
}

/** `video=http://a:8081|http://b:8081,ai=http://c:8083` — the gateway's upstreams when run standalone. */
export function parseUpstreams(raw: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of text(raw).split(',').filter((e) => e.trim() !== '')) {
    const [name = '', urls = ''] = entry.trim().split('=');
    if (!/^[a-z]+$/.test(name)) throw new SettingError(`"${entry}" must look like name=http://host:port`);
    out[name] = urls.split('|').map((u) => {
      let url: URL;
      try { url = new URL(u); } catch { throw new SettingError(`"${u}" is not a URL`); }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError(`"${u}" must be http or https`);
      return url.origin;
    });
  }
  return out;
}

function httpUrl(raw: unknown): string {
  const v = text(raw);
  let url: URL;
  try { url = new URL(v); } catch { throw new SettingError('is not a URL'); }
  if (!['http:', 'https:', 'redis:', 'rediss:'].includes(url.protocol)) throw new SettingError('must be an http(s) or redis URL');
  return v.replace(/\/+$/, '');
}

/** `name=value,name2=value2` → entries; each value parsed by `value`. */
function pairs<T>(value: (v: string, name: string) => T) {
  return (raw: unknown): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const entry of text(raw).split(',').map((e) => e.trim()).filter(Boolean)) {
      const at = entry.lastIndexOf('=');
      const name = entry.slice(0, at).trim();
      if (at <= 0 || name === '') throw new SettingError(`"${entry}" must look like name=value`);
      out[name] = value(entry.slice(at + 1).trim(), name);
    }
    return out;
  };
}

const aiTargets = (v: string, name: string): string[] => {
  const list = v.split('|').map((t) => t.trim()).filter(Boolean);
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

const SECRET_SETTINGS = new Set<string>(['apiKeys', 'jwtSecret', 'aiOpenaiApiKey', 'aiAnthropicApiKey', 'aiCacheRedisUrl']);

const SIGNOFF_ROLE_NAMES: readonly string[] = Object.keys(SIGNOFF_ROLES);

export const SETTINGS: Setting<keyof Config>[] = [
  { key: 'mode', env: 'PITCHEY_ENV', doc: '`development`, `test` or `production`; production refuses weak secrets and fault injection', fallback: () => 'development', parse: oneOf(['development', 'test', 'production'] as const) },
  { key: 'host', env: 'PITCHEY_HOST', doc: 'address to listen on (`0.0.0.0` in containers)', fallback: () => '127.0.0.1', parse: text },
  { key: 'port', env: 'PITCHEY_PORT', doc: 'port to listen on; default the role\'s home port (`0` = any free port)', fallback: () => null, parse: integer(0, 65535) },
  { key: 'dataDir', env: 'PITCHEY_DATA_DIR', doc: 'where jobs, uploads, outputs and controller state live', fallback: () => resolve('.pitchey'), parse: (raw) => resolve(text(raw)) },
  { key: 'logLevel', env: 'PITCHEY_LOG_LEVEL', doc: 'pino level: fatal … trace, or silent', fallback: () => 'info', parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) },
  { key: 'apiKeys', env: 'PITCHEY_API_KEYS', doc: 'comma-separated `key[:scope+scope]` (scopes: a service name, `admin` or `*`); ≥ 16 chars, ≥ 32 in production', fallback: () => [], parse: parseApiKeys },
  { key: 'jwtSecret', env: 'PITCHEY_JWT_SECRET', doc: 'HS256 secret for `Authorization: Bearer` tokens; ≥ 32 chars in production; unset = JWT disabled', fallback: () => null, parse: text },
  { key: 'drainTimeoutMs', env: 'PITCHEY_DRAIN_TIMEOUT_MS', doc: 'how long SIGTERM waits for in-flight requests and jobs; then requests still open are cut and jobs requeued (`pitchey up` SIGKILLs an instance still alive 2 s later)', fallback: () => 10_000, parse: integer(0, 600_000) },
  { key: 'jobWaitMs', env: 'PITCHEY_JOB_WAIT_MS', doc: 'how long a request without `?async=true` waits for its job before answering 202', fallback: () => 30_000, parse: integer(0, 3_600_000) },
  { key: 'jobTtlMs', env: 'PITCHEY_JOB_TTL_MS', doc: 'how long finished jobs and their outputs are kept', fallback: () => 3_600_000, parse: integer(1_000, 30 * 86_400_000) },
  { key: 'jobConcurrency', env: 'PITCHEY_JOB_CONCURRENCY', doc: 'jobs one instance runs at once', fallback: () => 2, parse: integer(1, 256) },
  { key: 'jobMaxAttempts', env: 'PITCHEY_JOB_MAX_ATTEMPTS', doc: 'runs a job gets: one cut short by its instance dying (or by an unexpected error) is run again while any remain; a refused input is never retried', fallback: () => 3, parse: integer(1, 20) },
  { key: 'videoMaxUploadMb', env: 'PITCHEY_VIDEO_MAX_UPLOAD_MB', doc: 'video: largest upload in MiB (413 beyond it, before the body is read whole)', fallback: () => 500, parse: integer(1, 102_400) },
  { key: 'mediaMaxDimension', env: 'PITCHEY_MEDIA_MAX_DIMENSION', doc: 'video and media: widest or tallest frame a probed file may declare, in pixels; beyond it the file is refused before decoding', fallback: () => 8192, parse: integer(64, 65_536) },
  { key: 'mediaMaxPixels', env: 'PITCHEY_MEDIA_MAX_PIXELS', doc: 'video and media: most pixels per frame a probed file may declare (default 8192×4320)', fallback: () => 35_389_440, parse: integer(4_096, 1_073_741_824) },
  { key: 'mediaMaxDurationS', env: 'PITCHEY_MEDIA_MAX_DURATION_S', doc: 'video and media: longest duration a probed file may declare, in seconds', fallback: () => 21_600, parse: integer(1, 7 * 86_400) },
  { key: 'rateLimit', env: 'PITCHEY_RATE_LIMIT', doc: 'per-client rate limits from the contract, the gateway\'s per prefix and the AI routes\' per minute (`true`/`false`)', fallback: () => true, parse: bool },
  { key: 'trustedProxies', env: 'PITCHEY_TRUSTED_PROXIES', doc: 'peers whose `X-Forwarded-For` is believed (client address for rate limits and logs): comma list of addresses or CIDR ranges, or `none`; default loopback for the services (the gateway in front of them) and none for the gateway, which is the edge', fallback: () => null, parse: (raw) => { const v = text(raw); if (v === 'none') return []; try { return parseProxyList(v); } catch (err) { throw new SettingError((err as Error).message); } } },
  { key: 'gatewayWaitMs', env: 'PITCHEY_GATEWAY_WAIT_MS', doc: 'gateway: how long an idempotent request without a body (GET, HEAD, …) waits for a healthy instance when a service has none (one restarting after a crash) before it is answered 502', fallback: () => 10_000, parse: integer(0, 60_000) },
  { key: 'version', env: 'PITCHEY_VERSION', doc: 'release version this instance reports in metrics and `/health`', fallback: () => 'dev', parse: text },
  { key: 'upstreams', env: 'PITCHEY_UPSTREAMS', doc: 'gateway upstreams when run standalone: `video=http://host:8081|http://host2:8081,ai=…`; default each service on 127.0.0.1 at its home port', fallback: () => ({}), parse: parseUpstreams },
  { key: 'faults', env: 'PITCHEY_FAULTS', doc: 'fault injection for tests and game days: `errors=0.2,latencyMs=100,crashAfter=500,after=10` (`after`: the first N requests are served normally); refused in production', fallback: () => null, parse: parseFaults },
  { key: 'deployEnv', env: 'PITCHEY_DEPLOY_ENV', doc: 'the environment this platform\'s controller deploys to (locks and history are per environment)', fallback: () => 'local', parse: (raw) => { const v = text(raw); if (!/^[a-z][a-z0-9-]{0,31}$/.test(v)) throw new SettingError('must be a short lower-case name'); return v; } },
  { key: 'analysisIntervalMs', env: 'PITCHEY_ANALYSIS_INTERVAL_MS', doc: 'how often the controller analyses a live deployment', fallback: () => 1_000, parse: integer(100, 600_000) },
  { key: 'analysisWindowMs', env: 'PITCHEY_ANALYSIS_WINDOW_MS', doc: 'the window of traffic each analysis looks at (canary and stable side by side)', fallback: () => 30_000, parse: integer(1_000, 3_600_000) },
  { key: 'signoffs', env: 'PITCHEY_SIGNOFFS', doc: `sign-off roles a promotion waits for (comma list of ${SIGNOFF_ROLE_NAMES.join(', ')}, or \`none\`); default all six when the deploy environment is \`production\`, none otherwise`, fallback: () => null, parse: (raw) => { const v = text(raw); if (v === 'none') return []; const roles = v.split(',').map((r) => r.trim()).filter(Boolean); const bad = roles.find((r) => !SIGNOFF_ROLE_NAMES.includes(r)); if (bad !== undefined) throw new SettingError(`unknown role "${bad}"`); return roles; } },
  { key: 'signoffTtlMs', env: 'PITCHEY_SIGNOFF_TTL_MS', doc: 'how long a sign-off stays valid', fallback: () => 86_400_000, parse: integer(60_000, 30 * 86_400_000) },
  { key: 'signoffTimeoutMs', env: 'PITCHEY_SIGNOFF_TIMEOUT_MS', doc: 'how long a promotion waits for missing sign-offs before the deployment is rolled back', fallback: () => 14_400_000, parse: integer(1_000, 7 * 86_400_000) },
  { key: 'validationPhasesMs', env: 'PITCHEY_VALIDATION_PHASES_MS', doc: 'post-deployment validation phases (immediate, extended, final) in ms; a breach in the first rolls back', fallback: () => [900_000, 2_700_000, 82_800_000], parse: (raw) => { const parts = text(raw).split(',').map((p) => Number(p.trim())); if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 1_000)) throw new SettingError('must be three durations in ms (each ≥ 1000), e.g. 900000,2700000,82800000'); return parts as [number, number, number]; } },
  { key: 'hlsSegmentSeconds', env: 'PITCHEY_HLS_SEGMENT_SECONDS', doc: 'media: segment length of HLS and DASH ladders, in seconds (keyframes every 2 s in every rung)', fallback: () => 6, parse: (raw) => { const v = integer(2, 20)(raw); if (v % 2 !== 0) throw new SettingError('must be an even number of seconds (a multiple of the 2 s keyframe interval)'); return v; } },
  { key: 'mediaMaxUploadMb', env: 'PITCHEY_MEDIA_MAX_UPLOAD_MB', doc: 'media: largest upload for /hls-transcode and /dash in MiB (413 beyond it, before the body is read whole)', fallback: () => 1024, parse: integer(1, 102_400) },
  { key: 'livePorts', env: 'PITCHEY_LIVE_PORTS', doc: 'media: port range for live ingest listeners, TCP for RTMP and UDP for SRT (one port per live stream)', fallback: () => [19350, 19399], parse: (raw) => { const m = /^(\d{1,5})-(\d{1,5})$/.exec(text(raw)); const [a, b] = [Number(m?.[1]), Number(m?.[2])]; if (m === null || a < 1024 || b > 65535 || a > b) throw new SettingError('must be a range like 19350-19399 (ports 1024..65535)'); return [a, b] as [number, number]; } },
  { key: 'liveHost', env: 'PITCHEY_LIVE_HOST', doc: 'media: address the RTMP and SRT ingest listeners bind to; default PITCHEY_HOST', fallback: (partial) => partial.host ?? '127.0.0.1', parse: text },
  { key: 'liveIdleTimeoutMs', env: 'PITCHEY_LIVE_IDLE_TIMEOUT_MS', doc: 'media: how long a live ingest waits for a publisher, or for data once live, before it ends', fallback: () => 30_000, parse: integer(1_000, 3_600_000) },
  { key: 'liveMaxMs', env: 'PITCHEY_LIVE_MAX_MS', doc: 'media: longest a live stream may run', fallback: () => 14_400_000, parse: integer(10_000, 7 * 86_400_000) },
  { key: 'docTemplatesDir', env: 'PITCHEY_DOC_TEMPLATES_DIR', doc: 'folder of user PDF templates (`<name>.json`) for the document processor; default `<data>/services/document/templates`', fallback: () => null, parse: (raw) => resolve(text(raw)) },
  { key: 'docMaxPages', env: 'PITCHEY_DOC_MAX_PAGES', doc: 'most pages a PDF given to the document processor may have (more is a 422)', fallback: () => 1_000, parse: integer(1, 100_000) },
  { key: 'ocrMaxPages', env: 'PITCHEY_OCR_MAX_PAGES', doc: 'most pages one OCR request may recognise', fallback: () => 50, parse: integer(1, 10_000) },
  { key: 'ocrTimeoutMs', env: 'PITCHEY_OCR_TIMEOUT_MS', doc: 'time limit of one OCR run (request or job)', fallback: () => 600_000, parse: integer(1_000, 86_400_000) },
  { key: 'codeConcurrency', env: 'PITCHEY_CODE_CONCURRENCY', doc: 'code executor: programs run at once per instance; default the number of cores', fallback: () => availableParallelism(), parse: integer(1, 256) },
  { key: 'codeQueue', env: 'PITCHEY_CODE_QUEUE', doc: 'code executor: runs that may wait for a free slot; beyond it 429 with Retry-After', fallback: () => 32, parse: integer(0, 10_000) },
  { key: 'codeLimits', env: 'PITCHEY_CODE_LIMITS', doc: 'code executor: default per-run limits `cpu_ms=10000,wall_ms=30000,memory_mb=256,output_kb=1024,processes=64` (any subset)', fallback: () => CODE_DEFAULT_LIMITS, parse: codeLimits(CODE_DEFAULT_LIMITS) },
  { key: 'codeMaxLimits', env: 'PITCHEY_CODE_MAX_LIMITS', doc: 'code executor: the most a request may ask for, same form; default `cpu_ms=30000,wall_ms=50000,memory_mb=1024,output_kb=4096,processes=256`', fallback: () => CODE_MAX_LIMITS, parse: codeLimits(CODE_MAX_LIMITS) },
  { key: 'codeCgroup', env: 'PITCHEY_CODE_CGROUP', doc: 'code executor: a delegated cgroup path (inside each hierarchy) for sandbox run groups; default `<the service\'s own cgroup>/pitchey-code`', fallback: () => null, parse: (raw) => { const v = text(raw); if (!/^\/[\w./-]*$/.test(v) || v.includes('..')) throw new SettingError('must be an absolute cgroup path like /pitchey/code'); return v; } },
  { key: 'codeWorkDir', env: 'PITCHEY_CODE_WORK_DIR', doc: 'code executor: where the sandbox makes its run folders (each removed after its run); every ancestor must be searchable by the sandbox uid 65534', fallback: () => tmpdir(), parse: (raw) => resolve(text(raw)) },
  { key: 'codeTypecheckMs', env: 'PITCHEY_CODE_TYPECHECK_MS', doc: 'code executor: deadline of a TypeScript type check in `/validate`', fallback: () => 5_000, parse: integer(100, 120_000) },
  { key: 'driver', env: 'PITCHEY_DRIVER', doc: 'where `pitchey up` and the controller run service instances: `local` (supervised processes from release folders) or `docker` (containers from the signed `pitchey/<role>:<version>` images)', fallback: () => 'local', parse: oneOf(['local', 'docker'] as const) },
  { key: 'dockerHost', env: 'PITCHEY_DOCKER_HOST', doc: 'docker driver and `pitchey image`: the Docker Engine API endpoint, `unix:///run/docker.sock` or `tcp://host:2375`; default `DOCKER_HOST`, else `/var/run/docker.sock`', fallback: () => null, parse: (raw) => { const v = text(raw); if (!/^(unix:\/\/\/|tcp:\/\/)\S+$/.test(v)) throw new SettingError('must be unix:///path/to/docker.sock or tcp://host:port'); return v; } },
  { key: 'imageTrustedKeys', env: 'PITCHEY_IMAGE_TRUSTED_KEYS', doc: 'docker driver: comma-separated Ed25519 public key files (PEM); an image runs only when its signature verifies against one of them. Required in production with the docker driver; unset elsewhere = the data dir\'s development key', fallback: () => [], parse: (raw) => text(raw).split(',').map((p) => p.trim()).filter(Boolean).map((p) => resolve(p)) },
  { key: 'imageSigningKey', env: 'PITCHEY_IMAGE_SIGNING_KEY', doc: '`pitchey image build`: the Ed25519 private key file (PEM) that signs each image digest and SBOM; default a development key made once in the data dir (`keys/`), refused in production', fallback: () => null, parse: (raw) => resolve(text(raw)) },
  { key: 'track', env: 'PITCHEY_TRACK', doc: `traffic track this instance belongs to (${TRACKS.join(', ')})`, fallback: () => 'stable', parse: oneOf(TRACKS) },
  { key: 'aiOpenaiApiKey', env: 'PITCHEY_AI_OPENAI_API_KEY', doc: 'ai: OpenAI API key; unset = the `openai` provider is listed unavailable (unless a base URL of an OpenAI-compatible server is set)', fallback: () => null, parse: text },
  { key: 'aiOpenaiBaseUrl', env: 'PITCHEY_AI_OPENAI_BASE_URL', doc: 'ai: base URL of the OpenAI API or of any OpenAI-compatible server (vLLM, LocalAI, LM Studio), e.g. `http://127.0.0.1:8000/v1`; default the SDK\'s', fallback: () => null, parse: httpUrl },
  { key: 'aiAnthropicApiKey', env: 'PITCHEY_AI_ANTHROPIC_API_KEY', doc: 'ai: Anthropic API key; unset = `anthropic` listed unavailable', fallback: () => null, parse: text },
  { key: 'aiAnthropicBaseUrl', env: 'PITCHEY_AI_ANTHROPIC_BASE_URL', doc: 'ai: Anthropic API base URL; default the SDK\'s', fallback: () => null, parse: httpUrl },
  { key: 'aiOllamaBaseUrl', env: 'PITCHEY_AI_OLLAMA_BASE_URL', doc: 'ai: Ollama server (e.g. `http://127.0.0.1:11434`); it is the `local` provider; unset = unavailable', fallback: () => null, parse: httpUrl },
  { key: 'aiModels', env: 'PITCHEY_AI_MODELS', doc: 'ai: models each provider offers, first = default: `openai=gpt-4o-mini|gpt-4.1-mini,anthropic=claude-haiku-4-5|claude-sonnet-4-5,ollama=llama3.2` (these are the defaults); Ollama\'s installed models are added when it answers', fallback: () => ({ openai: ['gpt-4o-mini', 'gpt-4.1-mini'], anthropic: ['claude-haiku-4-5', 'claude-sonnet-4-5'], ollama: ['llama3.2'] }), parse: pairs(aiTargets) },
  { key: 'aiAliases', env: 'PITCHEY_AI_ALIASES', doc: 'ai: model aliases, each a fallback chain: `fast=openai:gpt-4o-mini|anthropic:claude-haiku-4-5|ollama:llama3.2`', fallback: () => ({}), parse: pairs(aiTargets) },
  { key: 'aiPrices', env: 'PITCHEY_AI_PRICES', doc: 'ai: USD per million tokens in/out: `openai:gpt-4o-mini=0.15/0.6,…`; defaults for the default models; unpriced models cost 0 (reported as unpriced)', fallback: () => ({ 'openai:gpt-4o-mini': [0.15, 0.6], 'openai:gpt-4.1-mini': [0.4, 1.6], 'anthropic:claude-haiku-4-5': [1, 5], 'anthropic:claude-sonnet-4-5': [3, 15] }), parse: pairs(aiPrice) },
  { key: 'aiBudgets', env: 'PITCHEY_AI_BUDGETS', doc: 'ai: spending limit in USD per UTC month per caller: `*=20,key:1a2b3c4d5e6f=100` (principal ids as `/usage` shows them); unset = no limit', fallback: () => ({}), parse: pairs(positive) },
  { key: 'aiTimeoutMs', env: 'PITCHEY_AI_TIMEOUT_MS', doc: 'ai: time one provider attempt may take (for a stream: to the first token and between tokens): `60000` or `openai=30000,*=60000`', fallback: () => ({ '*': 60_000 }), parse: perProvider(60_000, 100, 600_000) },
  { key: 'aiConcurrency', env: 'PITCHEY_AI_CONCURRENCY', doc: 'ai: requests in flight to one provider at once: `16` or `ollama=2,*=16`', fallback: () => ({ '*': 16 }), parse: perProvider(16, 1, 1_000) },
  { key: 'aiRetries', env: 'PITCHEY_AI_RETRIES', doc: 'ai: retries of one provider after a 408/409/429/5xx or a dropped connection, with exponential backoff that honours `Retry-After`, before the next in the chain', fallback: () => 2, parse: integer(0, 10) },
  { key: 'aiBreakerFailures', env: 'PITCHEY_AI_BREAKER_FAILURES', doc: 'ai: consecutive failures after which a provider is cooled down (skipped)', fallback: () => 5, parse: integer(1, 1_000) },
  { key: 'aiBreakerCooldownMs', env: 'PITCHEY_AI_BREAKER_COOLDOWN_MS', doc: 'ai: how long a cooled-down provider is skipped before one trial request', fallback: () => 30_000, parse: integer(100, 3_600_000) },
  { key: 'aiCacheTtlMs', env: 'PITCHEY_AI_CACHE_TTL_MS', doc: 'ai: how long a `/generate` answer is cached (keyed by the normalised request; `cache: false` bypasses); 0 = no cache', fallback: () => 600_000, parse: integer(0, 30 * 86_400_000) },
  { key: 'aiCacheRedisUrl', env: 'PITCHEY_AI_CACHE_REDIS_URL', doc: 'ai: keep the response cache in Redis (`redis://host:6379/0`) instead of memory', fallback: () => null, parse: httpUrl },
  { key: 'aiModeration', env: 'PITCHEY_AI_MODERATION', doc: 'ai: who judges `/moderate` and `/v1/moderations` unless the request names one: `offline` (the built-in checks), `openai` or `openai:<model>` (OpenAI\'s moderation endpoint, default `omni-moderation-latest`), or `guard:<model>` (a guard model such as Llama Guard, by any name `/v1/chat/completions` accepts, e.g. `guard:ollama:llama-guard3`); a provider judge that fails falls back to `offline`, and the answer says so', fallback: () => 'offline', parse: moderationJudge },
  { key: 'aiTextLimits', env: 'PITCHEY_AI_TEXT_LIMITS', doc: 'ai: longest text per route in characters: `analyze=10000,generate=2000,classify=1000,moderate=10000` (the contract\'s; these are the defaults); any other name is refused', fallback: () => ({ ...AI_TEXT_LIMITS }), parse: aiTextLimits },
];

export const CONFIG_FILE_ENV = 'PITCHEY_CONFIG_FILE';

/** Thrown with every bad value at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const WEAK_SECRETS = new Set(['secret', 'changeme', 'change-me', 'password', 'default', 'dev-secret', 'your-secret-key']);

function productionIssues(config: Config): string[] {
  const issues: string[] = [];
  if (config.faults !== null) issues.push('PITCHEY_FAULTS: fault injection is refused in production');
  if (config.jwtSecret !== null && (config.jwtSecret.length < 32 || WEAK_SECRETS.has(config.jwtSecret.toLowerCase()))) {
    issues.push('PITCHEY_JWT_SECRET: production needs a random secret of at least 32 characters');
  }
  if (config.apiKeys.length === 0 && config.jwtSecret === null) issues.push('PITCHEY_API_KEYS: production needs at least one API key or a JWT secret');
  config.apiKeys.forEach((k, i) => {
    if (k.key.length < 32 || WEAK_SECRETS.has(k.key.toLowerCase())) issues.push(`PITCHEY_API_KEYS: key #${i + 1} must be at least 32 random characters in production`);
  });
  if (config.driver === 'docker' && config.imageTrustedKeys.length === 0) issues.push('PITCHEY_IMAGE_TRUSTED_KEYS: production with the docker driver needs the public keys images must be signed with');
  return issues;
}

function readFileSettings(path: string, issues: string[]): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    issues.push(`${CONFIG_FILE_ENV}: cannot read ${path}: ${(err as Error).message}`);
    return {};
  }
}

/** Reads and validates the whole configuration; throws one ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const issues: string[] = [];
  const filePath = env[CONFIG_FILE_ENV];
  const file = filePath ? readFileSettings(filePath, issues) : {};
  const known = new Set<string>(SETTINGS.map((s) => s.key));
  for (const key of Object.keys(file)) if (!known.has(key)) issues.push(`${CONFIG_FILE_ENV}: unknown setting "${key}"`);
  const config: Partial<Record<keyof Config, unknown>> = {};
  for (const s of SETTINGS) {
    const fromEnv = env[s.env];
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : file[s.key];
    if (raw === undefined || raw === null) { config[s.key] = s.fallback(config as Partial<Config>); continue; }
    try {
      config[s.key] = s.parse(raw);
    } catch (err) {
      if (!(err instanceof SettingError)) throw err;
      const shown = SECRET_SETTINGS.has(s.key) ? '' : ` (got ${JSON.stringify(raw)})`;
      issues.push(`${fromEnv !== undefined && fromEnv !== '' ? s.env : `${CONFIG_FILE_ENV} ${s.key}`}: ${err.message}${shown}`);
    }
  }
  if (issues.length === 0 && config.mode === 'production') issues.push(...productionIssues(config as Config));
  if (issues.length > 0) throw new ConfigError(issues);
  return config as Config;
}
