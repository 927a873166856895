import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit, readAudit, verifyAudit } from '../../src/deploy/audit.js';
import { LockHeld, acquireLock, readLock, releaseLock } from '../../src/deploy/lock.js';
import { ReleaseError, buildRelease, listReleases, releaseEntry } from '../../src/deploy/releases.js';
import { openControllerDb, readCurrentVersion, writeCurrentVersion } from '../../src/deploy/store.js';
import { makeTempDir } from '../helpers.js';
import { CODE_CACHE_SUFFIX } from '../../src/kit/roles.js';

const temps: Array<() => void> = [];
afterEach(() => {
  while (temps.length) temps.pop()?.();
});
function db() {
  const t = makeTempDir();
  temps.push(t.remove);
  const d = openControllerDb(join(t.dir, 'c.sqlite'));
  temps.unshift(() => d.close());
  return d;
}

describe('audit log', () => {
  it('chains every event to the previous one and verifies', () => {
    const d = db();
    for (let i = 0; i < 5; i++) appendAudit(d, { at: 1000 + i, env: 'prod', kind: 'k', actor: 'alice', data: { i } });
    const events = readAudit(d);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
    expect(verifyAudit(d)).toBeNull();
  });
  it('verifies events whose data held undefined values (regression: they are dropped when stored)', () => {
    const d = db();
    appendAudit(d, { at: 1, env: 'prod', kind: 'checks.evaluated', actor: 'controller', data: { evidence: [{ check: 'dns', waiver: undefined }], note: undefined } });
    expect(verifyAudit(d)).toBeNull();
  });
  it('refuses updates and deletes, and detects an edit made behind its back', () => {
    const d = db();
    for (let i = 0; i < 3; i++) appendAudit(d, { at: i, env: 'prod', kind: 'k', actor: 'a', data: { i } });
    expect(() => d.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => d.prepare('DELETE FROM audit WHERE seq = 2').run()).toThrow(/append-only/);
    d.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
    d.prepare('UPDATE audit SET data = \'{"i":99}\' WHERE seq = 2').run();
    expect(verifyAudit(d)).toMatchObject({ brokenAt: 2, reason: expect.stringContaining('edited') });
    d.prepare('UPDATE audit SET data = \'{"i":1}\' WHERE seq = 2').run();
    d.prepare('DELETE FROM audit WHERE seq = 2').run();
    expect(verifyAudit(d)).toMatchObject({ brokenAt: 3, reason: expect.stringContaining('removed') });
  });
});

describe('deploy lock', () => {
  it('has one holder per environment, named when refused', () => {
    const d = db();
    acquireLock(d, { env: 'prod', holder: 'alice', reason: 'deploy video v2', deploymentId: 'dep-1', acquiredAt: 5 });
    acquireLock(d, { env: 'staging', holder: 'bob', reason: 'x', deploymentId: 'dep-2', acquiredAt: 6 });
    expect(() => acquireLock(d, { env: 'prod', holder: 'bob', reason: 'y', deploymentId: 'dep-3', acquiredAt: 7 })).toThrow(LockHeld);
    expect(() => acquireLock(d, { env: 'prod', holder: 'bob', reason: 'y', deploymentId: 'dep-3', acquiredAt: 7 })).toThrow(/locked by alice/);
    expect(releaseLock(d, 'prod', 'dep-3')).toBe(false);
    expect(readLock(d, 'prod')?.holder).toBe('alice');
    expect(releaseLock(d, 'prod', 'dep-1')).toBe(true);
    expect(readLock(d, 'prod')).toBeNull();
  });
  it('keeps the current and previous version per service', () => {
    const d = db();
    writeCurrentVersion(d, 'prod', 'video', 'v1', 1);
    writeCurrentVersion(d, 'prod', 'video', 'v2', 2);
    writeCurrentVersion(d, 'prod', 'video', 'v2', 3);
    expect(readCurrentVersion(d, 'prod', 'video')).toEqual({ version: 'v2', previous: 'v1' });
  });
});

describe('releases', () => {
  function project(): { root: string; releases: string } {
    const t = makeTempDir();
    temps.push(() => {
      chmodRecursive(t.dir);
      t.remove();
    });
    mkdirSync(join(t.dir, 'dist', 'cli'), { recursive: true });
    mkdirSync(join(t.dir, 'node_modules'));
    writeFileSync(join(t.dir, 'dist', 'cli', 'main.js'), 'console.log(1)\n');
    writeFileSync(join(t.dir, 'package.json'), '{}');
    writeFileSync(join(t.dir, 'package-lock.json'), '{}');
    return { root: t.dir, releases: join(t.dir, 'releases') };
  }
  function chmodRecursive(dir: string): void {
    try {
      chmodSync(join(dir, 'releases'), 0o755);
    } catch {
      /* none */
    }
  }

  it('builds an immutable, checksummed release and refuses to overwrite it', () => {
    const p = project();
    const m = buildRelease({ projectRoot: p.root, releasesDir: p.releases, version: 'v1.2.0' });
    expect(m).toMatchObject({ version: 'v1.2.0', files: 3, checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(() => buildRelease({ projectRoot: p.root, releasesDir: p.releases, version: 'v1.2.0' })).toThrow(/immutable/);
    expect(() => buildRelease({ projectRoot: p.root, releasesDir: p.releases, version: '../x' })).toThrow(ReleaseError);
    expect(listReleases(p.releases).map((r) => r.version)).toEqual(['v1.2.0']);
    expect(releaseEntry(p.releases, 'v1.2.0')).toBe(join(p.releases, 'v1.2.0', 'dist', 'cli', 'main.js'));
  });
  it("leaves out a role's code cache: not copied into a release, and one written in it later changes nothing", () => {
    const p = project();
    mkdirSync(join(p.root, 'dist', 'bundle'));
    writeFileSync(join(p.root, 'dist', 'bundle', 'ai.cjs'), '"use strict";\n');
    writeFileSync(join(p.root, 'dist', 'bundle', `ai.cjs${CODE_CACHE_SUFFIX}`), 'cache of the project copy');
    const m = buildRelease({ projectRoot: p.root, releasesDir: p.releases, version: 'v1' });
    const bundles = join(p.releases, 'v1', 'dist', 'bundle');
    expect(readdirSync(bundles)).toEqual(['ai.cjs']);
    expect(m.files).toBe(4);
    // A process run from the release writes its cache there: the release is still the one built.
    writeFileSync(join(bundles, `ai.cjs${CODE_CACHE_SUFFIX}`), 'cache written by a process of the release');
    expect(releaseEntry(p.releases, 'v1')).toBe(join(p.releases, 'v1', 'dist', 'cli', 'main.js'));
  });
  it('refuses to run a release whose files changed after the build, or one that does not exist', () => {
    const p = project();
    buildRelease({ projectRoot: p.root, releasesDir: p.releases, version: 'v1' });
    const main = join(p.releases, 'v1', 'dist', 'cli', 'main.js');
    chmodSync(main, 0o644);
    writeFileSync(main, 'console.log("tampered")\n');
    expect(() => releaseEntry(p.releases, 'v1')).toThrow(/checksum mismatch/);
    expect(() => releaseEntry(p.releases, 'v9')).toThrow(/does not exist/);
  });
});
