// Shared setup for the media service tests: the real service on a free port, a job poller and
// an upload helper, all over HTTP as a client sees it.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createService, type RunningService } from '../../../src/kit/index.js';
import { mediaService } from '../../../src/services/media/index.js';
import { TEST_KEY, testConfig } from '../../helpers.js';

export interface MediaServer { svc: RunningService; base: string }

export async function startMedia(dataDir: string, env: Record<string, string> = {}): Promise<MediaServer> {
  const svc = await createService(mediaService, { config: testConfig(dataDir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_JOB_WAIT_MS: '60000', PITCHEY_HLS_SEGMENT_SECONDS: '2', ...env }) });
  return { svc, base: `http://127.0.0.1:${await svc.listen(0, '127.0.0.1')}` };
}

export async function upload(base: string, path: string, route: string, fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([await readFile(path)]), basename(path));
  return fetch(`${base}${route}`, { method: 'POST', headers: { 'x-api-key': TEST_KEY }, body: form });
}

