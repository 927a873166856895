// The child side of test/support/hosts.ts: a service instance (on a free loopback port) or a
// `pitchey worker`, reporting its port over IPC and leaving cleanly on SIGTERM.
// Not through the kit's index: that would bundle the docker client and its native addons.
import type { Config } from '../../src/kit/config.js';
import { createService, type ServiceManifest } from '../../src/kit/create-service.js';
import { createWorker } from '../../src/kit/create-worker.js';

export async function runHost(manifest: ServiceManifest, role: string, config: Config): Promise<void> {
  if (role === 'worker') {
    const worker = await createWorker(manifest, { config });
    await worker.start();
    process.send?.({ port: null });
    process.on('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
  } else {
    const service = await createService(manifest, { config });
    const port = await service.listen(0, '127.0.0.1');
    process.send?.({ port });
    process.on('SIGTERM', () => void service.drain().then(() => process.exit(0)));
  }
}
