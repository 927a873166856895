// Backups of the platform's own state, on a realistic data dir whose SQLite stores stay open (WAL)
// while they are copied; then verify, restore, and every way a backup can be damaged or hostile.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { exitCodeOf } from '../../src/cli/usage.js';
import { BackupError, createBackup, latestRestoreTest, listBackups, readRestoreTests, restoreBackup, verifyBackup, type BackupManifest } from '../../src/deploy/backup/index.js';
import type { DeploymentState } from '../../src/deploy/engine/types.js';
import { openControllerDb, readDeployment, writeDeployment } from '../../src/deploy/store.js';
import { createSqliteJobBackend } from '../../src/jobs/index.js';
import { makeTempDir } from '../helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function tempDir(): string {
  const t = makeTempDir('pitchey-backup-');
  cleanups.push(t.remove);
  return t.dir;
}

function write(root: string, rel: string, content: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), content);
}

const NOW = new Date('2025-03-04T05:06:07.089Z');
const STATE: DeploymentState = {
  plan: {
    id: 'dep-1',
    service: 'video',
    strategy: 'canary',
    fromVersion: 'v1',
    toVersion: 'v2',
    instances: 1,
    steps: [5, 100],
    stepMs: 1000,
    bakeMs: 0,
    readyTimeoutMs: 10_000,
    rules: [],
    faults: null,
  },
  phase: 'promoted',
  stepIndex: 1,
  stepStartedAt: 2_000,
  breachSince: {},
  assessments: [],
  reason: null,
  startedAt: 1_000,
  updatedAt: 3_000,
  replaced: 0,
};
const EXPECTED_FILES = [
  'controller.sqlite',
  'releases/v1/manifest.json',
  'services/ai/classifiers/spam/v1.json',
  'services/code/functions.sqlite',
  'services/document/templates/pitch-deck.json',
  'services/media/stream-records/s1.json',
  'services/media/streams/s1/master.m3u8',
  'services/media/streams/s2/manifest.mpd',
  'services/video/jobs.sqlite',
];

/** A data dir as a running platform leaves it; the controller and job stores stay open (WAL) until the test ends. */
async function runningDataDir(): Promise<string> {
  const dataDir = tempDir();
  const controller = openControllerDb(join(dataDir, 'controller.sqlite'));
  cleanups.push(() => controller.close());
  writeDeployment(controller, { id: 'dep-1', env: 'local', service: 'video', author: 'alice', state: STATE });
  mkdirSync(join(dataDir, 'services/video'), { recursive: true });
  const jobs = createSqliteJobBackend({ path: join(dataDir, 'services/video/jobs.sqlite') });
  cleanups.push(() => jobs.close());
  await jobs.enqueue('transcode', { input: 'pitch.mp4' }, { id: 'job-1' }, 1_000);
  write(dataDir, 'services/document/templates/pitch-deck.json', '{"name":"pitch-deck"}\n');
  write(dataDir, 'services/ai/classifiers/spam/v1.json', '{"version":1}\n');
  write(dataDir, 'services/media/stream-records/s1.json', '{"id":"s1"}\n');
  mkdirSync(join(dataDir, 'services/code'), { recursive: true });
  const functions = new Database(join(dataDir, 'services/code/functions.sqlite'));
  functions.exec("create table functions (name text, version integer, code text); insert into functions values ('hello', 1, 'print(1)')");
  cleanups.push(() => functions.close());
  write(dataDir, 'services/media/streams/s1/master.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n720p.m3u8\n');
  write(dataDir, 'services/media/streams/s1/seg-0.m4s', 'segment bytes');
  write(dataDir, 'services/media/streams/s2/manifest.mpd', '<MPD/>\n');
  write(dataDir, 'services/video/jobs/job-1/input.mp4', 'an upload, not state');
  write(dataDir, 'releases/v1/manifest.json', '{"version":"v1"}\n');
  write(dataDir, 'releases/v1/dist/cli/main.js', '// code, not state\n');
  return dataDir;
}

function editManifest(dir: string, edit: (m: BackupManifest) => void): void {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  edit(m);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('createBackup', () => {
  it('copies the state of a running platform (open WAL stores) and not segments, uploads or code', async () => {
    const dataDir = await runningDataDir();
    expect(statSync(join(dataDir, 'controller.sqlite-wal')).size).toBeGreaterThan(0);
    const { dir, manifest } = await createBackup({ dataDir, now: NOW });
    expect(dir).toBe(join(dataDir, 'backups', '2025-03-04T050607.089Z'));
    expect(manifest.files.map((f) => f.path)).toEqual(EXPECTED_FILES);
    expect(manifest).toMatchObject({ version: 1, createdAt: NOW.toISOString(), sourceDataDir: dataDir, absent: ['ai-usage', 'checks'], restoreTestedAt: null });
    for (const f of manifest.files) expect(sha256(join(dir, f.path))).toBe(f.sha256);
    expect(readdirSync(join(dataDir, 'backups'))).toEqual(['2025-03-04T050607.089Z']);
    expect(existsSync(join(dir, 'controller.sqlite-wal'))).toBe(false);
    const copy = new Database(join(dir, 'controller.sqlite'), { readonly: true });
    expect(readDeployment(copy, 'dep-1')?.state.plan.toVersion).toBe('v2');
    copy.close();
  });

  it('verifies, and reports no restore test yet', async () => {
    const { dir } = await createBackup({ dataDir: await runningDataDir(), now: NOW });
    expect(verifyBackup(dir)).toMatchObject({ ok: true, problems: [], lastRestoreTest: null });
    expect(readdirSync(dir).sort()).not.toContain('controller.sqlite-shm');
  });

  it('refuses a data dir that does not exist', async () => {
    await expect(createBackup({ dataDir: join(tempDir(), 'nope') })).rejects.toThrow(BackupError);
  });
});

describe('restoreBackup', () => {
  it('restores every file into an empty dir, byte for byte, the stores queryable, and records the restore test', async () => {
    const dataDir = await runningDataDir();
    const { dir } = await createBackup({ dataDir, now: NOW });
    const into = tempDir();
    const at = new Date('2025-03-05T00:00:00.000Z');
    const { test } = restoreBackup({ backupDir: dir, into, now: at });
    expect(test).toEqual({ at: at.toISOString(), into, ok: true });
    for (const path of EXPECTED_FILES.filter((p) => !p.endsWith('.sqlite'))) expect(readFileSync(join(into, path))).toEqual(readFileSync(join(dataDir, path)));
    for (const path of EXPECTED_FILES) expect(readFileSync(join(into, path))).toEqual(readFileSync(join(dir, path)));
    expect(existsSync(join(into, 'services/media/streams/s1/seg-0.m4s'))).toBe(false);

    const controller = new Database(join(into, 'controller.sqlite'), { readonly: true, fileMustExist: true });
    expect(readDeployment(controller, 'dep-1')).toMatchObject({ service: 'video', author: 'alice', state: STATE });
    controller.close();
    const jobs = createSqliteJobBackend({ path: join(into, 'services/video/jobs.sqlite') });
    expect(await jobs.get('job-1')).toMatchObject({ type: 'transcode', state: 'queued', payload: { input: 'pitch.mp4' } });
    await jobs.close();

    expect(readRestoreTests(dir)).toEqual([test]);
    expect(latestRestoreTest(dir)).toBe(at.toISOString());
    expect(verifyBackup(dir)).toMatchObject({ ok: true, lastRestoreTest: at.toISOString() });
    expect(listBackups(dataDir)).toEqual([expect.objectContaining({ dir, files: EXPECTED_FILES.length, verified: true, lastRestoreTest: at.toISOString() })]);
  });

  it('creates a target that does not exist yet', async () => {
    const { dir } = await createBackup({ dataDir: await runningDataDir(), now: NOW });
    const into = join(tempDir(), 'new', 'data');
    restoreBackup({ backupDir: dir, into });
    expect(readdirSync(into).sort()).toEqual(['controller.sqlite', 'releases', 'services']);
    expect(readdirSync(dirname(into))).toEqual(['data']);
  });

  it('refuses a non-empty target, and the live data dir by name', async () => {
    const dataDir = await runningDataDir();
    const { dir } = await createBackup({ dataDir, now: NOW });
    const into = tempDir();
    write(into, 'notes.txt', 'keep me');
    expect(() => restoreBackup({ backupDir: dir, into })).toThrow(/not empty/);
    expect(readdirSync(into)).toEqual(['notes.txt']);
    expect(() => restoreBackup({ backupDir: dir, into: dataDir })).toThrow(/refusing to restore over .* data dir \(perhaps a live one\)/);
    expect(() => restoreBackup({ backupDir: dir, into: join(dir, 'x') })).toThrow(/inside the backup/);
    expect(readRestoreTests(dir)).toEqual([]);
  });

  it('refuses a tampered backup and writes nothing', async () => {
    const { dir } = await createBackup({ dataDir: await runningDataDir(), now: NOW });
    write(dir, 'services/document/templates/pitch-deck.json', '{"name":"evil"}\n');
    const into = join(tempDir(), 'target');
    expect(() => restoreBackup({ backupDir: dir, into })).toThrow(/does not verify[\s\S]*templates\/pitch-deck\.json/);
    expect(existsSync(into)).toBe(false);
    expect(readdirSync(dirname(into))).toEqual([]);
  });
});

describe('verifyBackup finds', () => {
  async function fresh(): Promise<string> {
    return (await createBackup({ dataDir: await runningDataDir(), now: NOW })).dir;
  }

  it('a changed file, naming it', async () => {
    const dir = await fresh();
    write(dir, 'services/ai/classifiers/spam/v1.json', '{"version":2}\n');
    const r = verifyBackup(dir);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/^services\/ai\/classifiers\/spam\/v1\.json: .*(bytes|sha256)/m);
  });

  it('a deleted file', async () => {
    const dir = await fresh();
    rmSync(join(dir, 'services/video/jobs.sqlite'));
    expect(verifyBackup(dir)).toMatchObject({ ok: false, problems: ['services/video/jobs.sqlite: missing'] });
  });

  it('an extra file', async () => {
    const dir = await fresh();
    write(dir, 'services/media/streams/s1/seg-0.m4s', 'smuggled');
    expect(verifyBackup(dir)).toMatchObject({ ok: false, problems: ['services/media/streams/s1/seg-0.m4s: not in the manifest (extra file)'] });
  });

  it('a malformed manifest, and a missing one', async () => {
    const dir = await fresh();
    writeFileSync(join(dir, 'manifest.json'), '{"version": 1, "files": [');
    expect(verifyBackup(dir)).toMatchObject({ ok: false, manifest: null, problems: [expect.stringMatching(/^manifest: not JSON/)] });
    rmSync(join(dir, 'manifest.json'));
    expect(verifyBackup(dir)).toMatchObject({ ok: false, problems: ['manifest.json: missing'] });
  });

  it('paths that climb out of the backup, without reading what they point at', async () => {
    const dir = await fresh();
    const outside = join(dir, '..', 'outside.txt');
    writeFileSync(outside, 'secret outside the backup');
    editManifest(dir, (m) => {
      m.files.push({ path: '../../etc/passwd', sha256: 'a'.repeat(64), bytes: 1 });
      m.files.push({ path: '../outside.txt', sha256: sha256(outside), bytes: statSync(outside).size });
      m.files.push({ path: '/etc/hostname', sha256: 'b'.repeat(64), bytes: 1 });
    });
    const r = verifyBackup(dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'manifest: file #10 has an unsafe path "../../etc/passwd" (not read)',
      'manifest: file #11 has an unsafe path "../outside.txt" (not read)',
      'manifest: file #12 has an unsafe path "/etc/hostname" (not read)',
    ]);
    expect(() => restoreBackup({ backupDir: dir, into: join(tempDir(), 't') })).toThrow(/unsafe path/);
  });

  it('a symlink in place of a file, even one pointing at identical bytes', async () => {
    const dir = await fresh();
    const outside = join(tempDir(), 'copy.json');
    writeFileSync(outside, readFileSync(join(dir, 'services/document/templates/pitch-deck.json')));
    rmSync(join(dir, 'services/document/templates/pitch-deck.json'));
    symlinkSync(outside, join(dir, 'services/document/templates/pitch-deck.json'));
    symlinkSync(tempDir(), join(dir, 'linked-dir'));
    expect(verifyBackup(dir).problems).toEqual(['services/document/templates/pitch-deck.json: is or goes through a symlink (not followed)', 'linked-dir: a symlink (not followed)']);
  });

  it('a SQLite copy whose checksum was forged over corrupt pages', async () => {
    const dir = await fresh();
    const path = join(dir, 'controller.sqlite');
    const bytes = readFileSync(path);
    bytes.fill(0x5a, 4096 + 8, bytes.length);
    writeFileSync(path, bytes);
    editManifest(dir, (m) => {
      const f = m.files.find((x) => x.path === 'controller.sqlite');
      if (f) f.sha256 = sha256(path);
    });
    const r = verifyBackup(dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.stringMatching(/^controller\.sqlite: SQLite integrity_check failed: /)]);
  });
});

describe('pitchey backup', () => {
  it('creates, lists, verifies, restores, and exits 1 on a refused restore', async () => {
    const dataDir = await runningDataDir();
    vi.stubEnv('PITCHEY_DATA_DIR', dataDir);
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => {
      out.push(line);
    });
    vi.spyOn(console, 'error').mockImplementation((line: string) => {
      out.push(line);
    });
    await runCli(['backup', 'create']);
    expect(out.pop()).toMatch(/^backup .*: 9 files, .*; absent: ai-usage, checks$/);
    await runCli(['backup', 'verify']);
    expect(out.pop()).toMatch(/verified, 9 files, .*; last restore test: never$/);
    const [only] = listBackups(dataDir);
    const into = join(tempDir(), 'restored');
    await runCli(['backup', 'restore', '--backup', only?.dir ?? '', '--into', into]);
    expect(out.pop()).toMatch(/^restored 9 files .* restore test recorded/);
    // Refused over a live data dir: main exits 1 for it (cli/usage.ts's table).
    const refused = await runCli(['backup', 'restore', '--backup', only?.dir ?? '']).then(
      () => null,
      (err: unknown) => err,
    );
    expect([(refused as Error).message, exitCodeOf(refused)]).toEqual([expect.stringMatching(/^refusing to restore over/), 1]);
    await runCli(['backup', 'list']);
    expect(out.pop()).toMatch(/yes\s+\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    write(only?.dir ?? '', 'extra.txt', 'x');
    await expect(runCli(['backup', 'verify', '--backup', only?.dir ?? ''])).rejects.toThrow(/does not verify \(1 problems\)/);
  });
});
