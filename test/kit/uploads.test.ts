import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_PATHS, serviceDataDir, type RunningService } from '../../src/kit/index.js';
import { STALE_TEMP_MS } from '../../src/kit/uploads.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startTestService, uploadHold } from './test-service.js';

const tmp = makeTempDir();
let svc: RunningService;
let port: number;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4560000000049454e44ae426082', 'hex');

beforeAll(async () => {
  svc = await startTestService(testConfig(tmp.dir));
  port = await svc.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await svc.drain();
  tmp.remove();
});

function form(parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>): { body: Buffer; type: string } {
  const boundary = '----pitchey' + Math.random().toString(16).slice(2);
  const chunks = parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`),
    Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
    Buffer.from('\r\n'),
  ]);
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

async function post(f: { body: Buffer; type: string }): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', headers: { 'content-type': f.type, 'x-api-key': TEST_KEY }, body: f.body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The request's temp folder is removed right after the response is sent: poll briefly for it. */
async function tmpEntries(): Promise<string[]> {
  let entries = readdirSync(svc.ctx.tmpDir);
  for (let i = 0; i < 40 && entries.length > 0; i++) {
    await sleep(25);
    entries = readdirSync(svc.ctx.tmpDir);
  }
  return entries;
}

describe('uploads', () => {
  it('stores an accepted file, detects its type from content, and removes the temp folder', async () => {
    const r = await post(
      form([
        { name: 'note', data: 'hello' },
        { name: 'file', filename: '../../etc/passwd.txt', type: 'application/pdf', data: PNG },
      ]),
    );
    expect(r.status).toBe(200);
    // Small files are kept in memory too (no reading back), identical to what is on disk.
    expect(r.json).toMatchObject({ filename: 'passwd.txt', size: PNG.length, mime: 'image/png', fields: { note: 'hello' }, kept: 'same' });
    expect(await tmpEntries()).toEqual([]);
  });
  it("keeps files in memory only within the route's budget", async () => {
    const r = await post(form([{ name: 'file', filename: 'notes.txt', data: 'x'.repeat(4096) }]));
    expect(r.json).toMatchObject({ mime: 'text/plain', size: 4096, kept: 'no' });
  });
  it('refuses a file whose content is not an accepted type with 415, whatever its name says', async () => {
    const r = await post(form([{ name: 'file', filename: 'x.png', type: 'image/png', data: Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n') }]));
    expect([r.status, r.json.code, r.json.detected_type]).toEqual([415, 'UPLOAD_TYPE_REJECTED', 'application/pdf']);
    expect(await tmpEntries()).toEqual([]);
  });
  it('answers 422 when the file field is missing, or empty', async () => {
    const r = await post(form([{ name: 'other', data: 'x' }]));
    expect([r.status, r.json.code]).toEqual([422, 'UPLOAD_MISSING']);
    const empty = await post(form([{ name: 'file', filename: 'empty.png', type: 'image/png', data: '' }]));
    expect([empty.status, empty.json.code]).toEqual([422, 'UPLOAD_MISSING']);
  });
  it('refuses a declared-too-large upload from its Content-Length before reading it', async () => {
    const r = await post(form([{ name: 'file', filename: 'big.txt', data: 'a'.repeat(2 * 1024 * 1024) }]));
    expect([r.status, r.json.code]).toEqual([413, 'UPLOAD_TOO_LARGE']);
  });
  it('answers 413 as soon as a streamed upload passes the cap, without reading the rest', async () => {
    const boundary = 'streamcap';
    let sent = 0;
    const total = 64 * 1024 * 1024;
    const result = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/upload',
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked', 'x-api-key': TEST_KEY },
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, sent });
        req.destroy();
      });
      req.on('error', (err) => {
        if (sent >= total) reject(err);
      });
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n`);
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end(`\r\n--${boundary}--\r\n`);
      };
      pump();
    });
    expect(result.status).toBe(413);
    expect(result.sent).toBeLessThan(total / 4);
    expect(await tmpEntries()).toEqual([]);
  });
  /** Posts to /upload-held and hangs up once the route holds the file: whether it still had it after the client left, and the folder alone in tmp. */
  async function hangUpWhileHeld(query = ''): Promise<boolean[]> {
    const f = form([{ name: 'file', filename: 'a.txt', data: 'held '.repeat(1000) }]);
    const socket = connect(port, '127.0.0.1');
    const seen: boolean[] = [];
    const held = new Promise<void>((resolve) => {
      uploadHold.received = async (path) => {
        socket.destroy();
        await sleep(150); // the server has seen the connection close by now
        seen.push(existsSync(path), readdirSync(svc.ctx.tmpDir).length === 1);
        resolve();
      };
    });
    socket.write(`POST /upload-held${query} HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: ${f.type}\r\ncontent-length: ${f.body.length}\r\n\r\n`);
    socket.write(f.body);
    socket.on('error', () => undefined);
    await held;
    uploadHold.received = async () => {};
    return seen;
  }
  it('removes the folder when the client hangs up after its whole body, once the route is done with the file', async () => {
    // The route still had its file after the client left; the folder went when the route answered.
    expect(await hangUpWhileHeld()).toEqual([true, true]);
    expect(await tmpEntries()).toEqual([]);
  });
  it('queues no job for a client gone before it was accepted, and leaves nothing of its upload', async () => {
    const jobsBefore = readdirSync(svc.ctx.jobs.workRoot);
    expect(await hangUpWhileHeld('?job=1')).toEqual([true, true]);
    expect(await tmpEntries()).toEqual([]);
    expect(readdirSync(svc.ctx.jobs.workRoot)).toEqual(jobsBefore);
    expect((await svc.ctx.jobs.backend.list({ limit: 100 })).length).toBe(0);
  });
  it('removes the folder when the client half-closes after its body (Node takes that for a hang-up: no answer)', async () => {
    const f = form([{ name: 'file', filename: 'a.txt', data: 'fin '.repeat(10_000) }]);
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.write(`POST /upload HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: ${f.type}\r\ncontent-length: ${f.body.length}\r\n\r\n`);
    socket.end(f.body);
    await new Promise((resolve) => socket.on('close', resolve));
    expect(answer).toBe(''); // the server closed without a word: it takes the half-close as a hang-up
    await sleep(200); // the route may begin only now, after its asynchronous hooks
    expect(await tmpEntries()).toEqual([]);
  });
  it('refuses an upload whose body stops arriving (408, the connection closed) and removes its folder', async () => {
    const f = form([{ name: 'file', filename: 'a.txt', data: 'slow '.repeat(10_000) }]);
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    const started = Date.now();
    socket.write(`POST /upload-held HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: ${f.type}\r\ncontent-length: ${f.body.length}\r\n\r\n`);
    socket.write(f.body.subarray(0, 1000));
    await sleep(600);
    socket.write(f.body.subarray(1000, 2000)); // still arriving: the second pause is the one that counts
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"UPLOAD_STALLED"');
    expect(await tmpEntries()).toEqual([]);
  });
  it('removes the folder when the client hangs up halfway through its body', async () => {
    const f = form([{ name: 'file', filename: 'a.txt', data: 'half '.repeat(10_000) }]);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`POST /upload HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: ${f.type}\r\ncontent-length: ${f.body.length}\r\n\r\n`);
    socket.write(f.body.subarray(0, f.body.length / 2));
    for (let i = 0; i < 40 && readdirSync(svc.ctx.tmpDir).length === 0; i++) await sleep(10);
    expect(readdirSync(svc.ctx.tmpDir)).toHaveLength(1);
    socket.destroy();
    expect(await tmpEntries()).toEqual([]);
  });
  it('answers 415 when the body is not multipart', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-api-key': TEST_KEY }, body: 'x' });
    expect(res.status).toBe(415);
  });
});

describe('temp folders of a process that died mid-request', () => {
  it('are removed when a service starts, by their age: those written to within the hour are kept', async () => {
    const data = makeTempDir();
    const root = join(serviceDataDir(data.dir, 'video'), SERVICE_PATHS.tmp);
    const made = (name: string, ageMs: number): void => {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(join(root, name, 'file-0'), 'x');
      const at = new Date(Date.now() - ageMs);
      for (const p of [join(root, name, 'file-0'), join(root, name)]) utimesSync(p, at, at);
    };
    made('upload-dead', 2 * STALE_TEMP_MS);
    made('upload-live', STALE_TEMP_MS / 2);
    // A folder made long ago whose upload is still arriving: its file is new.
    made('upload-slow', 2 * STALE_TEMP_MS);
    writeFileSync(join(root, 'upload-slow', 'file-0'), 'more');
    const started = await startTestService(testConfig(data.dir));
    try {
      expect(readdirSync(root).sort()).toEqual(['upload-live', 'upload-slow']);
    } finally {
      await started.drain();
      data.remove();
    }
  });
});
