// A role's process (`pitchey up`, `serve <role>`, `worker <service>`) runs from its bundle
// (dist/bundle/<role>.cjs, made by scripts/bundle.mjs): one file to compile instead of hundreds of
// modules to resolve, read and link (ai: ~840 ES modules and ~750 CommonJS files), which was most
// of a service's start-up. The bundle is the
// same CLI (cli.ts) with the other roles' code left out. It is used only while the tsc build it
// was made from is the one in dist/ (the stamp); otherwise, or with no bundle, the caller runs the
// modules. No V8 code cache: on Node 20 a script compiled from cached data loses its dynamic-import
// callback, and the bundle's import()s of what stays outside it (dockerode, other roles' modules)
// then fail with ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING (seen with the docker driver). It saved
// ~0.13 s of parsing per start.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { PLATFORM_ROLES, SERVICE_NAMES } from '../kit/roles.js';

const DIST = fileURLToPath(new URL('..', import.meta.url));
const BUNDLES = join(DIST, 'bundle');
/** The tsc output the bundles are made from: a build that rewrote it made them stale. */
export const BUNDLE_ENTRY = join(DIST, 'cli', 'cli.js');
export const STAMP_FILE = join(BUNDLES, 'stamp.json');

/** What scripts/bundle.mjs records once every bundle is made: each bundle's hash. */
export interface BundleStamp {
  /** Per role: its hash, and whether it is all ASCII (then it reads the same as Latin-1, which is faster to decode than UTF-8). */
  bundles: Record<string, { sha1: string; ascii: boolean }>;
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

/** The role's bundle as compiled code, if one was made from the modules now in dist/ (else null). */
function currentBundle(role: string): vm.Script | null {
  const made = readStamp()?.bundles[role];
  // tsc rewrites every file it emits: an entry newer than the stamp is a build the bundles are not
  // made from. (A copy that keeps times, or rounds them to the second, keeps that order.)
  const entryTime = statSync(BUNDLE_ENTRY, { throwIfNoEntry: false })?.mtimeMs;
  const stampTime = statSync(STAMP_FILE, { throwIfNoEntry: false })?.mtimeMs;
  if (made === undefined || entryTime === undefined || stampTime === undefined || entryTime > stampTime) return null;
  const bytes = readOptional(bundleFile(role));
  if (bytes === null || sha1(bytes) !== made.sha1) return null;
  return compileBundle(bundleFile(role), bytes.toString(made.ascii ? 'latin1' : 'utf8'));
}

/** The bundle compiled as a CommonJS module's wrapper. */
export function compileBundle(file: string, source: string): vm.Script {
  return new vm.Script(Module.wrap(source), {
    filename: file,
    // The import()s left in the bundle (another role's modules, external packages) load as they would from the file.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Runs the role's bundle in this process as a CommonJS module; false when there is no current one. */
export function runBundle(role: string): boolean {
  const script = currentBundle(role);
  if (script === null) return false;
  const file = bundleFile(role);
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {}, filename: file, id: file, loaded: false };
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return true;
}
