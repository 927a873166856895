// A service instance or a `pitchey worker` in a process of its own, standing for one host (its own
// data dir) on a shared Redis job store, for the job-files-across-hosts test. Its `copy` job writes
// its input reversed as its output and says who ran it; an instance started with `accepts` has no
// handler, so it takes jobs on `POST /copy` and leaves running them to the other hosts.
// argv: <instance|worker> <redis URL> <data dir> <name> <runs|accepts>; env PITCHEY_API_KEYS: the test's key.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// Not through the kit's index: that would bundle the docker client and its native addons.
import { loadConfig } from '../../src/kit/config.js';
import type { ServiceManifest } from '../../src/kit/create-service.js';
import type { JobInput } from '../../src/kit/job-http.js';
import { receiveMultipart, requireFile } from '../../src/kit/uploads.js';
import type { JobHandler } from '../../src/jobs/index.js';
import { runHost } from './host-process.js';

const [role = '', url = '', dataDir = '', name = '', runs = 'runs'] = process.argv.slice(2);

const copy: JobHandler = async ({ payload, workDir }) => {
  const input = (payload as { inputs: JobInput[] }).inputs[0];
  if (input === undefined) throw new Error('no input');
  const bytes = (await readFile(input.path)).reverse();
  const path = join(workDir, 'reversed.bin');
  await writeFile(path, bytes);
  return { result: { by: name, output: { path, filename: 'reversed.bin', contentType: 'application/octet-stream', size: bytes.length } } };
};

const manifest: ServiceManifest = {
  name: 'video',
  title: 'job files test',
  description: 'one job type over uploaded files',
  jobHandlers: () => (runs === 'runs' ? { copy } : {}),
  routes: (app, ctx) => {
    app.post('/copy', async (req, reply) => {
      const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: 64 * 1024 * 1024, accept: ['application/octet-stream'] });
      return ctx.submit(req, reply, { type: 'copy', payload: {}, inputs: [requireFile(form)], maxAttempts: 3 });
    });
  },
};

const config = loadConfig({ PITCHEY_ENV: 'test', PITCHEY_DATA_DIR: dataDir, PITCHEY_JOBS: url, PITCHEY_LOG_LEVEL: 'info', PITCHEY_API_KEYS: process.env.PITCHEY_API_KEYS ?? '' });
await runHost(manifest, role, config);
