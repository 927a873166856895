// The one config loader: settings come from the environment and an optional JSON file
// (environment wins), are validated once at start-up, and every bad value gets its own message.
// The settings themselves are declared, by area, in settings/.
import { readFileSync } from 'node:fs';
import { sharedLimitsOutOfReach } from './redis-url.js';
import { SETTINGS, SettingError, type Config } from './settings/index.js';

export { SETTINGS, NOTIFY_EVENTS, parseApiKeys, parseFaults, parseReceivers, parseUpstreams } from './settings/index.js';
export type { AiTextRoute, ApiKey, CodeLimits, Config, Faults, LogLevel, Mode, NotifyEvent, NotifyFormat, NotifyReceiver } from './settings/index.js';

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

/** Settings each valid alone that cannot work together. */
function combinationIssues(config: Config): string[] {
  if (config.dataPlane === 'nginx' && sharedLimitsOutOfReach(config)) {
    return [
      'PITCHEY_DATA_PLANE: nginx counts shared rate limits in Redis over plain TCP to an IP address (redis://host-ip:port/db); this PITCHEY_GATEWAY_STATE (TLS, a Unix socket or a host name) needs node or auto (which picks node for it), or PITCHEY_RATE_LIMIT=false',
    ];
  }
  return [];
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

/** A file value in its environment form: lists of words comma-separated, structures as JSON. */
function envForm(raw: unknown): string {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (Array.isArray(raw) && raw.every((v) => typeof v === 'string' || typeof v === 'number')) return raw.join(',');
  return JSON.stringify(raw);
}

/**
 * The settings file's values that the environment does not override, as environment variables:
 * what a process that cannot read the file (a container) is given instead of its path.
 */
export function fileSettingsEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const filePath = env[CONFIG_FILE_ENV];
  if (!filePath) return {};
  const file = readFileSettings(filePath, []);
  const out: Record<string, string> = {};
  for (const s of SETTINGS) {
    const raw = file[s.key];
    if (raw !== undefined && raw !== null && (env[s.env] === undefined || env[s.env] === '')) out[s.env] = envForm(raw);
  }
  return out;
}

/** Reads and validates the whole configuration; throws one ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const issues: string[] = [];
  const filePath = env[CONFIG_FILE_ENV];
  const file = filePath ? readFileSettings(filePath, issues) : {};
  const known = new Set<string>(SETTINGS.map((s) => s.key));
  for (const key of Object.keys(file)) if (!known.has(key)) issues.push(`${CONFIG_FILE_ENV}: unknown setting "${key}"`);
  const config: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const fromEnv = env[s.env];
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : file[s.key];
    if (raw === undefined || raw === null) {
      config[s.key] = s.fallback(config);
      continue;
    }
    try {
      config[s.key] = s.parse(raw);
    } catch (err) {
      if (!(err instanceof SettingError)) throw err;
      const shown = s.secret === true ? '' : ` (got ${JSON.stringify(raw)})`;
      issues.push(`${fromEnv !== undefined && fromEnv !== '' ? s.env : `${CONFIG_FILE_ENV} ${s.key}`}: ${err.message}${shown}`);
    }
  }
  if (issues.length === 0) issues.push(...combinationIssues(config as Config));
  if (issues.length === 0 && config.mode === 'production') issues.push(...productionIssues(config as Config));
  if (issues.length > 0) throw new ConfigError(issues);
  return config as Config;
}
