// The platform's images for container tests: built once per checkout (the bases are cached by
// recipe, the dependencies by lockfile, and an image whose release is unchanged is reused), signed
// with a development key in a data dir shared by every test file, so each file pays seconds.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checksumOf } from '../../src/deploy/releases.js';
import { IMAGE_ROLES, buildImages, trustedKeyFiles, type BuildResult, type ImageRole } from '../../src/image/index.js';
import { dockerClient } from '../../src/kit/index.js';
import { builtFile } from './build.js';

export interface TestImages {
  version: string;
  /** Holds `images/<version>/` (SBOMs, signatures) and `keys/` (the development signing key). */
  dataDir: string;
  /** The development public key: what verifyImage() should trust for these images. */
  trustedKeys: string[];
  images: Record<ImageRole, { ref: string; id: string }>;
  result: BuildResult;
}

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** One data dir for every test file (and run), so signatures made by one file verify in the next. */
export const IMAGES_DATA_DIR = join(tmpdir(), 'pitchey-test-images');

const built = new Map<string, Promise<TestImages>>();

/** `test-<12 hex of the dist/ checksum>`: other code gets another tag, so worktrees sharing a daemon do not collide. */
export function testVersion(): string {
  builtFile('cli/main.js');
  return `test-${checksumOf(PROJECT_ROOT).checksum.slice('sha256:'.length, 'sha256:'.length + 12)}`;
}

/**
 * Every role's image at `version` (default testVersion()), built if missing. An explicit version
 * whose tag holds other content is replaced (tests own their versions).
 */
export function ensureImages(dockerHost: string, version?: string): Promise<TestImages> {
  const v = version ?? testVersion();
  const key = `${dockerHost} ${v}`;
  let pending = built.get(key);
  if (pending === undefined) {
    pending = build(dockerHost, v);
    built.set(key, pending);
    pending.catch(() => built.delete(key));
  }
  return pending;
}

async function build(dockerHost: string, version: string): Promise<TestImages> {
  builtFile('cli/main.js');
  const result = await buildImages({
    docker: await dockerClient(dockerHost),
    projectRoot: PROJECT_ROOT,
    version,
    dataDir: IMAGES_DATA_DIR,
    signingKey: null,
    mode: 'test',
    replace: true,
    log: (line) => {
      if (process.env.PITCHEY_TEST_IMAGE_LOG === '1') console.error(line);
    },
  });
  const images = Object.fromEntries(
    IMAGE_ROLES.map((r) => {
      const image = result.images.find((i) => i.role === r)!;
      return [r, { ref: image.ref, id: image.id }];
    }),
  ) as TestImages['images'];
  return { version, dataDir: IMAGES_DATA_DIR, trustedKeys: trustedKeyFiles({ imageTrustedKeys: [], dataDir: IMAGES_DATA_DIR, mode: 'test' }), images, result };
}
