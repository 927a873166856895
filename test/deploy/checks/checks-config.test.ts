// The checks' settings file and waivers: defaults, one message per bad value, and a waiver that
// turns a fail into a warn only while it is valid.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECKS_CONFIG, checksConfigJsonSchema, parseChecksConfig, readChecksConfig } from '../../../src/deploy/checks/checks-config.js';
import { createEvidence } from '../../../src/deploy/checks/create-evidence.js';
import { applyWaivers } from '../../../src/deploy/checks/waivers.js';
import { ConfigError } from '../../../src/kit/index.js';
import { makeTempDir } from '../../helpers.js';

const tmp = makeTempDir('pitchey-checks-config-');
afterAll(() => tmp.remove());
const now = new Date('2025-03-04T10:00:00Z');

function issuesOf(raw: Record<string, unknown>): string[] {
  try {
    parseChecksConfig(raw, tmp.dir);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

describe('checks config', () => {
  it('has the checklist defaults', () => {
    expect(DEFAULT_CHECKS_CONFIG.capacity).toEqual({ cpuPercent: 70, memoryPercent: 80, diskPercent: 85, cpuMethod: 'sample' });
    expect(DEFAULT_CHECKS_CONFIG.tls.minDays).toBe(30);
    expect(DEFAULT_CHECKS_CONFIG.backups).toEqual({ dir: null, maxAgeHours: 24, restoreTestMaxAgeHours: 24 });
    expect(DEFAULT_CHECKS_CONFIG.window).toBeNull();
  });
  it('reads a file, taking relative paths from its folder; the default path is optional, an explicit one is not', () => {
    const path = join(tmp.dir, 'checks.json');
    writeFileSync(path, JSON.stringify({ backups: { dir: 'backups', maxAgeHours: 12 }, vulnerabilities: { report: 'trivy.json' }, alertmanagerUrl: 'http://am:9093/' }));
    const config = readChecksConfig(path, true);
    expect(config.backups).toEqual({ dir: join(tmp.dir, 'backups'), maxAgeHours: 12, restoreTestMaxAgeHours: 12 });
    expect(config.vulnerabilities.report).toBe(join(tmp.dir, 'trivy.json'));
    expect(config.alertmanagerUrl).toBe('http://am:9093');
    expect(readChecksConfig(join(tmp.dir, 'none.json'), false)).toBe(DEFAULT_CHECKS_CONFIG);
    expect(() => readChecksConfig(join(tmp.dir, 'none.json'), true)).toThrow(ConfigError);
  });
  it('reports every bad value with its own message', () => {
    const issues = issuesOf({
      capacity: { cpuPercent: 170, diskPercnt: 50 },
      tls: { files: [{ hostname: 'x' }], endpoints: [{ host: 'a', port: 0 }] },
      dns: [{ name: 'a', addresses: [] }],
      alertmanagerUrl: 'ftp://x',
      window: { days: ['mon', 'funday'], from: '9:00', to: '16:00', tz: 'Mars/Olympus' },
      waivers: [{ check: 'nope', approver: '', reason: 'r', expires: 'soon' }],
      extra: 1,
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'checks config: capacity.cpuPercent: must be a number from 0 to 100 (got 170)',
        'checks config: capacity.diskPercnt: unknown setting',
        'checks config: tls.files[0].path: is required',
        'checks config: tls.endpoints[0].port: must be a number from 1 to 65535 (got 0)',
        'checks config: dns[0].addresses: must list at least one (got [])',
        'checks config: alertmanagerUrl: must be an http(s) URL (got "ftp://x")',
        'checks config: window.days[1]: must be one of sun, mon, tue, wed, thu, fri, sat (got "funday")',
        'checks config: window.from: must be HH:MM (got "9:00")',
        'checks config: window.tz: unknown time zone "Mars/Olympus"',
        expect.stringMatching(/^checks config: waivers\[0\]\.check: must be one of service-health, .*error-budget, environment-drift \(got "nope"\)$/),
        'checks config: waivers[0].approver: must be a non-empty string (got "")',
        'checks config: waivers[0].expires: must be an ISO 8601 time (got "soon")',
        'checks config: extra: unknown setting',
      ]),
    );
    expect(issues).toHaveLength(13);
  });
  it('says what a schema cannot: a window that ends before it starts, an expiry that is no date', () => {
    expect(issuesOf({ window: { days: ['mon'], from: '17:00', to: '09:00' }, waivers: [{ check: 'dns', approver: 'a', reason: 'r', expires: '2025-13-45' }] })).toEqual([
      'checks config: window: from 17:00 must be before to 09:00 (same day)',
      'checks config: waivers[0].expires: "2025-13-45" is not a time',
    ]);
  });
  it('publishes its JSON Schema for editors: docs/checks-config.schema.json is `pitchey check --schema`', () => {
    const published = JSON.parse(readFileSync(new URL('../../../docs/checks-config.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(published, 'regenerate with: node dist/cli/main.js check --schema > docs/checks-config.schema.json').toEqual(checksConfigJsonSchema());
  });
});

describe('waivers', () => {
  const failing = createEvidence('vulnerabilities', { status: 'fail', observed: '1 critical, 0 high', threshold: '0 critical', source: 'trivy.json' }, now);
  const waiver = (expires: string) => ({ check: 'vulnerabilities' as const, approver: 'Dana (security lead)', reason: 'CVE not reachable: no TLS in the image', expires });

  it('turns a fail into a warn with the approver shown', () => {
    const [e] = applyWaivers([failing], [waiver('2025-03-05T00:00:00Z')], now);
    expect(e).toMatchObject({ status: 'warn', observed: '1 critical, 0 high', waiver: { approver: 'Dana (security lead)', reason: 'CVE not reachable: no TLS in the image', at: now.toISOString() } });
    expect(e?.details).toMatchObject({ waivedStatus: 'fail', waiverExpires: '2025-03-05T00:00:00Z' });
  });
  it('does not apply an expired waiver, and says it was not applied', () => {
    const [e] = applyWaivers([failing], [waiver('2025-03-04T09:59:59Z')], now);
    expect(e?.status).toBe('fail');
    expect(e?.waiver).toBeUndefined();
    expect(e?.details?.waiversNotApplied).toEqual([expect.objectContaining({ approver: 'Dana (security lead)', why: 'expired or incomplete' })]);
  });
  it('leaves passing checks and other checks alone', () => {
    const passing = { ...failing, status: 'pass' as const };
    const other = { ...failing, check: 'backups' };
    expect(applyWaivers([passing, other], [waiver('2026-01-01T00:00:00Z')], now)).toEqual([passing, other]);
  });
});
