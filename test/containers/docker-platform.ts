// `pitchey up` on containers for the container tests: the built CLI with PITCHEY_DRIVER=docker on
// the tier's daemon, base version = the test images, their signatures copied into the platform's
// data dir and the test key trusted. Cleanup removes whatever containers the platform left.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { LABEL, platformId } from '../../src/deploy/adapters/docker-driver.js';
import { buildImages, type ImageRole } from '../../src/image/index.js';
import { dockerClient } from '../../src/kit/index.js';
import { makeTempDir } from '../helpers.js';
import { startUp, type UpProcess } from '../e2e/platform.js';
import { IMAGES_DATA_DIR, ensureImages, type TestImages } from '../support/images.js';

export interface DockerUp {
  up: UpProcess;
  docker: Docker;
  images: TestImages;
  /** This platform's containers (all, running or not), optionally of one version. */
  containers(version?: string): Promise<Docker.ContainerInfo[]>;
  /** Copies signatures made since start-up (new versions) into the platform's data dir. */
  syncSignatures(): void;
  /** Kills `pitchey up` if it still runs, removes its containers and its data dir. */
  cleanup(): Promise<void>;
}

export async function startDockerUp(dockerHost: string, env: Record<string, string> = {}): Promise<DockerUp> {
  const docker = await dockerClient(dockerHost);
  const images = await ensureImages(dockerHost);
  const tmp = makeTempDir('pitchey-docker-up-');
  const syncSignatures = (): void => cpSync(join(IMAGES_DATA_DIR, 'images'), join(tmp.dir, 'images'), { recursive: true });
  syncSignatures();
  const containers = async (version?: string): Promise<Docker.ContainerInfo[]> =>
    docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${LABEL.platform}=${platformId(tmp.dir)}`, ...(version === undefined ? [] : [`${LABEL.version}=${version}`])] }),
    });
  const removeContainers = async (): Promise<void> => {
    for (const c of await containers())
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
  };
  let up: UpProcess;
  try {
    up = await startUp({
      dataDir: tmp.dir,
      env: { PITCHEY_DRIVER: 'docker', PITCHEY_DOCKER_HOST: dockerHost, PITCHEY_VERSION: images.version, PITCHEY_IMAGE_TRUSTED_KEYS: images.trustedKeys.join(','), ...env },
    });
  } catch (err) {
    await removeContainers();
    tmp.remove();
    throw err;
  }
  return {
    up,
    docker,
    images,
    containers,
    syncSignatures,
    cleanup: async () => {
      up.remove();
      await removeContainers();
      tmp.remove();
    },
  };
}

/** Builds one role's image at `version` from `projectRoot` (default this checkout), signed with the test key. */
export async function buildTestImage(dockerHost: string, options: { role: ImageRole; version: string; projectRoot?: string }): Promise<{ id: string; ref: string }> {
  const result = await buildImages({
    docker: await dockerClient(dockerHost),
    projectRoot: options.projectRoot ?? new URL('../..', import.meta.url).pathname,
    version: options.version,
    dataDir: IMAGES_DATA_DIR,
    signingKey: null,
    mode: 'test',
    roles: [options.role],
    replace: true,
  });
  const image = result.images[0];
  if (image === undefined) throw new Error(`no ${options.role} image was built`);
  return { id: image.id, ref: image.ref };
}
