// The docker driver passes the driver contract: containers of the platform's signed images,
// verified before they run (an image tagged without a signature is refused), crashed by killing
// the container's process from the host and restarted by docker's restart policy.
import { inject } from 'vitest';
import { createDockerDriver, LABEL, platformId } from '../../src/deploy/adapters/docker-driver.js';
import { verifyImage, type ImageRole } from '../../src/image/index.js';
import { dockerClient } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { makeRecorder, runDriverContract } from '../deploy/driver-contract.js';
import { ensureImages } from '../support/images.js';

runDriverContract('docker', async () => {
  const dockerHost = inject('dockerHost');
  const docker = await dockerClient(dockerHost);
  const images = await ensureImages(dockerHost);
  const UNTRUSTED = `${images.version}-contract-unsigned`;
  // The same image under a version nobody signed.
  await docker.getImage(images.images.ai.id).tag({ repo: 'pitchey/ai', tag: UNTRUSTED });
  const tmp = makeTempDir('pitchey-docker-driver-');
  const hooks = makeRecorder();
  const driver = await createDockerDriver({
    docker,
    dataDir: tmp.dir,
    baseEnv: { PITCHEY_API_KEYS: TEST_KEY, PITCHEY_LOG_LEVEL: 'info', PITCHEY_DRAIN_TIMEOUT_MS: '5000', HOME: '/root' },
    verifyImage: async (image) => {
      const v = await verifyImage({ docker, ref: image.id, role: image.role as ImageRole, version: image.version, dataDir: images.dataDir, trustedKeys: images.trustedKeys });
      return v.ok ? null : v.reason;
    },
    onUp: hooks.onUp,
    onDown: hooks.onDown,
  });
  const label = `${LABEL.platform}=${platformId(tmp.dir)}`;
  return {
    driver,
    recorded: hooks.recorded,
    service: 'ai',
    version: images.version,
    untrustedVersion: UNTRUSTED,
    // SIGKILL to the container's init from the host, as the OOM killer would: docker restarts it
    // (a `docker kill` would count as a manual stop, never restarted).
    crash: (h) => {
      if (h.pid !== null) process.kill(h.pid, 'SIGKILL');
      return Promise.resolve();
    },
    leftovers: async () => (await docker.listContainers({ all: true, filters: JSON.stringify({ label: [label] }) })).map((c) => `${c.Names.join(',')} ${c.State}`),
    dispose: async () => {
      tmp.remove();
      await docker
        .getImage(`pitchey/ai:${UNTRUSTED}`)
        .remove()
        .catch(() => undefined);
    },
  };
});
