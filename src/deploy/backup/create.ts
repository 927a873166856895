// createBackup(): copies the platform's state into a staging folder — SQLite stores through the
// online backup API, so a running platform's WAL databases copy consistently — then renames it into place.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { dataPath } from '../../kit/light.js';
import { BackupError, MANIFEST_FILE, backupName, type BackupFile, type BackupManifest } from './manifest.js';
import { copyNoFollow, inspectFile } from './safe-fs.js';
import { collectSources, isDir, type Source } from './sources.js';

export function backupsDirOf(dataDir: string): string {
  return dataPath(dataDir, 'backups');
}

async function copySqlite(from: string, to: string): Promise<void> {
  const source = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await source.backup(to);
  } finally {
    source.close();
  }
  // A self-contained copy in rollback-journal mode: opening it read-only later leaves no -wal/-shm beside it.
  const copy = new Database(to, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

async function stageFile(dataDir: string, staging: string, source: Source): Promise<BackupFile> {
  const to = join(staging, source.path);
  mkdirSync(dirname(to), { recursive: true });
  if (source.sqlite) await copySqlite(join(dataDir, source.path), to);
  else copyNoFollow(join(dataDir, source.path), to);
  const seen = inspectFile(staging, source.path);
  if (seen.state !== 'file') throw new BackupError(`${source.path}: the staged copy is ${seen.state}`);
  return { path: source.path, sha256: seen.sha256, bytes: seen.bytes };
}

/**
 * Backs up `dataDir` into `<dataDir>/backups/<time>/` with a checksummed manifest. The backup
 * appears whole or not at all. `now` defaults to the current time and names the folder.
 */
export async function createBackup(options: { dataDir: string; now?: Date }): Promise<{ dir: string; manifest: BackupManifest }> {
  const dataDir = resolve(options.dataDir);
  if (!isDir(dataDir)) throw new BackupError(`data dir ${dataDir} does not exist`);
  const now = options.now ?? new Date();
  const backupsDir = backupsDirOf(dataDir);
  const dir = join(backupsDir, backupName(now));
  if (existsSync(dir)) throw new BackupError(`backup ${dir} exists already`);
  mkdirSync(backupsDir, { recursive: true, mode: 0o700 });
  const staging = join(backupsDir, `.staging-${backupName(now)}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o700 });
  try {
    const { sources, absent } = collectSources(dataDir);
    const files: BackupFile[] = [];
    for (const source of sources) files.push(await stageFile(dataDir, staging, source));
    const manifest: BackupManifest = { version: 1, createdAt: now.toISOString(), sourceDataDir: dataDir, files, absent, restoreTestedAt: null };
    writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(staging, dir);
    return { dir, manifest };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
