// A small service on the real kit for tests: upload routes (64 KiB and 8 MiB), a JSON route with a schema, and a
// job type that writes a file, so the kit is exercised exactly as the five services use it.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Problem, Type, createService, receiveMultipart, requireFile, type Config, type RunningService, type ServiceManifest } from '../../src/kit/index.js';

/** What `/upload-held` does between receiving its file and answering: a test holds it there. */
export const uploadHold: { received: (path: string) => Promise<void> } = { received: async () => {} };

export const testManifest: ServiceManifest = {
  name: 'video',
  title: 'test service',
  description: 'kit test bed',
  jobHandlers: () => ({
    echo: async (ctx) => {
      const { text, delayMs } = ctx.payload as { text: string; delayMs: number };
      if (text === 'refuse') throw new Problem('UNPROCESSABLE', 'echo refuses to repeat "refuse"');
      if (text === 'crash') throw new Problem('INTERNAL_ERROR', 'echo crashes on "crash": a failure of processing');
      for (let i = 1; i <= 4; i++) {
        await sleep(delayMs / 4);
        ctx.progress(i * 25);
      }
      const path = join(ctx.workDir, 'out.txt');
      await writeFile(path, text.repeat(10));
      return { result: { length: text.length * 10, output: { path, filename: 'out.txt', contentType: 'text/plain', size: text.length * 10 } }, files: [path] };
    },
  }),
  routes(app, ctx) {
    app.post('/upload', async (req) => {
      const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: 64 * 1024, accept: ['image/png', 'text/plain'], keepInMemoryBytes: 1024 });
      const file = requireFile(form);
      const kept = file.bytes === undefined ? 'no' : file.bytes.equals(await readFile(file.path)) ? 'same' : 'different';
      return { filename: file.filename, size: file.size, mime: file.mime, fields: form.fields, kept };
    });
    app.post('/upload-large', async (req) => {
      const form = await receiveMultipart(req, ctx.tmpDir, { maxBytes: 8 * 1024 * 1024, accept: ['application/octet-stream', 'text/plain'] });
      const file = requireFile(form);
      return {
        size: file.size,
        sha256: createHash('sha256')
          .update(await readFile(file.path))
          .digest('hex'),
      };
    });
    app.post('/upload-held', async (req, reply) => {
      const file = requireFile(await receiveMultipart(req, ctx.tmpDir, { maxBytes: 64 * 1024, accept: ['text/plain'], idleMs: 1_000 }));
      await uploadHold.received(file.path);
      const text = await readFile(file.path, 'utf8');
      // ?job=1: the file becomes an echo job's input, as the services' job routes take theirs.
      if ((req.query as { job?: string }).job === '1') return ctx.submit(req, reply, { type: 'echo', payload: { text: text.slice(0, 20), delayMs: 0 }, inputs: [file] });
      return { size: text.length };
    });
    app.post(
      '/echo',
      {
        schema: { body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 100 }), delayMs: Type.Integer({ minimum: 0, maximum: 5000, default: 0 }) }) },
        config: { rateLimit: { max: 3, timeWindow: '1 minute' } },
      },
      async (req, reply) => ctx.submit(req, reply, { type: 'echo', payload: { text: req.body.text, delayMs: req.body.delayMs } }),
    );
  },
};

export function startTestService(config: Config): Promise<RunningService> {
  return createService(testManifest, { config });
}
