// "Staging matches production" (checklist §5): two environments' effective configuration, flattened
// to paths (`settings.logLevel`, `versions.video`, `checks.capacity.cpuPercent`), compared; every
// difference is reported and each is allowed or not by the allow-list. Pure.
import { canonicalJson } from './hash.js';

/** What a platform runs with, secrets redacted (`GET /_pitchey/admin/config`). */
export interface EffectiveConfig {
  env: string;
  settings: Record<string, unknown>;
  /** The version stable runs, per service. */
  versions: Record<string, string>;
  /** The pre-deployment checks' settings. */
  checks: Record<string, unknown>;
}

export interface Difference {
  path: string;
  /** canonical JSON of each side's value; null when that side lacks the path. */
  here: string | null;
  there: string | null;
  allowed: boolean;
}

/** Leaves of an object as `prefix.key.key` → value; arrays are leaves (compared whole). */
export function flatten(value: unknown, prefix: string, out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, `${prefix}.${k}`, out);
  } else out.set(prefix, value);
  return out;
}

/** `checks.capacity.*` allows every path under it; anything else allows that path exactly (and below it). */
export function isAllowed(path: string, allow: readonly string[]): boolean {
  return allow.some((a) => (a.endsWith('.*') ? path.startsWith(a.slice(0, -1)) : path === a || path.startsWith(`${a}.`)));
}

export interface DriftInput {
  here: EffectiveConfig;
  there: EffectiveConfig;
  allow: readonly string[];
  /** The service being deployed: its version differs on purpose until the deployment ends. */
  deploying?: string | undefined;
}

/** Every path whose value differs, sorted; `allowed` says which the allow-list accepts. */
export function diffEffectiveConfig(i: DriftInput): Difference[] {
  const side = (c: EffectiveConfig): Map<string, unknown> => {
    const m = new Map<string, unknown>();
    flatten(c.settings, 'settings', m);
    flatten(c.versions, 'versions', m);
    flatten(c.checks, 'checks', m);
    if (i.deploying !== undefined) m.delete(`versions.${i.deploying}`);
    return m;
  };
  const a = side(i.here);
  const b = side(i.there);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const text = (m: Map<string, unknown>, p: string): string | null => (m.has(p) ? canonicalJson(m.get(p)) : null);
  return paths
    .map((path) => ({ path, here: text(a, path), there: text(b, path) }))
    .filter((d) => d.here !== d.there)
    .map((d) => ({ ...d, allowed: isAllowed(d.path, i.allow) }));
}
