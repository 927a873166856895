// A media instance or `pitchey worker media` in a process of its own, standing for one host (its
// own data dir) on a shared Redis job store, for the streams-across-hosts test. An instance started
// with `accepts` has no job handlers: it takes ladder jobs and leaves running them to other hosts.
// argv: <instance|worker> <redis URL> <data dir> <runs|accepts>; env PITCHEY_API_KEYS: the test's key.
import { loadConfig } from '../../src/kit/config.js';
import { createService } from '../../src/kit/create-service.js';
import { createWorker } from '../../src/kit/create-worker.js';
import { mediaService } from '../../src/services/media/index.js';

const [role = '', url = '', dataDir = '', runs = 'runs'] = process.argv.slice(2);
const manifest = runs === 'runs' ? mediaService : { ...mediaService, jobHandlers: () => ({}) };
const config = loadConfig({ PITCHEY_ENV: 'test', PITCHEY_DATA_DIR: dataDir, PITCHEY_JOBS: url, PITCHEY_LOG_LEVEL: 'info', PITCHEY_API_KEYS: process.env.PITCHEY_API_KEYS ?? '' });
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
