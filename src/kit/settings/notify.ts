// Notification settings: the webhooks a deployment's events go to (the checklist's "notify the
// on-call team and stakeholders" at each stage), each with its format, secret and filters.
import { SettingError } from './parsers.js';
import { setting } from './setting.js';

export const NOTIFY_FORMATS = ['json', 'slack', 'teams'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

/** The events a receiver may ask for; `*` is all of them. */
export const NOTIFY_EVENTS = [
  'deployment.started',
  'step.entered',
  'signoff.waiting',
  'deployment.promoted',
  'deployment.rolled-back',
  'deployment.failed',
  'rollback.emergency',
  'validation.phase',
  'checks.failed',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export interface NotifyReceiver {
  name: string;
  url: string;
  format: NotifyFormat;
  /** HMAC-SHA256 key for the `X-Pitchey-Signature` header (json format); null sends unsigned. */
  secret: string | null;
  events: readonly NotifyEvent[] | '*';
  /** Environments whose events it gets; '*' = all. */
  envs: readonly string[] | '*';
}

const NAME = /^[\w.-]{1,40}$/;

function list<T extends string>(v: unknown, allowed: readonly T[] | null, what: string, where: string): readonly T[] | '*' {
  if (v === undefined || v === '*') return '*';
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new SettingError(`${where}: ${what} must be "*" or a list of strings`);
  const bad = allowed === null ? undefined : (v as string[]).find((x) => !(allowed as readonly string[]).includes(x));
  if (bad !== undefined) throw new SettingError(`${where}: unknown ${what.replace(/s$/, '')} "${bad}"; one of ${allowed!.join(', ')}`);
  return v as T[];
}

function receiver(raw: unknown, i: number): NotifyReceiver {
  const where = `receiver #${i + 1}`;
  if (typeof raw !== 'object' || raw === null) throw new SettingError(`${where} must be an object`);
  const o = raw as Record<string, unknown>;
  if (typeof o.name !== 'string' || !NAME.test(o.name)) throw new SettingError(`${where}: name must be 1–40 letters, digits, . _ -`);
  let url: URL;
  try {
    url = new URL(String(o.url));
  } catch {
    throw new SettingError(`${where} (${o.name}): url is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError(`${where} (${o.name}): url must be http or https`);
  const format = o.format ?? 'json';
  if (!(NOTIFY_FORMATS as readonly unknown[]).includes(format)) throw new SettingError(`${where} (${o.name}): format must be one of ${NOTIFY_FORMATS.join(', ')}`);
  if (o.secret !== undefined && (typeof o.secret !== 'string' || o.secret.length < 16)) throw new SettingError(`${where} (${o.name}): secret must be at least 16 characters`);
  return {
    name: o.name,
    url: url.href,
    format: format as NotifyFormat,
    secret: typeof o.secret === 'string' ? o.secret : null,
    events: list(o.events, NOTIFY_EVENTS, 'events', where),
    envs: list(o.envs, null, 'envs', where),
  };
}

/** A JSON array of receivers: inline in the variable, or as the value in the settings file. */
export function parseReceivers(raw: unknown): NotifyReceiver[] {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new SettingError('must be a JSON array of receivers');
    }
  }
  if (!Array.isArray(value)) throw new SettingError('must be a JSON array of receivers');
  const receivers = value.map(receiver);
  const names = receivers.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new SettingError(`receiver name "${twice}" is used twice`);
  return receivers;
}

export const NOTIFY_SETTINGS = [
  setting({
    key: 'notifyReceivers',
    env: 'PITCHEY_NOTIFY_WEBHOOKS',
    area: 'deploy',
    secret: true,
    doc: `webhooks for deployment events: a JSON array of \`{name, url, format: json|slack|teams, secret?, events?: [...]|"*", envs?: [...]|"*"}\` (events: ${NOTIFY_EVENTS.join(', ')}); \`json\` bodies are signed with the secret (HMAC-SHA256)`,
    shown: 'none',
    fallback: (): NotifyReceiver[] => [],
    parse: parseReceivers,
  }),
] as const;
