// The checks' settings, read from a JSON file (`--config FILE`, else `<dataDir>/checks.json` if
// present, else defaults) and validated with one message per bad value. Relative paths in the
// file are taken from the file's own folder.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, dataPath } from '../../kit/light.js';
import { isCheckId, type CheckId } from './catalogue.js';
import { Fields, isObject } from './config-fields.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type DnsMatch = 'equal' | 'subset' | 'includes';

/** A failing check accepted for now: it shows as `warn` with the approver, until `expires`. */
export interface Waiver { check: CheckId; approver: string; reason: string; expires: string }
/** Local days and `HH:MM` times (from inclusive, to exclusive) in the IANA time zone `tz`. */
export interface DeployWindow { days: Weekday[]; from: string; to: string; tz: string }
/** A PEM file: the leaf first, then its chain; the last is self-signed or issued by `caFile`. */
export interface CertFileSpec { path: string; caFile: string | null; hostname: string | null }
export interface EndpointSpec { host: string; port: number; servername: string | null; caFile: string | null }
/** `equal`: the same set; `subset`: every resolved address is expected; `includes`: every expected one resolves. */
export interface DnsExpectation { name: string; addresses: string[]; match: DnsMatch }

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
  try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (err) { throw new ConfigError([`${path}: cannot read: ${(err as Error).message}`]); }
  if (!isObject(raw)) throw new ConfigError([`${path}: must be a JSON object`]);
  return parseChecksConfig(raw, dirname(resolve(path)));
}

export function parseChecksConfig(raw: Record<string, unknown>, baseDir: string): ChecksConfig {
  const issues: string[] = [];
  const f = new Fields(issues, raw, '').only(['timeoutMs', 'capacity', 'tls', 'dns', 'backups', 'vulnerabilities', 'requiredEnv', 'alertmanagerUrl', 'window', 'waivers']);
  const path = (p: string | null): string | null => (p === null ? null : resolve(baseDir, p));
  const backups = f.section('backups').only(['dir', 'maxAgeHours', 'restoreTestMaxAgeHours']);
  const maxAgeHours = backups.number('maxAgeHours', 24, 0.01, 24 * 366);
  const config: ChecksConfig = {
    timeoutMs: f.number('timeoutMs', 5_000, 100, 120_000),
    capacity: readCapacity(f.section('capacity')),
    tls: readTls(f.section('tls'), path),
    dns: f.list('dns', readDns),
    backups: { dir: path(backups.text('dir')), maxAgeHours, restoreTestMaxAgeHours: backups.number('restoreTestMaxAgeHours', maxAgeHours, 0.01, 24 * 366) },
    vulnerabilities: { report: path(f.section('vulnerabilities').only(['report']).text('report')) },
    requiredEnv: f.texts('requiredEnv'),
    alertmanagerUrl: readUrl(f, 'alertmanagerUrl', issues),
    window: f.has('window') ? readWindow(f.section('window'), issues) : null,
    waivers: f.list('waivers', (w) => readWaiver(w, issues)),
  };
  if (issues.length > 0) throw new ConfigError(issues.map((i) => `checks config: ${i}`));
  return config;
}

function readCapacity(c: Fields): ChecksConfig['capacity'] {
  c.only(['cpuPercent', 'memoryPercent', 'diskPercent', 'cpuMethod']);
  return {
    cpuPercent: c.number('cpuPercent', 70, 0, 100), memoryPercent: c.number('memoryPercent', 80, 0, 100),
    diskPercent: c.number('diskPercent', 85, 0, 100), cpuMethod: c.oneOf('cpuMethod', ['sample', 'loadavg'] as const, 'sample'),
  };
}

function readTls(t: Fields, path: (p: string | null) => string | null): ChecksConfig['tls'] {
  t.only(['minDays', 'files', 'endpoints']);
  return {
    minDays: t.number('minDays', 30, 0, 3650),
    files: t.list('files', (e) => { e.only(['path', 'caFile', 'hostname']); return { path: path(e.required('path')) ?? '', caFile: path(e.text('caFile')), hostname: e.text('hostname') }; }),
    endpoints: t.list('endpoints', (e) => {
      e.only(['host', 'port', 'servername', 'caFile']);
      return { host: e.required('host'), port: e.number('port', 443, 1, 65535), servername: e.text('servername'), caFile: path(e.text('caFile')) };
    }),
  };
}

function readDns(e: Fields): DnsExpectation {
  e.only(['name', 'addresses', 'match']);
  return { name: e.required('name'), addresses: e.someTexts('addresses'), match: e.oneOf('match', ['equal', 'subset', 'includes'] as const, 'equal') };
}

function readUrl(f: Fields, key: string, issues: string[]): string | null {
  const raw = f.text(key);
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch { /* reported below */ }
  issues.push(`${key}: must be an http(s) URL (got ${JSON.stringify(raw)})`);
  return null;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function readWindow(w: Fields, issues: string[]): DeployWindow | null {
  w.only(['days', 'from', 'to', 'tz']);
  const days = w.someTexts('days').map((d) => d.toLowerCase());
  const badDay = days.find((d) => !(WEEKDAYS as readonly string[]).includes(d));
  if (badDay !== undefined) issues.push(`window.days: "${badDay}" is not one of ${WEEKDAYS.join(', ')}`);
  const from = w.required('from');
  const to = w.required('to');
  if (from !== '' && !HHMM.test(from)) issues.push(`window.from: must be HH:MM (got ${JSON.stringify(from)})`);
  if (to !== '' && !HHMM.test(to)) issues.push(`window.to: must be HH:MM (got ${JSON.stringify(to)})`);
  if (HHMM.test(from) && HHMM.test(to) && from >= to) issues.push(`window: from ${from} must be before to ${to} (same day)`);
  const tz = w.text('tz') ?? 'UTC';
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); } catch { issues.push(`window.tz: unknown time zone ${JSON.stringify(tz)}`); }
  return { days: days as Weekday[], from, to, tz };
}

function readWaiver(w: Fields, issues: string[]): Waiver {
  w.only(['check', 'approver', 'reason', 'expires']);
  const check = w.required('check');
  if (check !== '' && !isCheckId(check)) issues.push(`waiver for "${check}": no such check`);
  const approver = w.required('approver');
  const reason = w.required('reason');
  const expires = w.required('expires');
  if (expires !== '' && Number.isNaN(Date.parse(expires))) issues.push(`waiver for "${check}": expires ${JSON.stringify(expires)} is not a time`);
  return { check: check as CheckId, approver, reason, expires };
}
