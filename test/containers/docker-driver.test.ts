// SCRATCH (pre-merge): the docker driver against throwaway images.
import { inject } from 'vitest';
import { createDockerDriver, LABEL, platformId } from '../../src/deploy/adapters/docker-driver.js';
import { dockerClient } from '../../src/kit/docker.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { makeRecorder, runDriverContract } from '../deploy/driver-contract.js';

runDriverContract('docker', async () => {
  const docker = await dockerClient(inject('dockerHost'));
  const tmp = makeTempDir('pitchey-docker-driver-');
  const hooks = makeRecorder();
  const driver = await createDockerDriver({
    docker, dataDir: tmp.dir,
    baseEnv: { PITCHEY_API_KEYS: TEST_KEY, PITCHEY_LOG_LEVEL: 'info', PITCHEY_DRAIN_TIMEOUT_MS: '5000', HOME: '/root' },
    verifyImage: (image) => Promise.resolve(image.version === 'drvscratch-bad' ? 'scratch: not signed' : null),
    onUp: hooks.onUp, onDown: hooks.onDown, log: (m) => console.log(m),
  });
  const label = `${LABEL.platform}=${platformId(tmp.dir)}`;
  return {
    driver, recorded: hooks.recorded, service: 'ai', version: 'drvscratch1', untrustedVersion: 'drvscratch-bad',
    crash: (h) => { if (h.pid !== null) process.kill(h.pid, 'SIGKILL'); return Promise.resolve(); },
    leftovers: async () => (await docker.listContainers({ all: true, filters: JSON.stringify({ label: [label] }) })).map((c) => c.Id),
    dispose: () => { tmp.remove(); return Promise.resolve(); },
  };
});
