// Where `pitchey up` and the controller run instances (PITCHEY_DRIVER): supervised local processes
// from release folders, or containers from the signed `pitchey/<role>:<version>` images.
import { fileURLToPath } from 'node:url';
import { createDockerDriver } from '../deploy/adapters/docker-driver.js';
import type { ImageVerifier } from '../deploy/adapters/docker-images.js';
import type { Driver, InstanceHandle } from '../deploy/adapters/driver.js';
import { createLocalDriver, defaultReleasesDir } from '../deploy/adapters/local-driver.js';
import { dockerClient, type Config } from '../kit/index.js';

export interface DriverHooks {
  /** Settings every instance gets (the docker driver passes only the `PITCHEY_*` ones into a container). */
  baseEnv: NodeJS.ProcessEnv;
  onUp(instance: InstanceHandle): void;
  onDown(instance: InstanceHandle): void;
  log: (message: string) => void;
}

const CLI_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** Until the image signatures land: nothing verifies, so nothing runs. */
function imageVerifier(): ImageVerifier {
  return () => Promise.resolve('image signature verification is not available in this build');
}

export async function createDriver(config: Config, hooks: DriverHooks): Promise<Driver> {
  if (config.driver === 'local') {
    return createLocalDriver({ dataDir: config.dataDir, releasesDir: defaultReleasesDir(config.dataDir), selfVersion: config.version, selfEntry: CLI_MAIN, ...hooks });
  }
  const docker = await dockerClient(config.dockerHost);
  return createDockerDriver({ docker, dataDir: config.dataDir, verifyImage: imageVerifier(), ...hooks });
}
