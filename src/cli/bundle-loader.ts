// A role's process (`pitchey up`, `serve <role>`, `worker <service>`) runs from its bundle
// (dist/bundle/<role>.cjs, made by scripts/bundle.mjs): one file to compile instead of hundreds of
// modules to resolve, read and link (ai: ~840 ES modules and ~750 CommonJS files), which was most
// of a service's start-up. The bundle is the same CLI (cli.ts) with the other roles' code left
// out. It is used only while the tsc build it was made from is the one in dist/ (the stamp holds
// the entry's hash); otherwise, or with no bundle, the caller runs the modules. It runs as a
// CommonJS module compiled as a vm.Script with V8's code cache (parsing and compiling the bundle
// was most of what is left of a start: the document service's took ~1.2 s to be ready without it,
// ~0.7 s with it). On Node 20, code restored from a cache loses the callback import() needs, and
// USE_MAIN_CONTEXT_DEFAULT_LOADER prints an ExperimentalWarning, so a bundle has no import() of
// its own: what it loads from outside (dockerode, another role's modules) goes through a hook this
// module sets, whose import() is an ordinary module's.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { CODE_CACHE_SUFFIX, PLATFORM_ROLES, SERVICE_NAMES } from '../kit/roles.js';

const DIST = fileURLToPath(new URL('..', import.meta.url));
const BUNDLES = join(DIST, 'bundle');
/** The tsc output the bundles are made from: a build that rewrote it made them stale. */
export const BUNDLE_ENTRY = join(DIST, 'cli', 'cli.js');
export const STAMP_FILE = join(BUNDLES, 'stamp.json');

/** What scripts/bundle.mjs records once every bundle is made: the entry they were made from, and each bundle's size. */
export interface BundleStamp {
  /** The hash of the tsc output's entry (BUNDLE_ENTRY) the bundles were made from. */
  entry: string;
  /**
   * Per role: its size in bytes, which a bundle cut short (a copy that stopped) does not have. Not
   * its hash: reading and hashing 4–7 MB took ~20 ms of every start, and the loader reads it again.
   */
  bundles: Record<string, { bytes: number }>;
}

export const bundleFile = (role: string): string => join(BUNDLES, `${role}.cjs`);
export const sha1 = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('hex');

/** The bundle a command line runs from: its role, or null for a command that has none. */
export function bundleRole(argv: readonly string[]): string | null {
  const [command, role = ''] = argv;
  if (command === 'up') return 'up';
  if (command === 'serve' && (PLATFORM_ROLES as readonly string[]).includes(role)) return role;
  if (command === 'worker' && (SERVICE_NAMES as readonly string[]).includes(role)) return role;
  return null;
}

function readOptional(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

function readStamp(): BundleStamp | null {
  const text = readOptional(STAMP_FILE);
  return text === null ? null : (JSON.parse(text.toString('utf8')) as BundleStamp);
}

/** The role's bundle file, if one was made from the modules now in dist/ (else null). */
function currentBundle(role: string): string | null {
  const stamp = readStamp();
  const made = stamp?.bundles[role];
  // Judged by content, not by time: a copy or an image layer need not keep times or their order.
  // Only the entry is read (reading every module would cost what the bundle saves), so a `tsc`
  // alone that changes other modules but not the entry is not seen; `npm run build` (and the
  // tests' rebuild) remakes the bundles after every tsc.
  const entry = readOptional(BUNDLE_ENTRY);
  if (stamp === null || made === undefined || entry === null || sha1(entry) !== stamp.entry) return null;
  return statSync(bundleFile(role), { throwIfNoEntry: false })?.size === made.bytes ? bundleFile(role) : null;
}

/** Where a bundle's code cache is kept: beside it, so a rebuild (which empties dist/bundle/) drops it. */
export const cacheFile = (bundle: string): string => `${bundle}${CODE_CACHE_SUFFIX}`;

/**
 * When a process writes the cache it did not have: once started, or at its exit if sooner, but not
 * from a process that lived too short to have started anything (`--help`, a start that failed at
 * once): V8 would take its few functions as the cache, and the next starts would keep it.
 */
const CACHE_AFTER_MS = 3_000;
const CACHE_MIN_LIFE_MS = 1_000;

/**
 * V8's code cache for the bundle, written once by the first process that had none (or one V8
 * turned down): the functions compiled until then (its start-up's), which a later start then reads
 * instead of parsing and compiling again. Written beside the bundle through a temporary file and a rename, so
 * two processes of one role never read half of one; a folder that cannot be written just has none.
 */
function keepCache(script: Script, file: string, had: boolean): void {
  if (had && script.cachedDataRejected !== true) return;
  let done = false;
  const write = (): void => {
    if (done) return;
    done = true;
    const temp = `${cacheFile(file)}.${process.pid}`;
    try {
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, cacheFile(file));
    } catch {
      rmSync(temp, { force: true });
    }
  };
  setTimeout(write, CACHE_AFTER_MS).unref();
  process.once('exit', () => {
    if (process.uptime() * 1000 >= CACHE_MIN_LIFE_MS) write();
  });
}

/** How the bundle's import()s of what stays outside it load (see scripts/bundle.mjs): as from the bundle's own place. */
function importHook(file: string): (specifier: string) => Promise<unknown> {
  const from = pathToFileURL(file);
  return (specifier) => import(specifier.startsWith('.') ? new URL(specifier, from).href : specifier);
}

/**
 * Runs the role's bundle in this process as a CommonJS module (the same wrapper, require, module
 * and paths as Node's loader gives one), compiled with its code cache when there is one; false
 * when there is no current bundle.
 */
export function runBundle(role: string): boolean {
  const file = currentBundle(role);
  if (file === null) return false;
  const cached = readOptional(cacheFile(file)) ?? undefined;
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, ...(cached ? { cachedData: cached } : {}) });
  keepCache(script, file, cached !== undefined);
  (globalThis as Record<symbol, unknown>)[Symbol.for('pitchey.import')] = importHook(file);
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  return true;
}
