// A family's base image: a Debian trixie root filesystem made by mmdebstrap (the essential variant
// plus the family's packages, no docs/man pages/locales) and imported into the engine as
// `pitchey-base-<family>:<recipe hash>`. The tag names the recipe, so an existing tag is reused.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { runProcess } from '../kit/index.js';
import { followStream, imageId, readImagePath } from './engine.js';
import { DEBIAN, ImageError, SERVICE_UID, packagesOf, type Family } from './families.js';

/** Bumped when the recipe's meaning changes without its text changing. */
const RECIPE_FORMAT = 1;
const BUILD_TIMEOUT_MS = 20 * 60_000;

/** Files nobody reads inside a container; copyright files stay (the licences travel with the image). */
const DPKG_OPTIONS = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-exclude=/usr/share/lintian/*',
];

/** The `pitchey` user and group (uid/gid 10001) and a /data they own. */
const CUSTOMIZE = [
  `echo 'pitchey:x:${SERVICE_UID}:${SERVICE_UID}:pitchey:/data:/usr/sbin/nologin' >> "$1/etc/passwd"`,
  `echo 'pitchey:x:${SERVICE_UID}:' >> "$1/etc/group"`,
  `mkdir -p "$1/data" && chown ${SERVICE_UID}:${SERVICE_UID} "$1/data" && chmod 0750 "$1/data"`,
];

export interface BaseRecipe {
  family: Family;
  suite: string;
  mirror: string;
  arch: string;
  packages: string[];
  dpkg: string[];
  customize: string[];
  format: number;
}

export function baseRecipe(family: Family): BaseRecipe {
  return { family, suite: DEBIAN.suite, mirror: DEBIAN.mirror, arch: DEBIAN.arch, packages: packagesOf(family), dpkg: DPKG_OPTIONS, customize: CUSTOMIZE, format: RECIPE_FORMAT };
}

export function baseTag(recipe: BaseRecipe): string {
  const hash = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
  return `pitchey-base-${recipe.family}:${hash}`;
}

export function mmdebstrapArgs(recipe: BaseRecipe, out: string): string[] {
  return [
    '--variant=essential',
    '--mode=auto',
    `--architectures=${recipe.arch}`,
    `--include=${recipe.packages.join(',')}`,
    ...recipe.dpkg.map((o) => `--dpkgopt=${o}`),
    ...recipe.customize.map((h) => `--customize-hook=${h}`),
    recipe.suite,
    out,
    recipe.mirror,
  ];
}

export interface Base {
  family: Family;
  tag: string;
  id: string;
  built: boolean;
  seconds: number;
  dpkgStatus: string;
  node: string;
}

async function buildBase(docker: Docker, recipe: BaseRecipe, tag: string, log: (line: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `pitchey-base-${recipe.family}-`));
  try {
    const out = join(dir, 'rootfs.tar');
    log(`base ${recipe.family}: mmdebstrap ${recipe.suite} + ${recipe.packages.join(' ')}`);
    const run = await runProcess('mmdebstrap', mmdebstrapArgs(recipe, out), { timeoutMs: BUILD_TIMEOUT_MS, stderrTailBytes: 16 * 1024 });
    if (run.spawnError !== null) throw new ImageError(`mmdebstrap cannot run (${run.spawnError}): install it (scripts/install-system-deps)`);
    if (run.exitCode !== 0) throw new ImageError(`mmdebstrap failed for the ${recipe.family} base${run.timedOut ? ' (timed out)' : ''}:\n${run.stderr.trim()}`);
    const [repo, version] = tag.split(':') as [string, string];
    await followStream(docker, await docker.importImage(createReadStream(out), { repo, tag: version }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Debian's nodejs version without its Debian suffix: `20.19.2+dfsg-1+deb13u3` → `20.19.2`. */
export function nodeVersionOf(dpkgStatus: string): string {
  const block = dpkgStatus.split(/\n\n+/).find((b) => /^Package: nodejs$/m.test(b));
  const version = block === undefined ? undefined : /^Version: (?:\d+:)?([\d.]+)/m.exec(block)?.[1];
  if (version === undefined) throw new ImageError('the base image has no nodejs package');
  return version;
}

/** The family's base, built when its tag is missing. */
export async function ensureBase(docker: Docker, family: Family, log: (line: string) => void = () => undefined): Promise<Base> {
  const recipe = baseRecipe(family);
  const tag = baseTag(recipe);
  const started = performance.now();
  let id = await imageId(docker, tag);
  const built = id === null;
  if (id === null) {
    await buildBase(docker, recipe, tag, log);
    id = await imageId(docker, tag);
    if (id === null) throw new ImageError(`the ${family} base was imported but ${tag} is missing`);
  }
  const [status] = await readImagePath(docker, id, '/var/lib/dpkg/status');
  if (status === undefined) throw new ImageError(`${tag} has no dpkg status`);
  const dpkgStatus = status.data.toString('utf8');
  return { family, tag, id, built, seconds: (performance.now() - started) / 1000, dpkgStatus, node: nodeVersionOf(dpkgStatus) };
}
