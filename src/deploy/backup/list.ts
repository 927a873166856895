// listBackups(): the data dir's backups, newest first, each verified, with its last restore test.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { backupsDirOf } from './create.js';
import { isDir } from './sources.js';
import { verifyBackup } from './verify.js';

export interface BackupSummary {
  dir: string;
  name: string;
  /** From the manifest; null when it cannot be read. */
  createdAt: string | null;
  files: number;
  bytes: number;
  verified: boolean;
  problems: string[];
  lastRestoreTest: string | null;
}

/** Folder names of the finished backups (staging folders start with a dot), newest first. */
function backupNames(backupsDir: string): string[] {
  if (!isDir(backupsDir)) return [];
  return readdirSync(backupsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .reverse();
}

/** The newest backup's folder, or null when there is none. */
export function latestBackup(dataDir: string): string | null {
  const [newest] = backupNames(backupsDirOf(dataDir));
  return newest === undefined ? null : join(backupsDirOf(dataDir), newest);
}

/** Every backup under `<dataDir>/backups/`, newest first; verifying each reads all its files. */
export function listBackups(dataDir: string): BackupSummary[] {
  const backupsDir = backupsDirOf(dataDir);
  return backupNames(backupsDir).map((name) => {
    const dir = join(backupsDir, name);
    const result = verifyBackup(dir);
    const files = result.manifest?.files ?? [];
    return {
      dir,
      name,
      createdAt: result.manifest?.createdAt ?? null,
      files: files.length,
      bytes: files.reduce((n, f) => n + f.bytes, 0),
      verified: result.ok,
      problems: result.problems,
      lastRestoreTest: result.lastRestoreTest,
    };
  });
}
