// `pitchey image build`: the family bases (cached by recipe), the release staged once, then per
// role an image `pitchey/<role>:<version>` built FROM its base, checked against its size budget,
// described by an SBOM and signed. Bases and the release's dependencies are made side by side.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { runProcess, type Mode } from '../kit/index.js';
import { attestImage, type Attestation } from './attest.js';
import { ensureBase, type Base } from './base.js';
import { ensureReleaseImage } from './release-image.js';
import { LABELS, dockerfile, type ImageFacts } from './dockerfile.js';
import { followStream, imageId } from './engine.js';
import { IMAGE_ROLES, ImageError, ROLE_FAMILY, SIZE_BUDGET_MB, imageRef, type ImageRole } from './families.js';
import type { Lockfile } from './sbom.js';
import { signingKey } from './signing.js';
import { stageRelease, type StagedRelease } from './stage.js';

export interface BuildOptions {
  docker: Docker;
  /** The built project (dist/ present): the repo root. */
  projectRoot: string;
  version: string;
  /** SBOMs and signatures go to `<dataDir>/images/<version>/`; the development key to `<dataDir>/keys/`. */
  dataDir: string;
  /** The Ed25519 private key file (config.imageSigningKey); null = the development key (refused in production). */
  signingKey: string | null;
  mode: Mode;
  /** Default: every role. */
  roles?: readonly ImageRole[];
  /** Replace an existing `pitchey/<role>:<version>` whose content differs (default: refuse; images are immutable). */
  replace?: boolean;
  /** Size budgets in MB per role; default SIZE_BUDGET_MB (tests give a tiny one to see the build fail). */
  budgetsMb?: Partial<Record<ImageRole, number>>;
  /** Where installed production dependencies are cached per lockfile (default: the user's cache dir). */
  depsCache?: string | undefined;
  log?: (line: string) => void;
}

export interface BuiltImage {
  role: ImageRole;
  ref: string;
  /** The image ID, `sha256:…`: what is signed and what the driver runs. */
  id: string;
  sizeBytes: number;
  budgetMb: number;
  seconds: number;
  /** An identical image (same release checksum and base) was already tagged: nothing was built. */
  reused: boolean;
  facts: ImageFacts;
  attestation: Attestation;
}

export interface BuildResult {
  version: string;
  releaseChecksum: string;
  bases: Base[];
  images: BuiltImage[];
  developmentKey: boolean;
  seconds: number;
}

/** The commit and its time; the image records both (the time as `created`, so a rebuild matches). */
export async function gitFacts(projectRoot: string): Promise<{ revision: string; created: string; dirty: boolean }> {
  const show = await runProcess('git', ['-C', projectRoot, 'show', '-s', '--format=%H %cI', 'HEAD'], { timeoutMs: 10_000 });
  const [revision, created] = show.stdout.toString('utf8').trim().split(' ');
  if (show.exitCode !== 0 || revision === undefined || created === undefined) throw new ImageError(`${projectRoot} is not a git checkout with a commit: an image records the commit it was built from`);
  const status = await runProcess('git', ['-C', projectRoot, 'status', '--porcelain', '--untracked-files=no'], { timeoutMs: 10_000 });
  return { revision, created: new Date(created).toISOString(), dirty: status.stdout.length > 0 };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function checkNodeAbi(base: Base): void {
  const [hostMajor] = process.versions.node.split('.');
  if (base.node.split('.')[0] !== hostMajor) {
    throw new ImageError(
      `the ${base.family} base carries Node ${base.node} but the dependencies are compiled by this Node ${process.versions.node}: build images with Node ${base.node.split('.')[0]}`,
    );
  }
}

/** An existing tag: reused when its content is the same, else refused (or replaced when asked). */
async function existing(docker: Docker, ref: string, facts: ImageFacts, replace: boolean): Promise<string | null> {
  const id = await imageId(docker, ref);
  if (id === null) return null;
  const labels = (await docker.getImage(id).inspect()).Config.Labels ?? {};
  if (labels[LABELS.releaseChecksum] === facts.releaseChecksum && labels[LABELS.base] === facts.base && labels[LABELS.revision] === facts.revision) return id;
  if (!replace) throw new ImageError(`${ref} exists already with other content (release ${labels[LABELS.releaseChecksum] ?? 'unknown'}); images are immutable: pick another version`);
  return null;
}

async function buildRole(options: BuildOptions, context: string, from: { base: Base; releaseId: string }, facts: ImageFacts): Promise<Omit<BuiltImage, 'attestation'>> {
  const { docker, replace = false } = options;
  const ref = imageRef(facts.role, facts.version);
  const started = performance.now();
  let id = await existing(docker, ref, facts, replace);
  const reused = id !== null;
  if (id === null) {
    const file = `Dockerfile.${facts.role}`;
    await writeFile(join(context, file), dockerfile({ baseId: from.base.id, releaseId: from.releaseId, facts }));
    const stream = await docker.buildImage({ context, src: [file] }, { t: ref, dockerfile: file, forcerm: true, networkmode: 'none' });
    await followStream(docker, stream);
    id = await imageId(docker, ref);
    if (id === null) throw new ImageError(`the build of ${ref} ended but the image is missing`);
  }
  const sizeBytes = (await docker.getImage(id).inspect()).Size;
  const budgetMb = options.budgetsMb?.[facts.role] ?? SIZE_BUDGET_MB[facts.role];
  if (sizeBytes > budgetMb * 1e6) {
    if (!reused)
      await docker
        .getImage(ref)
        .remove()
        .catch(() => undefined);
    throw new ImageError(
      `${ref} is ${(sizeBytes / 1e6).toFixed(0)} MB, over the ${facts.role} budget of ${budgetMb} MB (src/image/families.ts SIZE_BUDGET_MB)${reused ? '' : ': the image was removed'}`,
    );
  }
  return { role: facts.role, ref, id, sizeBytes, budgetMb, seconds: (performance.now() - started) / 1000, reused, facts };
}

export async function buildImages(options: BuildOptions): Promise<BuildResult> {
  const log = options.log ?? (() => undefined);
  const roles = options.roles ?? IMAGE_ROLES;
  for (const role of roles) imageRef(role, options.version);
  const started = performance.now();
  const { key, development } = signingKey(options);
  const git = await gitFacts(options.projectRoot);
  const lock = JSON.parse(await readFile(join(options.projectRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  if (git.dirty) log(`warning: the checkout has uncommitted changes; the images record ${git.revision.slice(0, 12)} but carry the working tree's dist/`);
  const families = [...new Set(roles.map((r) => ROLE_FAMILY[r]))];
  const context = await mkdtemp(join(tmpdir(), 'pitchey-image-'));
  try {
    const [bases, release]: [Base[], StagedRelease] = await Promise.all([
      mapLimit(families, 2, (f) => ensureBase(options.docker, f, log)),
      stageRelease({ projectRoot: options.projectRoot, into: context, depsCache: options.depsCache, log }),
    ]);
    for (const b of bases) {
      log(`base ${b.family}: ${b.tag} ${b.built ? `built in ${b.seconds.toFixed(0)} s` : 'cached'}`);
      checkNodeAbi(b);
    }
    const releaseImage = await ensureReleaseImage(options.docker, { dir: context, checksum: release.checksum, created: git.created });
    log(`release: ${release.files} files, ${release.checksum}${release.depsCached ? ' (dependencies cached)' : ''}; ${releaseImage.tag} ${releaseImage.imported ? 'imported' : 'cached'}`);
    const images: BuiltImage[] = [];
    for (const role of roles) {
      const base = bases.find((b) => b.family === ROLE_FAMILY[role])!;
      const facts: ImageFacts = {
        role,
        version: options.version,
        revision: git.revision,
        created: git.created,
        releaseChecksum: release.checksum,
        node: base.node,
        family: base.family,
        base: base.tag,
      };
      const image = await buildRole(options, context, { base, releaseId: releaseImage.id }, facts);
      const attestation = attestImage({ dataDir: options.dataDir, image: image.id, facts, lock, dpkgStatus: base.dpkgStatus, key });
      log(
        `${image.ref}: ${(image.sizeBytes / 1e6).toFixed(0)} MB of ${image.budgetMb} MB, ${image.reused ? 'unchanged' : `built in ${image.seconds.toFixed(1)} s`}; signed by ${attestation.signed.keyId}`,
      );
      images.push({ ...image, attestation });
    }
    return { version: options.version, releaseChecksum: release.checksum, bases, images, developmentKey: development, seconds: (performance.now() - started) / 1000 };
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/**
 * `<package.json version>-<short commit>`; with uncommitted changes `…-dirty`, which a later build
 * of the same checkout may replace (the one version that is not immutable: a developer's loop).
 */
export async function defaultVersion(projectRoot: string): Promise<{ version: string; replaceable: boolean }> {
  const { version } = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  const git = await gitFacts(projectRoot);
  return { version: `${version}-${git.revision.slice(0, 12)}${git.dirty ? '-dirty' : ''}`, replaceable: git.dirty };
}
