// Every upload route of the services, with a client that hangs up once its whole body is on the
// server's disk and before its answer (the moment neither Fastify's onRequestAbort nor onResponse
// covers): the request's upload folder is removed and no ffmpeg it started is left running.
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type RunningService, type ServiceManifest } from '../../src/kit/index.js';
import { documentService } from '../../src/services/document/index.js';
import { mediaService } from '../../src/services/media/index.js';
import { videoService } from '../../src/services/video/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { form, labelledPdf, type Part } from '../support/document-fixtures.js';
import { ffmpegChildren, makeClip } from '../support/media-fixtures.js';

interface UploadRoute {
  path: string;
  field: string;
  many: boolean;
}

/** The service's upload routes, as its OpenAPI document gives them (a multipart body with a binary part). */
async function uploadRoutes(svc: RunningService): Promise<UploadRoute[]> {
  type Op = { requestBody?: { content?: Record<string, { schema: { required: string[]; properties: Record<string, { type: string }> } }> } };
  const doc = (await svc.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, Op>> }>();
  return Object.entries(doc.paths).flatMap(([path, ops]) => {
    const schema = ops.post?.requestBody?.content?.['multipart/form-data']?.schema;
    if (schema === undefined) return [];
    const field = schema.required[0]!;
    return [{ path, field, many: schema.properties[field]!.type === 'array' }];
  });
}

/** Paths of the files under the service's upload folders, with their sizes. */
function uploadedSizes(tmpDir: string): number[] {
  return readdirSync(tmpDir).flatMap((d) => readdirSync(join(tmpDir, d)).map((f) => statSync(join(tmpDir, d, f)).size));
}

/** Sends the whole form, hangs up as soon as the server has all of it on disk, and says whether an answer came first. */
async function hangUpAfterBody(port: number, route: UploadRoute, parts: Part[], tmpDir: string): Promise<boolean> {
  const f = form(parts);
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let answered = false;
  socket.on('data', () => (answered = true));
  socket.write(`POST ${route.path} HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: ${f.type}\r\ncontent-length: ${f.body.length}\r\n\r\n`);
  socket.write(f.body);
  const last = parts.at(-1)!.data.length;
  const deadline = Date.now() + 10_000;
  while (!answered && Date.now() < deadline && !uploadedSizes(tmpDir).includes(last)) await sleep(1);
  socket.destroy();
  return answered;
}

async function folderEmpties(dir: string): Promise<string[]> {
  for (let i = 0; i < 200 && readdirSync(dir).length > 0; i++) await sleep(50);
  return readdirSync(dir);
}

const tmp = makeTempDir('pitchey-hangup-');
let clip: Buffer;
let pdf: Buffer;
beforeAll(async () => {
  clip = await readFile(await makeClip(tmp.dir, { name: 'clip', seconds: 2, width: 320, height: 240 }));
  pdf = await labelledPdf(['one', 'two']);
});
afterAll(() => tmp.remove());

const services: Array<[ServiceManifest, () => Buffer, string]> = [
  [videoService, () => clip, 'clip.mp4'],
  [mediaService, () => clip, 'clip.mp4'],
  [documentService, () => pdf, 'doc.pdf'],
];

describe.each(services)('%s', (manifest, content, filename) => {
  let svc: RunningService;
  let port: number;
  beforeAll(async () => {
    svc = await createService(manifest, { config: testConfig(join(tmp.dir, manifest.name), { PITCHEY_RATE_LIMIT: 'false' }) });
    port = await svc.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await svc.drain();
  });

  it('removes the upload folder of a client that hangs up after its body, on every upload route', async () => {
    const routes = await uploadRoutes(svc);
    expect(routes.length).toBeGreaterThan(0);
    const answeredFirst: string[] = [];
    for (const route of routes) {
      const file: Part = { name: route.field, filename, type: 'application/octet-stream', data: content() };
      if (await hangUpAfterBody(port, route, route.many ? [file, { ...file, filename: `2-${filename}` }] : [file], svc.ctx.tmpDir)) answeredFirst.push(route.path);
      expect(await folderEmpties(svc.ctx.tmpDir), route.path).toEqual([]);
    }
    // The hang-up came before the answer (the case under test) on the routes that take any time over the file.
    expect(answeredFirst.length).toBeLessThan(routes.length);
    for (let i = 0; i < 100 && ffmpegChildren().length > 0; i++) await sleep(50);
    expect(ffmpegChildren()).toEqual([]);
  });
});
