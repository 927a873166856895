// The checks' settings, read from a JSON file (`--config FILE`, else `<dataDir>/checks.json` if
// present, else defaults), validated against its JSON Schema (checks-schema.ts) with one message per
// bad value, then resolved: defaults filled, relative paths taken from the file's own folder.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, dataPath } from '../../kit/light.js';
import type { CheckId } from './catalogue.js';
import { schemaIssues, withDefaults, WEEKDAYS } from './checks-schema.js';

export { WEEKDAYS };
export { checksConfigJsonSchema } from './checks-schema.js';
export type Weekday = (typeof WEEKDAYS)[number];
export type DnsMatch = 'equal' | 'subset' | 'includes';

/** A failing check accepted for now: it shows as `warn` with the approver, until `expires`. */
export interface Waiver {
  check: CheckId;
  approver: string;
  reason: string;
  expires: string;
}
/** Local days and `HH:MM` times (from inclusive, to exclusive) in the IANA time zone `tz`. */
export interface DeployWindow {
  days: Weekday[];
  from: string;
  to: string;
  tz: string;
}
/** A PEM file: the leaf first, then its chain; the last in the system trust store or issued by `caFile`. */
export interface CertFileSpec {
  path: string;
  caFile: string | null;
  hostname: string | null;
}
export interface EndpointSpec {
  host: string;
  port: number;
  servername: string | null;
  caFile: string | null;
}
/** `equal`: the same set; `subset`: every resolved address is expected; `includes`: every expected one resolves. */
export interface DnsExpectation {
  name: string;
  addresses: string[];
  match: DnsMatch;
}

export interface ChecksConfig {
  /** Network deadline for each probe, connection and lookup. Default 5000 ms. */
  timeoutMs: number;
  /** Used-percent limits; a reading must stay strictly below. Defaults 70 / 80 / 85. */
  capacity: { cpuPercent: number; memoryPercent: number; diskPercent: number; cpuMethod: 'sample' | 'loadavg' };
  /** Default 30 days. */
  tls: { minDays: number; files: CertFileSpec[]; endpoints: EndpointSpec[] };
  dns: DnsExpectation[];
  /** `dir` holds one folder per backup, each with a manifest.json. Defaults 24 h and `maxAgeHours`. */
  backups: { dir: string | null; maxAgeHours: number; restoreTestMaxAgeHours: number };
  /** A Trivy JSON report (`trivy image --format json`). */
  vulnerabilities: { report: string | null };
  requiredEnv: string[];
  alertmanagerUrl: string | null;
  window: DeployWindow | null;
  waivers: Waiver[];
}

export const DEFAULT_CHECKS_CONFIG: ChecksConfig = parseChecksConfig({}, process.cwd());

export function defaultChecksConfigPath(dataDir: string): string {
  return dataPath(dataDir, 'checksConfig');
}

/** An explicit file must exist; the default path is optional. Throws ConfigError listing every issue. */
export function readChecksConfig(path: string, explicit: boolean): ChecksConfig {
  if (!explicit && !existsSync(path)) return DEFAULT_CHECKS_CONFIG;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${path}: cannot read: ${(err as Error).message}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError([`${path}: must be a JSON object`]);
  return parseChecksConfig(raw as Record<string, unknown>, dirname(resolve(path)));
}

export function parseChecksConfig(raw: Record<string, unknown>, baseDir: string): ChecksConfig {
  const issues = schemaIssues(raw);
  if (issues.length > 0) throw new ConfigError([...issues, ...semanticIssues(raw, true)].map((i) => `checks config: ${i}`));
  const f = withDefaults(raw);
  const late = semanticIssues(f, false);
  if (late.length > 0) throw new ConfigError(late.map((i) => `checks config: ${i}`));
  const path = (p: string | undefined): string | null => (p === undefined ? null : resolve(baseDir, p.trim()));
  const trimmed = (v: string | undefined): string | null => (v === undefined ? null : v.trim());
  const backups = f.backups!;
  return {
    timeoutMs: f.timeoutMs!,
    capacity: {
      cpuPercent: f.capacity!.cpuPercent!,
      memoryPercent: f.capacity!.memoryPercent!,
      diskPercent: f.capacity!.diskPercent!,
      cpuMethod: f.capacity!.cpuMethod as ChecksConfig['capacity']['cpuMethod'],
    },
    tls: {
      minDays: f.tls!.minDays!,
      files: (f.tls!.files ?? []).map((e) => ({ path: path(e.path) ?? '', caFile: path(e.caFile), hostname: trimmed(e.hostname) })),
      endpoints: (f.tls!.endpoints ?? []).map((e) => ({ host: e.host.trim(), port: e.port!, servername: trimmed(e.servername), caFile: path(e.caFile) })),
    },
    dns: (f.dns ?? []).map((d) => ({ name: d.name.trim(), addresses: d.addresses.map((a) => a.trim()), match: d.match as DnsMatch })),
    backups: {
      dir: path(backups.dir),
      maxAgeHours: backups.maxAgeHours!,
      restoreTestMaxAgeHours: (raw.backups as { restoreTestMaxAgeHours?: number } | undefined)?.restoreTestMaxAgeHours ?? backups.maxAgeHours!,
    },
    vulnerabilities: { report: path(f.vulnerabilities!.report) },
    requiredEnv: (f.requiredEnv ?? []).map((v) => v.trim()),
    alertmanagerUrl: f.alertmanagerUrl === undefined ? null : f.alertmanagerUrl.replace(/\/+$/, ''),
    window: f.window === undefined ? null : { days: [...f.window.days], from: f.window.from, to: f.window.to, tz: f.window.tz?.trim() ?? 'UTC' },
    waivers: (f.waivers ?? []).map((w) => ({ check: w.check, approver: w.approver.trim(), reason: w.reason.trim(), expires: w.expires })),
  };
}

/**
 * What a schema cannot say: a time zone that exists, a window that ends after it starts, a URL and
 * an expiry that parse. On a file with structural problems (`partial`) only the parts that are
 * well-formed are looked at, so every problem is still reported in one go.
 */
function semanticIssues(raw: Record<string, unknown>, partial: boolean): string[] {
  const issues: string[] = [];
  const w = raw.window as { from?: unknown; to?: unknown; tz?: unknown } | undefined;
  const hhmm = (v: unknown): v is string => typeof v === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(v);
  if (w !== undefined && hhmm(w.from) && hhmm(w.to) && w.from >= w.to) issues.push(`window: from ${w.from} must be before to ${w.to} (same day)`);
  if (w !== undefined && typeof w.tz === 'string') {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: w.tz.trim() });
    } catch {
      issues.push(`window.tz: unknown time zone ${JSON.stringify(w.tz)}`);
    }
  }
  if (typeof raw.alertmanagerUrl === 'string' && /^https?:\/\/\S+$/.test(raw.alertmanagerUrl) && !URL.canParse(raw.alertmanagerUrl))
    issues.push(`alertmanagerUrl: must be an http(s) URL (got ${JSON.stringify(raw.alertmanagerUrl)})`);
  const waivers = Array.isArray(raw.waivers) ? (raw.waivers as Array<{ check?: unknown; expires?: unknown }>) : [];
  waivers.forEach((v, i) => {
    if (typeof v?.expires === 'string' && Number.isNaN(Date.parse(v.expires)) && (!partial || /^\d{4}-\d\d-\d\d/.test(v.expires)))
      issues.push(`waivers[${i}].expires: ${JSON.stringify(v.expires)} is not a time`);
  });
  return issues;
}
