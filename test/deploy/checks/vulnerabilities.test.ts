// The Trivy report check: a CRITICAL fails, a clean report passes, HIGH warns, and a missing or
// malformed report is a failure — never a pass. With the docker driver the report must be of the
// image being deployed: one made for another digest fails, naming both. Fixtures follow Trivy's
// `trivy image --format json` output (SchemaVersion 2).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECKS_CONFIG, runChecks } from '../../../src/deploy/checks/index.js';
import { deployedImageOf, sameImage, type DeployedImage } from '../../../src/deploy/checks/deployed-image.js';
import { checkVulnerabilities, fillReportPath } from '../../../src/deploy/checks/vulnerabilities.js';
import { makeTempDir } from '../../helpers.js';

const tmp = makeTempDir('pitchey-trivy-');
afterAll(() => tmp.remove());
const now = new Date('2025-03-04T10:00:00Z');
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, `trivy-video-${name}.json`);

/** The image the fixtures' 1.2.3 reports were made for, and the previous release's. */
const V123 = 'sha256:4f1c9a0d2b7e83c5a6f0e9d18b2c7a4e5d3f6b8a9c0e1d2f3a4b5c6d7e8f9a0b';
const V122 = 'sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
const deployed: DeployedImage = { ref: 'pitchey/video:1.2.3', id: V123, repoDigests: [] };

function report(name: string, body: unknown): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}
const vuln = (Severity: string, id = 'CVE-2024-0001') => ({ VulnerabilityID: id, PkgName: 'openssl', Severity });
const trivy = (vulns: unknown[] | undefined) => ({ SchemaVersion: 2, ArtifactName: 'pitchey:1.2.3', Results: [{ Target: 'debian', Vulnerabilities: vulns }, { Target: 'node-pkg' }] });
const check = (reportPath: string | null, image: DeployedImage | null = null) => checkVulnerabilities({ reportPath, image, now });

describe('vulnerabilities: the severity thresholds', () => {
  it('fails a report with one CRITICAL, naming it', async () => {
    const e = await check(report('crit.json', trivy([vuln('CRITICAL', 'CVE-2024-9999'), vuln('LOW')])));
    expect(e).toMatchObject({ check: 'vulnerabilities', status: 'fail', observed: '1 critical, 0 high in pitchey:1.2.3', threshold: '0 critical (high warns)' });
    expect(e.details?.critical).toEqual(['CVE-2024-9999 (openssl)']);
  });
  it('passes a clean report', async () => {
    const e = await check(report('clean.json', trivy(undefined)));
    expect(e).toMatchObject({ status: 'pass', observed: '0 critical, 0 high in pitchey:1.2.3', at: now.toISOString() });
  });
  it('warns with the HIGH count when there is no CRITICAL', async () => {
    const e = await check(report('high.json', trivy([vuln('HIGH'), vuln('HIGH'), vuln('MEDIUM')])));
    expect(e).toMatchObject({ status: 'warn', observed: '0 critical, 2 high in pitchey:1.2.3' });
  });
  it('fails a missing report', async () => {
    const e = await check(join(tmp.dir, 'absent.json'));
    expect(e.status).toBe('fail');
    expect(e.observed).toContain('no usable Trivy report');
  });
  it('fails malformed JSON, a report without Results, a finding without Severity, and odd Metadata', async () => {
    const bad = [
      ['bad.json', '{"Results": ['],
      ['empty.json', { SchemaVersion: 2 }],
      ['nosev.json', trivy([{ VulnerabilityID: 'x' }])],
      ['meta.json', { ...trivy([]), Metadata: [] }],
      ['digests.json', { ...trivy([]), Metadata: { RepoDigests: 'sha256:x' } }],
    ] as const;
    for (const [name, body] of bad) {
      const e = await check(report(name, body));
      expect(e.status, name).toBe('fail');
    }
  });
  it('fails when no report is configured', async () => {
    expect((await check(null)).observed).toContain('not configured');
  });
  it('names the image a real Trivy report was made for, even without a deployed image to match', async () => {
    const e = await check(fixture('high'));
    expect(e).toMatchObject({ status: 'warn', observed: '0 critical, 2 high in pitchey/video:1.2.3 sha256:4f1c9a0d2b7e' });
    expect(e.details).toMatchObject({ reportImageId: V123, counts: { CRITICAL: 0, HIGH: 2, MEDIUM: 1 } });
  });
});

describe('vulnerabilities: the report of the image being deployed', () => {
  it('passes the clean report of the deployed image, and the record names both digests', async () => {
    const e = await check(fixture('clean'), deployed);
    expect(e).toMatchObject({
      status: 'pass',
      observed: '0 critical, 0 high in pitchey/video:1.2.3 sha256:4f1c9a0d2b7e',
      threshold: 'a report of the deployed image pitchey/video:1.2.3 sha256:4f1c9a0d2b7e; 0 critical (high warns)',
    });
    expect(e.details).toMatchObject({ reportImageId: V123, deployedImage: { ref: 'pitchey/video:1.2.3', id: V123 } });
  });
  it('keeps the thresholds for the deployed image: CRITICAL fails, HIGH warns', async () => {
    const crit = await check(fixture('critical'), deployed);
    expect(crit).toMatchObject({ status: 'fail', observed: '1 critical, 1 high in pitchey/video:1.2.3 sha256:4f1c9a0d2b7e' });
    expect(crit.details?.critical).toEqual(['CVE-2024-45491 (libexpat1)']);
    expect((await check(fixture('high'), deployed)).status).toBe('warn');
  });
  it('fails a clean report made for another digest, naming the one it was made for', async () => {
    const e = await check(fixture('previous'), deployed);
    expect(e).toMatchObject({
      status: 'fail',
      observed: 'the report is of pitchey/video:1.2.2 sha256:9e8d7c6b5a4f, not of the deployed image pitchey/video:1.2.3 sha256:4f1c9a0d2b7e',
      threshold: 'a report of the deployed image pitchey/video:1.2.3 sha256:4f1c9a0d2b7e; 0 critical (high warns)',
    });
    expect(e.details).toMatchObject({ reportImageId: V122, deployedImage: { id: V123 } });
  });
  it('fails a report that names no image at all', async () => {
    const e = await check(report('noimage.json', trivy([])), deployed);
    expect(e.status).toBe('fail');
    expect(e.observed).toContain('the report is of pitchey:1.2.3, not of the deployed image');
  });
  it('matches by registry digest when the report carries no image ID (the same content under another name)', async () => {
    const pushed = { ...deployed, id: V122, repoDigests: ['pitchey/video@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9'] };
    expect((await check(fixture('registry'), pushed)).status).toBe('pass');
    expect((await check(fixture('registry'), deployed)).status).toBe('fail');
  });
  it('fails a missing report with the deployed image in the threshold', async () => {
    const e = await check(join(tmp.dir, 'absent.json'), deployed);
    expect(e).toMatchObject({ status: 'fail', threshold: 'a report of the deployed image pitchey/video:1.2.3 sha256:4f1c9a0d2b7e; 0 critical (high warns)' });
  });
});

describe('vulnerabilities: where the report comes from', () => {
  it('fills {service} and {version} in the configured path', () => {
    expect(fillReportPath('/r/trivy-{service}-{version}.json', { service: 'video', version: '1.2.3' })).toBe('/r/trivy-video-1.2.3.json');
    expect(fillReportPath('/r/trivy.json', undefined)).toBe('/r/trivy.json');
    expect(fillReportPath(null, { service: 'video', version: '1.2.3' })).toBeNull();
  });

  it('runs `trivy image --format json` on the deployed image when no report is configured and the binary exists', async () => {
    // Trivy cannot be installed here: a stand-in answers as the real binary does, for the args it expects.
    const bin = join(tmp.dir, 'trivy');
    writeFileSync(
      bin,
      `#!/bin/sh\n[ "$*" = "image --format json --quiet pitchey/video:1.2.3" ] || { echo "unexpected args: $*" >&2; exit 2; }\n[ "$DOCKER_HOST" = "unix:///tmp/engine.sock" ] || exit 3\ncat ${JSON.stringify(fixture('clean'))}\n`,
    );
    chmodSync(bin, 0o755);
    const e = await checkVulnerabilities({ reportPath: null, image: deployed, now, trivy: { command: bin, dockerHost: 'unix:///tmp/engine.sock' } });
    expect(e).toMatchObject({ status: 'pass', source: `${bin} image --format json --quiet pitchey/video:1.2.3` });
  });

  it('fails, saying so, when there is neither a report nor a trivy binary', async () => {
    const e = await checkVulnerabilities({ reportPath: null, image: deployed, now, trivy: { command: join(tmp.dir, 'no-trivy'), dockerHost: null } });
    expect(e.status).toBe('fail');
    expect(e.observed).toMatch(/^not configured: no Trivy report path, and no .*no-trivy binary to scan pitchey\/video:1\.2\.3/);
  });

  it('runChecks: with the docker driver the image of (service, version) is inspected and its own report read', async () => {
    const config = { ...DEFAULT_CHECKS_CONFIG, vulnerabilities: { report: join(FIXTURES, 'trivy-{service}-{version}.json') } };
    const asked: unknown[] = [];
    const inspectImage = (host: string | null, role: string, version: string): Promise<DeployedImage> => {
      asked.push([host, role, version]);
      return Promise.resolve({ ...deployed, ref: `pitchey/${role}:${version}` });
    };
    const run = (version: string) =>
      runChecks({ config, env: 'staging', dataDir: tmp.dir, now, only: ['vulnerabilities'], inspectImage, target: { service: 'video', version, docker: { host: 'unix:///x.sock' } } });
    // trivy-video-clean.json is the deployed image's report; trivy-video-previous.json another digest's.
    expect((await run('clean')).evidence[0]).toMatchObject({ status: 'pass', source: fixture('clean') });
    expect((await run('previous')).evidence[0]).toMatchObject({ status: 'fail' });
    expect(asked).toEqual([
      ['unix:///x.sock', 'video', 'clean'],
      ['unix:///x.sock', 'video', 'previous'],
    ]);
  });

  it('runChecks: an image the engine does not hold fails the check with the reason', async () => {
    const inspectImage = (): Promise<DeployedImage> => Promise.reject(new Error('no image pitchey/video:9.9.9 on the engine'));
    const result = await runChecks({
      config: DEFAULT_CHECKS_CONFIG,
      env: 'staging',
      dataDir: tmp.dir,
      now,
      only: ['vulnerabilities'],
      inspectImage,
      target: { service: 'video', version: '9.9.9', docker: { host: null } },
    });
    expect(result.evidence[0]).toMatchObject({ status: 'fail', observed: 'error: no image pitchey/video:9.9.9 on the engine' });
  });
});

describe('deployed image', () => {
  it('reads the ID and registry digests of an engine inspection, and refuses one without an ID', () => {
    expect(deployedImageOf('pitchey/ai:1', { Id: V123, RepoDigests: ['r/ai@sha256:ab'] })).toEqual({ ref: 'pitchey/ai:1', id: V123, repoDigests: ['r/ai@sha256:ab'] });
    expect(deployedImageOf('pitchey/ai:1', { Id: V123 }).repoDigests).toEqual([]);
    expect(() => deployedImageOf('pitchey/ai:1', { Id: 'abc' })).toThrow('no image ID');
  });
  it('is the same image by ID, or by a registry digest under any repository name', () => {
    expect(sameImage({ imageId: V123, repoDigests: [] }, deployed)).toBe(true);
    expect(sameImage({ imageId: V122, repoDigests: [] }, deployed)).toBe(false);
    expect(sameImage({ imageId: null, repoDigests: ['a/b@sha256:11'] }, { ...deployed, repoDigests: ['c/d@sha256:11'] })).toBe(true);
    expect(sameImage({ imageId: null, repoDigests: [] }, deployed)).toBe(false);
  });
});
