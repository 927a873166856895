// The backup manifest: its shape, and the parser that treats every manifest as hostile — a path
// that could climb out of the backup (`..`, absolute, backslashes) is a problem, never a file to open.
import { DATA_PATHS, SERVICE_PATHS } from '../../kit/light.js';

export const MANIFEST_FILE = 'manifest.json';
export const RESTORE_TESTS_FILE = 'restore-tests.json';

export interface BackupFile {
  /** Data-dir-relative, `/`-separated. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface BackupManifest {
  version: 1;
  createdAt: string;
  sourceDataDir: string;
  files: BackupFile[];
  /** Optional parts that were not in the data dir when the backup was made. */
  absent: string[];
  /** Always null: the manifest never changes after creation; restore tests live in `restore-tests.json`. */
  restoreTestedAt: string | null;
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

const SHA256 = /^[0-9a-f]{64}$/;
const RESERVED = new Set([MANIFEST_FILE, RESTORE_TESTS_FILE]);

/** A relative path that stays inside the folder it is joined to. */
export function isSafeRelativePath(path: unknown): path is string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 4096) return false;
  if (path.includes('\0') || path.includes('\\') || path.startsWith('/') || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** The platform's SQLite stores: copied with the online backup API and integrity-checked. */
export function isSqlitePath(path: string): boolean {
  const parts = path.split('/');
  return path === DATA_PATHS.controllerDb || (parts.length === 3 && parts[0] === DATA_PATHS.services && parts[2] === SERVICE_PATHS.jobsDb);
}

/** `2024-05-01T120000.000Z`: an ISO time without colons, which sorts like the time it names. */
export function backupName(at: Date): string {
  return at.toISOString().replace(/:/g, '');
}

function fileProblems(raw: unknown, index: number, seen: Set<string>): string[] {
  const entry = raw as Partial<Record<keyof BackupFile, unknown>> | null;
  const label = `manifest: file #${index + 1}`;
  if (entry === null || typeof entry !== 'object') return [`${label} is not an object`];
  if (!isSafeRelativePath(entry.path) || RESERVED.has(entry.path)) return [`${label} has an unsafe path ${JSON.stringify(entry.path)} (not read)`];
  const problems: string[] = [];
  if (seen.has(entry.path)) problems.push(`${label} repeats the path ${entry.path}`);
  seen.add(entry.path);
  if (typeof entry.sha256 !== 'string' || !SHA256.test(entry.sha256)) problems.push(`${label} (${entry.path}) has no valid sha256`);
  if (typeof entry.bytes !== 'number' || !Number.isSafeInteger(entry.bytes) || entry.bytes < 0) problems.push(`${label} (${entry.path}) has no valid size`);
  return problems;
}

function headerProblems(m: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (m.version !== 1) problems.push(`manifest: unknown version ${JSON.stringify(m.version)}`);
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) problems.push('manifest: createdAt is not a time');
  if (typeof m.sourceDataDir !== 'string') problems.push('manifest: sourceDataDir is missing');
  if (!Array.isArray(m.absent) || !m.absent.every((a) => typeof a === 'string')) problems.push('manifest: absent is not a list of names');
  if (m.restoreTestedAt !== null && typeof m.restoreTestedAt !== 'string') problems.push('manifest: restoreTestedAt is neither null nor a time');
  if (!Array.isArray(m.files)) problems.push('manifest: files is not a list');
  return problems;
}

/**
 * Parses a manifest. `manifest` is null when the text is not a manifest at all; otherwise it holds
 * only the well-formed, safe file entries, and `problems` names every one that was dropped.
 */
export function parseManifest(text: string): { manifest: BackupManifest | null; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { manifest: null, problems: [`manifest: not JSON (${(err as Error).message})`] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { manifest: null, problems: ['manifest: not a JSON object'] };
  const m = raw as Record<string, unknown>;
  const problems = headerProblems(m);
  const seen = new Set<string>();
  const files: BackupFile[] = [];
  (Array.isArray(m.files) ? m.files : []).forEach((f: unknown, i) => {
    const found = fileProblems(f, i, seen);
    problems.push(...found);
    if (found.length === 0) files.push(f as BackupFile);
  });
  const manifest: BackupManifest = {
    version: 1,
    createdAt: String(m.createdAt),
    sourceDataDir: String(m.sourceDataDir),
    files,
    absent: Array.isArray(m.absent) ? m.absent.filter((a): a is string => typeof a === 'string') : [],
    restoreTestedAt: typeof m.restoreTestedAt === 'string' ? m.restoreTestedAt : null,
  };
  return { manifest, problems };
}
