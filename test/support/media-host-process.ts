// A media instance or `pitchey worker media` in a process of its own, standing for one host (its
// own data dir) on a shared Redis job store, for the streams-across-hosts test. An instance started
// with `accepts` has no job handlers: it takes ladder jobs and leaves running them to other hosts.
// argv: <instance|worker> <redis URL> <data dir> <runs|accepts>; env PITCHEY_API_KEYS: the test's key.
import { loadConfig } from '../../src/kit/config.js';
import { mediaService } from '../../src/services/media/index.js';
import { runHost } from './host-process.js';

const [role = '', url = '', dataDir = '', runs = 'runs'] = process.argv.slice(2);
const manifest = runs === 'runs' ? mediaService : { ...mediaService, jobHandlers: () => ({}) };
const config = loadConfig({
  PITCHEY_ENV: 'test',
  PITCHEY_DATA_DIR: dataDir,
  PITCHEY_JOBS: url,
  PITCHEY_LOG_LEVEL: 'info',
  // Live ingest ports of this test alone (the media unit tests use others).
  PITCHEY_LIVE_PORTS: '19471-19475',
  PITCHEY_LIVE_IDLE_TIMEOUT_MS: '15000',
  PITCHEY_API_KEYS: process.env.PITCHEY_API_KEYS ?? '',
});
await runHost(manifest, role, config);
