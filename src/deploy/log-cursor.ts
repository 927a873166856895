// `pitchey logs -f` asks again and again for what is new: each answer carries one opaque token of
// every instance's cursor (driver-specific: a line count, a docker timestamp), handed back as
// `?after=`. Opaque, so a client never builds one; checked, since it comes back from outside.
import type { InstanceLogs } from './adapters/driver.js';
import { invalidField } from '../kit/index.js';

const MAX_INSTANCES = 256;
const FIELD = 'querystring/after';

export function writeLogCursors(instances: readonly InstanceLogs[]): string {
  return Buffer.from(JSON.stringify(Object.fromEntries(instances.map((i) => [i.id, i.cursor])))).toString('base64url');
}

export function readLogCursors(token: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidField(FIELD, "is not an earlier answer's next");
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidField(FIELD, "is not an earlier answer's next");
  const entries = Object.entries(parsed);
  if (entries.length > MAX_INSTANCES || entries.some(([id, cursor]) => typeof cursor !== 'string' || cursor.length > 64 || id.length > 128)) {
    throw invalidField(FIELD, "is not an earlier answer's next");
  }
  return Object.fromEntries(entries);
}
