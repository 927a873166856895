// File access that never follows a symlink: reading a backup (or a data dir) must stay inside the
// folder it was asked about, whatever a manifest or a planted link says.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readdirSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Inspection = { state: 'file'; bytes: number; sha256: string } | { state: 'missing' | 'symlink' | 'not-a-file' };

const CHUNK = 1 << 20;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/** What `root/rel` is, checking every segment with lstat, so no link on the way is followed. */
function walkSegments(root: string, rel: string): Inspection | null {
  let path = root;
  const segments = rel.split('/');
  for (const [i, segment] of segments.entries()) {
    path = join(path, segment);
    const stat = lstatOrNull(path);
    if (stat === null) return { state: 'missing' };
    if (stat.isSymbolicLink()) return { state: 'symlink' };
    const last = i === segments.length - 1;
    if (last ? !stat.isFile() : !stat.isDirectory()) return { state: 'not-a-file' };
  }
  return null;
}

/** Opens a regular file for reading; O_NOFOLLOW closes the gap between the lstat and the open. */
export function openNoFollow(path: string): number {
  return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
}

function forEachChunk(fd: number, onChunk: (chunk: Buffer) => void): void {
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) onChunk(buffer.subarray(0, n));
}

/** The file at data-dir- or backup-relative `rel`: its size and sha256, or why it cannot be read. */
export function inspectFile(root: string, rel: string): Inspection {
  const blocked = walkSegments(root, rel);
  if (blocked !== null) return blocked;
  const fd = openNoFollow(join(root, rel));
  try {
    if (!fstatSync(fd).isFile()) return { state: 'not-a-file' };
    const hash = createHash('sha256');
    let bytes = 0;
    forEachChunk(fd, (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    return { state: 'file', bytes, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/** Copies `from` (never through a link) to a new file `to` (never over an existing one). */
export function copyNoFollow(from: string, to: string): void {
  const src = openNoFollow(from);
  try {
    const dest = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, fstatSync(src).mode & 0o777);
    try {
      forEachChunk(src, (chunk) => {
        writeSync(dest, chunk);
      });
    } finally {
      closeSync(dest);
    }
  } finally {
    closeSync(src);
  }
}

export interface TreeEntry {
  path: string;
  kind: 'file' | 'symlink' | 'other';
}

/** Every non-directory under `root`, relative and `/`-separated; links are listed, not entered. */
export function walkTree(root: string, prefix = ''): TreeEntry[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((e): TreeEntry[] => {
    const path = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) return walkTree(root, path);
    return [{ path, kind: e.isFile() ? 'file' : e.isSymbolicLink() ? 'symlink' : 'other' }];
  });
}

/** SQLite's own check of a copy, opened read-only: null when sound, else what it found. */
export function sqliteIntegrity(path: string): string | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const findings = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    return findings.length === 0 ? null : findings.slice(0, 5).join('; ');
  } catch (err) {
    return (err as Error).message;
  } finally {
    db?.close();
  }
}
