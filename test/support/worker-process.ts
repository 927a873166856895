// A `pitchey worker` in a process of its own, on a one-job-type manifest, for tests that run two
// of them on one Redis and SIGKILL one mid-burst. A `tick` job sleeps `ms` and answers who ran it.
// argv: <redis URL> <data dir> <worker name> <concurrency>
import { setTimeout as sleep } from 'node:timers/promises';
// Not through the kit's index: that would bundle the docker client and its native addons.
import { loadConfig } from '../../src/kit/config.js';
import type { ServiceManifest } from '../../src/kit/create-service.js';
import { createWorker } from '../../src/kit/create-worker.js';

const [url = '', dataDir = '', name = '', concurrency = '2'] = process.argv.slice(2);
const manifest: ServiceManifest = {
  name: 'video',
  title: 'worker test',
  description: 'one job type',
  jobHandlers: () => ({
    tick: async ({ payload, signal }) => {
      await sleep((payload as { ms: number }).ms, undefined, { signal });
      return { result: { by: name } };
    },
  }),
  routes: () => undefined,
};
const config = loadConfig({ PITCHEY_ENV: 'test', PITCHEY_DATA_DIR: dataDir, PITCHEY_JOBS: url, PITCHEY_LOG_LEVEL: 'warn' });
const worker = await createWorker(manifest, { config, concurrency: Number(concurrency) });
await worker.start();
process.send?.('started');
process.on('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
