// verifyBackup(): a backup is sound when its manifest is well-formed and safe, every listed file
// is there with its size and sha256 (SQLite copies also pass integrity_check), and nothing else is.
import { closeSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MANIFEST_FILE, RESTORE_TESTS_FILE, isSqlitePath, parseManifest, type BackupFile, type BackupManifest } from './manifest.js';
import { latestRestoreTest } from './restore-tests.js';
import { inspectFile, openNoFollow, sqliteIntegrity, walkTree } from './safe-fs.js';
import { isDir } from './sources.js';

export interface VerifyResult {
  ok: boolean;
  /** One line per problem, each naming the file it is about. */
  problems: string[];
  /** Null when there is no readable manifest. */
  manifest: BackupManifest | null;
  /** The latest successful restore test (`restore-tests.json`), or null. */
  lastRestoreTest: string | null;
}

const MAX_MANIFEST_BYTES = 64 << 20;
const UNREADABLE = { missing: 'missing', symlink: 'is or goes through a symlink (not followed)', 'not-a-file': 'not a regular file' } as const;
const short = (sha: string): string => sha.slice(0, 12);

function fileProblems(root: string, file: BackupFile): string[] {
  const seen = inspectFile(root, file.path);
  if (seen.state !== 'file') return [`${file.path}: ${UNREADABLE[seen.state]}`];
  const problems: string[] = [];
  if (seen.bytes !== file.bytes) problems.push(`${file.path}: ${seen.bytes} bytes, the manifest says ${file.bytes}`);
  if (seen.sha256 !== file.sha256) problems.push(`${file.path}: sha256 ${short(seen.sha256)}… does not match the manifest's ${short(file.sha256)}…`);
  if (problems.length > 0 || !isSqlitePath(file.path)) return problems;
  const finding = sqliteIntegrity(join(root, file.path));
  return finding === null ? [] : [`${file.path}: SQLite integrity_check failed: ${finding}`];
}

/** Compares the files under `root` with the manifest; `own` are files allowed beside them. */
export function checkTree(root: string, manifest: BackupManifest, own: ReadonlySet<string> = new Set()): string[] {
  const problems = manifest.files.flatMap((f) => fileProblems(root, f));
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const entry of walkTree(root)) {
    if (listed.has(entry.path) || (entry.kind === 'file' && own.has(entry.path))) continue;
    problems.push(entry.kind === 'symlink' ? `${entry.path}: a symlink (not followed)` : `${entry.path}: not in the manifest (extra file)`);
  }
  return problems;
}

function readManifest(root: string): { manifest: BackupManifest | null; problems: string[] } {
  const seen = inspectFile(root, MANIFEST_FILE);
  if (seen.state !== 'file') return { manifest: null, problems: [`${MANIFEST_FILE}: ${seen.state === 'missing' ? 'missing' : `not a regular file (${seen.state})`}`] };
  if (seen.bytes > MAX_MANIFEST_BYTES) return { manifest: null, problems: [`${MANIFEST_FILE}: ${seen.bytes} bytes is too large for a manifest`] };
  const fd = openNoFollow(join(root, MANIFEST_FILE));
  try {
    return parseManifest(readFileSync(fd, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

/** Checks the backup in `dir` without following any link or reading outside it. */
export function verifyBackup(dir: string): VerifyResult {
  const root = resolve(dir);
  if (!isDir(root)) return { ok: false, problems: [`${root}: not a backup directory`], manifest: null, lastRestoreTest: null };
  const { manifest, problems } = readManifest(root);
  if (manifest !== null) problems.push(...checkTree(root, manifest, new Set([MANIFEST_FILE, RESTORE_TESTS_FILE])));
  return { ok: manifest !== null && problems.length === 0, problems, manifest, lastRestoreTest: latestRestoreTest(root) };
}
