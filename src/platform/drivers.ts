// Where `pitchey up` and the controller run instances (PITCHEY_DRIVER): supervised local processes
// from release folders, or containers from the signed `pitchey/<role>:<version>` images.
import { fileURLToPath } from 'node:url';
import type { Driver, InstanceHandle } from '../deploy/adapters/driver.js';
import { createLocalDriver, defaultReleasesDir } from '../deploy/adapters/local-driver.js';
import type { ImageRole } from '../image/index.js';
import { dockerClient, type Config } from '../kit/index.js';
import type { OutputSink } from './supervisor.js';

export interface DriverHooks {
  /** Settings every instance gets (the docker driver passes only the `PITCHEY_*` ones into a container). */
  baseEnv: NodeJS.ProcessEnv;
  onUp(instance: InstanceHandle): void;
  onDown(instance: InstanceHandle): void;
  log: (message: string) => void;
  /** Where local instances' output goes (default: this process's stdout and stderr). */
  output?: OutputSink;
}

const CLI_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export async function createDriver(config: Config, hooks: DriverHooks): Promise<Driver> {
  if (config.driver === 'local') {
    return createLocalDriver({ dataDir: config.dataDir, releasesDir: defaultReleasesDir(config.dataDir), selfVersion: config.version, selfEntry: CLI_MAIN, ...hooks });
  }
  // Loaded only here: the local driver's `pitchey up` carries no Docker client or image code.
  const [{ createDockerDriver }, { trustedKeyFiles, verifyImage }] = await Promise.all([import('../deploy/adapters/docker-driver.js'), import('../image/index.js')]);
  const docker = await dockerClient(config.dockerHost);
  // Signatures are looked up beside the data dir's SBOMs (`<data>/images/<version>/`), against the
  // configured keys (outside production, by default, the data dir's development key).
  const trustedKeys = trustedKeyFiles(config);
  return createDockerDriver({
    docker,
    dataDir: config.dataDir,
    ...hooks,
    verifyImage: async (image) => {
      const v = await verifyImage({ docker, ref: image.id, role: image.role as ImageRole, version: image.version, dataDir: config.dataDir, trustedKeys });
      return v.ok ? null : v.reason;
    },
  });
}
