// The restore-test log beside a backup's manifest (which never changes): each restore appends
// `{ at, into, ok }`, and the pre-deployment backup check reads the latest successful one.
import { closeSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESTORE_TESTS_FILE } from './manifest.js';
import { inspectFile, openNoFollow } from './safe-fs.js';

export interface RestoreTest {
  at: string;
  into: string;
  ok: boolean;
}

const isRestoreTest = (t: unknown): t is RestoreTest => {
  const r = t as Partial<Record<keyof RestoreTest, unknown>> | null;
  return r !== null && typeof r === 'object' && typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)) && typeof r.into === 'string' && typeof r.ok === 'boolean';
};

/** The backup's restore tests, oldest first; malformed entries (or a planted link) count as none. */
export function readRestoreTests(backupDir: string): RestoreTest[] {
  if (inspectFile(backupDir, RESTORE_TESTS_FILE).state !== 'file') return [];
  const fd = openNoFollow(join(backupDir, RESTORE_TESTS_FILE));
  try {
    const parsed: unknown = JSON.parse(readFileSync(fd, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter(isRestoreTest) : [];
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
}

/** When this backup was last restored and re-verified successfully; null when never. */
export function latestRestoreTest(backupDir: string): string | null {
  const times = readRestoreTests(backupDir)
    .filter((t) => t.ok)
    .map((t) => t.at)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return times.at(-1) ?? null;
}

/** Appends one restore test; written to a temp file and renamed, so readers see the old or new log. */
export function recordRestoreTest(backupDir: string, test: RestoreTest): void {
  const tests = [...readRestoreTests(backupDir), test];
  const temp = join(backupDir, `.${RESTORE_TESTS_FILE}.${process.pid}`);
  writeFileSync(temp, `${JSON.stringify(tests, null, 2)}\n`, { flag: 'wx' });
  renameSync(temp, join(backupDir, RESTORE_TESTS_FILE));
}
