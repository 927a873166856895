// restoreBackup(): verify, copy into a staging folder beside an empty or new target, re-verify the
// copy against the manifest, rename it into place, and log the result as a restore test.
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { DATA_PATHS } from '../../kit/light.js';
import { BackupError, type BackupManifest } from './manifest.js';
import { recordRestoreTest, type RestoreTest } from './restore-tests.js';
import { copyNoFollow } from './safe-fs.js';
import { checkTree, verifyBackup } from './verify.js';

const list = (problems: string[]): string => problems.map((p) => `\n  - ${p}`).join('');

function targetState(into: string): 'absent' | 'empty' | 'link' | 'not-a-dir' | 'live' | 'non-empty' {
  let stat;
  try {
    stat = lstatSync(into);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  if (stat.isSymbolicLink()) return 'link';
  if (!stat.isDirectory()) return 'not-a-dir';
  const entries = readdirSync(into);
  if (entries.length === 0) return 'empty';
  return entries.includes(DATA_PATHS.controllerDb) || entries.includes(DATA_PATHS.services) ? 'live' : 'non-empty';
}

/** Throws unless `into` is a new or empty directory outside the backup. */
function assertRestorable(into: string, backupDir: string): void {
  if (into === backupDir || into.startsWith(`${backupDir}${sep}`)) throw new BackupError(`refusing to restore into ${into}: it is inside the backup`);
  const state = targetState(into);
  if (state === 'absent' || state === 'empty') return;
  const advice = 'restore into a new directory (--into), then stop the platform and point PITCHEY_DATA_DIR at it';
  if (state === 'live') throw new BackupError(`refusing to restore over ${into}: it holds a data dir (perhaps a live one); ${advice}`);
  const what = state === 'link' ? 'a symlink' : state === 'not-a-dir' ? 'not a directory' : 'not empty';
  throw new BackupError(`refusing to restore into ${into}: it is ${what}; ${advice}`);
}

function copyFiles(backupDir: string, manifest: BackupManifest, staging: string): void {
  for (const file of manifest.files) {
    mkdirSync(dirname(join(staging, file.path)), { recursive: true });
    copyNoFollow(join(backupDir, file.path), join(staging, file.path));
  }
}

/**
 * Restores the backup in `backupDir` into `into` (a new or empty directory) and records the
 * restore test in the backup's `restore-tests.json`. Refuses a backup that does not verify.
 */
export function restoreBackup(options: { backupDir: string; into: string; now?: Date }): { into: string; manifest: BackupManifest; test: RestoreTest } {
  const backupDir = resolve(options.backupDir);
  const into = resolve(options.into);
  const checked = verifyBackup(backupDir);
  if (!checked.ok || checked.manifest === null) throw new BackupError(`refusing to restore ${backupDir}: it does not verify${list(checked.problems)}`);
  const manifest = checked.manifest;
  assertRestorable(into, backupDir);
  const staging = `${into}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    copyFiles(backupDir, manifest, staging);
    const problems = checkTree(staging, manifest);
    const test: RestoreTest = { at: (options.now ?? new Date()).toISOString(), into, ok: problems.length === 0 };
    if (test.ok) renameSync(staging, into);
    recordRestoreTest(backupDir, test);
    if (!test.ok) throw new BackupError(`the restored copy of ${backupDir} does not match its manifest${list(problems)}`);
    return { into, manifest, test };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
