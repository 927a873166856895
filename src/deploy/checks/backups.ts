// Backups: the newest backup of the platform's state (by default `<data>/backups/`) verifies in
// full through the backup module (manifest, sizes, sha256, SQLite integrity, no symlinks), is young
// enough, and has a successful restore test recorded recently enough.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { backupsDirOf, verifyBackup } from '../backup/index.js';
import type { ChecksConfig } from './checks-config.js';
import { createEvidence, guarded } from './create-evidence.js';
import type { Evidence } from './evidence.js';

const HOUR_MS = 3_600_000;
const hoursSince = (iso: string, now: Date): number => Math.round(((now.getTime() - Date.parse(iso)) / HOUR_MS) * 10) / 10;

/** The newest finished backup folder (staging folders start with a dot), or null. */
function newestBackup(dir: string): string | null {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const newest = names.at(-1);
  return newest === undefined ? null : join(dir, newest);
}

export function checkBackups(policy: ChecksConfig['backups'], dataDir: string, now: Date): Promise<Evidence> {
  const dir = policy.dir ?? backupsDirOf(dataDir);
  const threshold = `newest < ${policy.maxAgeHours} h old and verified, restore tested < ${policy.restoreTestMaxAgeHours} h ago`;
  return guarded('backups', dir, now, () => {
    const fail = (observed: string, details?: Record<string, unknown>): Evidence => createEvidence('backups', { status: 'fail', observed, threshold, source: dir, details }, now);
    let folder: string | null;
    try {
      folder = newestBackup(dir);
    } catch {
      return fail(`backup directory ${dir} does not exist or cannot be read`);
    }
    if (folder === null) return fail('no backup found');
    const result = verifyBackup(folder);
    const problems = [...result.problems];
    const createdAt = result.manifest?.createdAt ?? null;
    if (createdAt !== null && hoursSince(createdAt, now) > policy.maxAgeHours) problems.push(`newest backup is ${hoursSince(createdAt, now)} h old`);
    if (result.lastRestoreTest === null) problems.push('no successful restore test recorded');
    else if (hoursSince(result.lastRestoreTest, now) > policy.restoreTestMaxAgeHours) problems.push(`last restore test ${result.lastRestoreTest} is older than ${policy.restoreTestMaxAgeHours} h`);
    const details = { folder, createdAt, lastRestoreTest: result.lastRestoreTest, files: result.manifest?.files.length ?? 0, problems };
    if (problems.length > 0) return fail(problems.join('; '), details);
    return createEvidence(
      'backups',
      {
        status: 'pass',
        observed: `newest ${hoursSince(createdAt ?? '', now)} h old, ${details.files} files verified, restore tested ${hoursSince(result.lastRestoreTest ?? '', now)} h ago`,
        threshold,
        source: dir,
        details,
      },
      now,
    );
  });
}
