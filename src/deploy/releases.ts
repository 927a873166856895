// Releases: immutable directories, one per version, holding the built code, its lockfile and a
// manifest with a checksum over every file. The local driver runs instances from them.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CODE_CACHE_SUFFIX } from '../kit/roles.js';

export interface ReleaseManifest {
  version: string;
  createdAt: string;
  checksum: string;
  files: number;
  node: string;
}

export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseError';
  }
}

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
/** What a release folder holds (an image's /app adds its installed node_modules). */
export const RELEASE_CONTENT = ['dist', 'package.json', 'package-lock.json'] as const;

/** Whether a file of a built project belongs in a release: not a code cache a process wrote beside a bundle. */
export const releaseFile = (path: string): boolean => !path.endsWith(CODE_CACHE_SUFFIX);

/** A release's files under a folder; with `links`, symbolic links too (never followed). */
function walk(dir: string, links = false): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(path, links);
    return (e.isFile() || (links && e.isSymbolicLink())) && releaseFile(path) ? [path] : [];
  });
}

/**
 * sha256 over the sorted relative paths and contents of `content` under `root` (a link counts by
 * its target, never followed): equal trees give equal checksums whatever their mtimes or owners.
 */
export function checksumOf(root: string, content: readonly string[] = RELEASE_CONTENT): { checksum: string; files: number } {
  const hash = createHash('sha256');
  const files = content.flatMap((c) => (statSync(join(root, c)).isDirectory() ? walk(join(root, c), true) : [join(root, c)])).sort();
  for (const f of files) {
    const link = lstatSync(f).isSymbolicLink();
    hash
      .update(relative(root, f))
      .update(link ? '\0->' : '\0')
      .update(link ? readlinkSync(f) : readFileSync(f))
      .update('\0');
  }
  return { checksum: `sha256:${hash.digest('hex')}`, files: files.length };
}

export function releaseDir(releasesDir: string, version: string): string {
  if (!VERSION.test(version)) throw new ReleaseError(`"${version}" is not a valid version (letters, digits, . _ + -)`);
  return join(releasesDir, version);
}

/** Copies the built project into `<releasesDir>/<version>`; a version is never overwritten. */
export function buildRelease(options: { projectRoot: string; releasesDir: string; version: string; now?: Date }): ReleaseManifest {
  const target = releaseDir(options.releasesDir, options.version);
  if (existsSync(target)) throw new ReleaseError(`release ${options.version} exists already; releases are immutable`);
  if (!existsSync(join(options.projectRoot, 'dist', 'cli', 'main.js'))) throw new ReleaseError('no built code: run `npm run build` first');
  mkdirSync(options.releasesDir, { recursive: true });
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const c of RELEASE_CONTENT) cpSync(join(options.projectRoot, c), join(staging, c), { recursive: true, preserveTimestamps: true, filter: releaseFile });
  // Dependencies are the lockfile's; the local driver shares the project's installed copy.
  symlinkSync(join(options.projectRoot, 'node_modules'), join(staging, 'node_modules'), 'dir');
  const { checksum, files } = checksumOf(staging);
  const manifest: ReleaseManifest = { version: options.version, createdAt: (options.now ?? new Date()).toISOString(), checksum, files, node: process.versions.node };
  writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of walk(staging)) chmodSync(f, 0o444);
  renameSync(staging, target);
  return manifest;
}

export function readRelease(releasesDir: string, version: string): ReleaseManifest | null {
  try {
    return JSON.parse(readFileSync(join(releaseDir(releasesDir, version), 'manifest.json'), 'utf8')) as ReleaseManifest;
  } catch {
    return null;
  }
}

/** Every release, oldest first. */
export function listReleases(releasesDir: string): ReleaseManifest[] {
  if (!existsSync(releasesDir)) return [];
  return readdirSync(releasesDir)
    .filter((v) => VERSION.test(v) && !v.includes('.partial-'))
    .map((v) => readRelease(releasesDir, v))
    .filter((m): m is ReleaseManifest => m !== null)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The release's entry point, after checking that its files still match the manifest. */
export function releaseEntry(releasesDir: string, version: string): string {
  const manifest = readRelease(releasesDir, version);
  if (manifest === null) throw new ReleaseError(`release ${version} does not exist`);
  const dir = releaseDir(releasesDir, version);
  if (checksumOf(dir).checksum !== manifest.checksum) throw new ReleaseError(`release ${version} was modified after it was built (checksum mismatch)`);
  return join(dir, 'dist', 'cli', 'main.js');
}
