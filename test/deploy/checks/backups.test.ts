// The backup check over real backups made by `pitchey backup`: a fresh, restore-tested backup
// passes; a tampered file, an old backup, or one never restored fails; none at all fails.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackup, restoreBackup } from '../../../src/deploy/backup/index.js';
import { checkBackups } from '../../../src/deploy/checks/backups.js';
import { openControllerDb, writeCurrentVersion } from '../../../src/deploy/store.js';
import { makeTempDir } from '../../helpers.js';

const temps: Array<() => void> = [];
afterEach(() => {
  while (temps.length) temps.pop()?.();
});
const policy = { dir: null, maxAgeHours: 24, restoreTestMaxAgeHours: 24 };

function dataDir(): string {
  const t = makeTempDir('pitchey-backup-check-');
  temps.push(t.remove);
  const db = openControllerDb(join(t.dir, 'controller.sqlite'));
  writeCurrentVersion(db, 'local', 'video', 'v1', 1);
  db.close();
  mkdirSync(join(t.dir, 'services', 'document', 'templates'), { recursive: true });
  writeFileSync(join(t.dir, 'services', 'document', 'templates', 'memo.json'), '{"title":"memo"}');
  return t.dir;
}

async function backedUp(restore: boolean): Promise<{ data: string; dir: string; made: Date }> {
  const data = dataDir();
  const made = new Date();
  const { dir } = await createBackup({ dataDir: data, now: made });
  if (restore) {
    const target = makeTempDir('pitchey-restore-');
    temps.push(target.remove);
    restoreBackup({ backupDir: dir, into: join(target.dir, 'restored'), now: made });
  }
  return { data, dir, made };
}

describe('backups check', () => {
  it('passes a fresh, verified, restore-tested backup', async () => {
    const { data } = await backedUp(true);
    const e = await checkBackups(policy, data, new Date());
    expect(e.status, e.observed).toBe('pass');
    expect(e.observed).toMatch(/files verified, restore tested/);
  });
  it('fails a backup that was never restored', async () => {
    const { data } = await backedUp(false);
    const e = await checkBackups(policy, data, new Date());
    expect([e.status, e.observed]).toEqual(['fail', 'no successful restore test recorded']);
  });
  it('fails when a backed-up file changed afterwards, naming it', async () => {
    const { data, dir } = await backedUp(true);
    const file = join(dir, 'services', 'document', 'templates', 'memo.json');
    chmodSync(file, 0o644);
    writeFileSync(file, '{"title":"tampered"}');
    const e = await checkBackups(policy, data, new Date());
    expect(e.status).toBe('fail');
    expect(e.observed).toContain('templates/memo.json');
  });
  it('fails when the newest backup is older than the policy allows', async () => {
    const { data } = await backedUp(true);
    const e = await checkBackups(policy, data, new Date(Date.now() + 30 * 3_600_000));
    expect(e.status).toBe('fail');
    expect(e.observed).toMatch(/newest backup is 3\d(\.\d)? h old/);
  });
  it('fails with no backup at all, or no backup directory', async () => {
    expect((await checkBackups(policy, dataDir(), new Date())).observed).toMatch(/does not exist|no backup found/);
    const data = dataDir();
    mkdirSync(join(data, 'backups'));
    expect((await checkBackups(policy, data, new Date())).observed).toBe('no backup found');
  });
});
