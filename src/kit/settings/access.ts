// Access settings: who may call (API keys, JWTs), how often, and whose forwarded address is believed.
import { parseProxyList } from '../trusted-proxies.js';
import { bool, text, SettingError } from './parsers.js';
import { setting } from './setting.js';

export interface ApiKey {
  key: string;
  scopes: string[];
  /** The person the key belongs to: sign-offs and the audit log name them. Absent for a machine's key. */
  holder?: string;
}

const SCOPE = /^(\*|[a-z][a-z0-9-]*)$/;
const HOLDER = /^[\w.-]{1,64}$/;
const ENTRY = /^([^:@]*)(?::([^@]*))?(?:@(.*))?$/;

function jsonList(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new SettingError('starts with "[" but is not a JSON array of {key, scopes, holder}');
  }
}

/** `key[:scope+scope][@holder],key2` in the environment, or `[{key, scopes, holder}]` (the file's form). */
export function parseApiKeys(input: unknown): ApiKey[] {
  // The file's form may also come as JSON text (the settings file handed on as variables).
  const raw = typeof input === 'string' && input.trim().startsWith('[') ? jsonList(input) : input;
  const entries: ApiKey[] = Array.isArray(raw)
    ? raw.map((e: unknown) => {
        const o = e as { key?: unknown; scopes?: unknown; holder?: unknown };
        return { key: text(o.key), scopes: Array.isArray(o.scopes) ? o.scopes.map(text) : ['*'], ...(o.holder === undefined ? {} : { holder: text(o.holder) }) };
      })
    : text(raw)
        .split(',')
        .filter((s) => s.trim() !== '')
        .map((entry) => {
          const [, key = '', scopes, holder] = ENTRY.exec(entry.trim()) ?? [];
          return { key, scopes: scopes === undefined ? ['*'] : scopes.split('+'), ...(holder === undefined ? {} : { holder }) };
        });
  entries.forEach((e, i) => {
    if (e.key.length < 16) throw new SettingError(`key #${i + 1} is shorter than 16 characters`);
    const bad = e.scopes.find((s) => !SCOPE.test(s));
    if (bad !== undefined) throw new SettingError(`key #${i + 1} has an invalid scope "${bad}"`);
    if (e.holder !== undefined && !HOLDER.test(e.holder)) throw new SettingError(`key #${i + 1} has an invalid holder "${e.holder}" (letters, digits, . _ -)`);
  });
  return entries;
}

/** `none`, or addresses and CIDR ranges. */
function trustedProxies(raw: unknown): string[] {
  const v = text(raw);
  if (v === 'none') return [];
  try {
    return parseProxyList(v);
  } catch (err) {
    throw new SettingError((err as Error).message);
  }
}

export const ACCESS_SETTINGS = [
  setting({
    key: 'apiKeys',
    env: 'PITCHEY_API_KEYS',
    area: 'access',
    secret: true,
    doc: 'comma-separated `key[:scope+scope][@holder]` (scopes: a service name, `admin`, `*`, or a sign-off role such as `qa-lead`; the holder is the person the key belongs to, whom sign-offs and the audit log name); ≥ 16 chars, ≥ 32 in production',
    shown: 'none (dev key outside production)',
    fallback: (): ApiKey[] => [],
    parse: parseApiKeys,
  }),
  setting({
    key: 'jwtSecret',
    env: 'PITCHEY_JWT_SECRET',
    area: 'access',
    secret: true,
    doc: 'HS256 secret for `Authorization: Bearer` tokens; ≥ 32 chars in production; unset = JWT disabled',
    shown: 'unset',
    fallback: () => null,
    parse: text,
  }),
  setting({
    key: 'rateLimit',
    env: 'PITCHEY_RATE_LIMIT',
    area: 'access',
    doc: "per-client rate limits from the contract, the gateway's per prefix and the AI routes' per minute (`true`/`false`)",
    fallback: () => true,
    parse: bool,
  }),
  /** null = the role's default (services: loopback; gateway: none). */
  setting({
    key: 'trustedProxies',
    env: 'PITCHEY_TRUSTED_PROXIES',
    area: 'access',
    doc: 'peers whose `X-Forwarded-For` is believed (the client address rate limits and logs use): comma list of addresses or CIDR ranges, or `none`; the gateway is the edge and believes no one unless a load balancer in front of it is named here',
    shown: 'services: loopback; gateway: none',
    fallback: () => null,
    parse: trustedProxies,
  }),
];
