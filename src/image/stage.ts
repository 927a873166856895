// The release an image carries, staged as a build context's `app/`: the built code, package.json,
// the lockfile and its production dependencies (`npm ci --omit=dev`), never a link to a checkout.
// Installed dependencies are cached per lockfile (and Node ABI), pruned of native build
// intermediates, so the same commit stages the same tree and a second build costs seconds.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RELEASE_CONTENT, checksumOf, releaseFile } from '../deploy/releases.js';
import { runProcess } from '../kit/index.js';
import { ImageError } from './families.js';

/** What an image's /app holds; its checksum is the release checksum the image is labelled and signed with. */
export const APP_CONTENT = [...RELEASE_CONTENT, 'node_modules'] as const;

/** Bumped when pruning changes, so caches made by an older rule are not reused. */
const PRUNE_FORMAT = 2;
const NPM_TIMEOUT_MS = 15 * 60_000;

export interface StagedRelease {
  app: string;
  checksum: string;
  files: number;
  depsKey: string;
  depsCached: boolean;
}

/** `$XDG_CACHE_HOME/pitchey/image-deps`, else `~/.cache/pitchey/image-deps`. */
export function defaultDepsCache(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pitchey', 'image-deps');
}

/** The cache key: the lockfile, and what native modules are compiled for (Node ABI, OS, CPU). */
export function depsKey(lockfile: Buffer): string {
  return createHash('sha256').update(lockfile).update(`\0${process.versions.modules}\0${process.platform}\0${process.arch}\0${PRUNE_FORMAT}`).digest('hex').slice(0, 32);
}

/**
 * Keeps only `build/Release/*.node` in every package built by node-gyp (one with a binding.gyp):
 * the Makefiles, config.gypi and object files differ from build to build, the .node files do not.
 * Source maps go too (36 MB of 245 MB measured; nothing runs with --enable-source-maps).
 */
export function pruneDeps(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isFile() && e.name.endsWith('.map')) rmSync(path);
    if (!e.isDirectory()) continue;
    if (existsSync(join(path, 'binding.gyp')) && existsSync(join(path, 'build'))) pruneBuild(join(path, 'build'));
    pruneDeps(path);
  }
}

function pruneBuild(build: string): void {
  const release = join(build, 'Release');
  const keep = existsSync(release)
    ? readdirSync(release)
        .filter((f) => f.endsWith('.node'))
        .map((f) => [f, readFileSync(join(release, f))] as const)
    : [];
  rmSync(build, { recursive: true, force: true });
  mkdirSync(release, { recursive: true });
  for (const [name, content] of keep) writeFileSync(join(release, name), content, { mode: 0o755 });
}

async function installDeps(projectRoot: string, target: string, log: (line: string) => void): Promise<void> {
  const work = `${target}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(projectRoot, f), join(work, f));
    log('release: npm ci --omit=dev (the first build for this lockfile; later ones reuse it)');
    const run = await runProcess('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: work, timeoutMs: NPM_TIMEOUT_MS, maxStdoutBytes: 32 * 1024 * 1024 });
    if (run.exitCode !== 0) throw new ImageError(`npm ci failed${run.timedOut ? ' (timed out)' : ''}: ${run.spawnError ?? run.stderr.trim()}`);
    pruneDeps(join(work, 'node_modules'));
    renameSync(join(work, 'node_modules'), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Stages the built project into `<into>/app` (which must not exist yet). */
export async function stageRelease(options: { projectRoot: string; into: string; depsCache?: string | undefined; log?: (line: string) => void }): Promise<StagedRelease> {
  const { projectRoot } = options;
  const log = options.log ?? (() => undefined);
  if (!existsSync(join(projectRoot, 'dist', 'cli', 'main.js'))) throw new ImageError('no built code: run `npm run build` first');
  const key = depsKey(readFileSync(join(projectRoot, 'package-lock.json')));
  const cache = options.depsCache ?? defaultDepsCache();
  const deps = join(cache, key);
  const depsCached = existsSync(deps);
  if (!depsCached) {
    mkdirSync(cache, { recursive: true });
    await installDeps(projectRoot, deps, log);
  }
  const app = join(options.into, 'app');
  for (const c of RELEASE_CONTENT) cpSync(join(projectRoot, c), join(app, c), { recursive: true, preserveTimestamps: true, filter: releaseFile });
  cpSync(deps, join(app, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  const { checksum, files } = checksumOf(app, APP_CONTENT);
  return { app, checksum, files, depsKey: key, depsCached };
}
