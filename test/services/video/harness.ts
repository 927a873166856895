// The video service on a real listen, with multipart uploads and ffprobe checks of what it returns.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createService, type RunningService } from '../../../src/kit/index.js';
import { videoService } from '../../../src/services/video/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../../helpers.js';

export interface Harness {
  svc: RunningService;
  base: string;
  dir: string;
  close: () => Promise<void>;
}

export async function startVideo(env: Record<string, string> = {}): Promise<Harness> {
  const tmp = makeTempDir('pitchey-video-');
  const svc = await createService(videoService, { config: testConfig(tmp.dir, { PITCHEY_JOB_WAIT_MS: '60000', ...env }) });
  const port = await svc.listen(0, '127.0.0.1');
  return {
    svc,
    base: `http://127.0.0.1:${port}`,
    dir: tmp.dir,
    close: async () => {
      await svc.drain();
      tmp.remove();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  body: Buffer;
}

export async function upload(h: Harness, path: string, file: string, fields: Record<string, string> = {}, query = ''): Promise<Answer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([await readFile(file)]), basename(file));
  return answer(await fetch(`${h.base}${path}${query}`, { method: 'POST', body: form, headers: { 'x-api-key': TEST_KEY } }));
}

export async function get(h: Harness, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(await fetch(`${h.base}${path}`, { headers: { 'x-api-key': TEST_KEY, ...headers } }));
}

async function answer(res: Response): Promise<Answer> {
  const body = Buffer.from(await res.arrayBuffer());
  let json: Record<string, unknown> = {};
  if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  return { status: res.status, headers: res.headers, json, body };
}

/** Polls /status until the job leaves queued/processing. */
export async function settle(h: Harness, id: string, maxMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const s = (await get(h, `/status/${id}`)).json;
    if (!['queued', 'processing'].includes(String(s.status)) || Date.now() > deadline) return s;
    await sleep(100);
  }
}

/** Job work folders still on disk. */
export const jobDirs = (h: Harness): string[] => readdirSync(h.svc.ctx.jobs.workRoot);
export const jobDir = (h: Harness, id: string): string => join(h.svc.ctx.jobs.workRoot, id);
