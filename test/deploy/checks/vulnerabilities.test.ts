// The Trivy report check: a CRITICAL fails, a clean report passes, HIGH warns, and a missing or
// malformed report is a failure — never a pass.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkVulnerabilities } from '../../../src/deploy/checks/vulnerabilities.js';
import { makeTempDir } from '../../helpers.js';

const tmp = makeTempDir('pitchey-trivy-');
afterAll(() => tmp.remove());
const now = new Date('2025-03-04T10:00:00Z');

function report(name: string, body: unknown): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}
const vuln = (Severity: string, id = 'CVE-2024-0001') => ({ VulnerabilityID: id, PkgName: 'openssl', Severity });
const trivy = (vulns: unknown[] | undefined) => ({ SchemaVersion: 2, ArtifactName: 'pitchey:1.2.3', Results: [{ Target: 'debian', Vulnerabilities: vulns }, { Target: 'node-pkg' }] });

describe('vulnerabilities', () => {
  it('fails a report with one CRITICAL, naming it', async () => {
    const e = await checkVulnerabilities(report('crit.json', trivy([vuln('CRITICAL', 'CVE-2024-9999'), vuln('LOW')])), now);
    expect(e).toMatchObject({ check: 'vulnerabilities', status: 'fail', observed: '1 critical, 0 high in pitchey:1.2.3', threshold: '0 critical (high warns)' });
    expect(e.details?.critical).toEqual(['CVE-2024-9999 (openssl)']);
  });
  it('passes a clean report', async () => {
    const e = await checkVulnerabilities(report('clean.json', trivy(undefined)), now);
    expect(e).toMatchObject({ status: 'pass', observed: '0 critical, 0 high in pitchey:1.2.3', at: now.toISOString() });
  });
  it('warns with the HIGH count when there is no CRITICAL', async () => {
    const e = await checkVulnerabilities(report('high.json', trivy([vuln('HIGH'), vuln('HIGH'), vuln('MEDIUM')])), now);
    expect(e).toMatchObject({ status: 'warn', observed: '0 critical, 2 high in pitchey:1.2.3' });
  });
  it('fails a missing report', async () => {
    const e = await checkVulnerabilities(join(tmp.dir, 'absent.json'), now);
    expect(e.status).toBe('fail');
    expect(e.observed).toContain('no usable Trivy report');
  });
  it('fails malformed JSON, a report without Results, and a finding without Severity', async () => {
    for (const [name, body] of [['bad.json', '{"Results": ['], ['empty.json', { SchemaVersion: 2 }], ['nosev.json', trivy([{ VulnerabilityID: 'x' }])]] as const) {
      const e = await checkVulnerabilities(report(name, body), now);
      expect(e.status, name).toBe('fail');
    }
  });
  it('fails when no report is configured', async () => {
    expect((await checkVulnerabilities(null, now)).observed).toContain('not configured');
  });
});
