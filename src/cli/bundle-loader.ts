// A role's process (`pitchey up`, `serve <role>`, `worker <service>`) runs from its bundle
// (dist/bundle/<role>.cjs, made by scripts/bundle.mjs): one file to compile instead of hundreds of
// modules to resolve, read and link (ai: ~840 ES modules and ~750 CommonJS files), which was most
// of a service's start-up. The bundle is the same CLI (cli.ts) with the other roles' code left
// out. It is used only while the tsc build it was made from is the one in dist/ (the stamp holds
// the entry's hash); otherwise, or with no bundle, the caller runs the modules. It is loaded by
// Node's CommonJS loader, as `require` would: an import() in it (dockerode, another role's
// modules) then goes through the loader's own callback. (Compiled as a vm.Script with
// USE_MAIN_CONTEXT_DEFAULT_LOADER, each role printed an ExperimentalWarning at its first import();
// V8's code cache, which needs vm.Script, lost the callback altogether on Node 20.)
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORM_ROLES, SERVICE_NAMES } from '../kit/roles.js';

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

/** Runs the role's bundle in this process as a CommonJS module; false when there is no current one. */
export function runBundle(role: string): boolean {
  const file = currentBundle(role);
  if (file === null) return false;
  createRequire(file)(file);
  return true;
}
