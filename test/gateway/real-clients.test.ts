// The gateway and the kit under clients as they really behave: curl (which sends
// `Expect: 100-continue` above 1 MiB), clients that hang up mid-body, clients that write a whole
// body before reading, forged X-Forwarded-For, malformed URLs and multipart headers. Each test is
// named after the defect it guards against.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { createMetrics, type RunningService } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startTestService } from '../kit/test-service.js';

function curl(args: string[]): Promise<{ status: number; body: string; trace: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '-v', '--max-time', '20', '-w', '\n%{http_code}', ...args]);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', () => {
      const cut = out.lastIndexOf('\n');
      resolve({ status: Number(out.slice(cut + 1)), body: out.slice(0, cut), trace: err });
    });
  });
}

/** Whether `raw` holds a whole answer: its head and as many body bytes as its Content-Length says. */
function wholeAnswer(raw: string): boolean {
  const end = raw.indexOf('\r\n\r\n');
  const length = end < 0 ? null : /\r\ncontent-length: (\d+)/i.exec(raw.slice(0, end + 2));
  return length !== null && length !== undefined && raw.length - end - 4 >= Number(length[1]);
}

/**
 * A raw HTTP/1.1 exchange: writes `head` and `body` (all of it, before reading); returns what came
 * back once a whole answer arrived (a proxy may keep the connection, having read the rest), the
 * connection closed, or `waitMs` passed.
 */
function rawExchange(port: number, head: string, body: Buffer, waitMs = 10_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const end = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => end(false), waitMs);
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (wholeAnswer(text)) end(false);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => end(true));
    socket.write(head);
    socket.write(body);
  });
}

function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
}

function multipart(parts: Array<{ name: string; filename: string; content: Buffer }>): { type: string; body: Buffer } {
  const boundary = `----pitchey${randomBytes(8).toString('hex')}`;
  const chunks = parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\ncontent-type: application/octet-stream\r\n\r\n`),
    p.content,
    Buffer.from('\r\n'),
  ]);
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]) };
}

// Both data planes (PITCHEY_DATA_PLANE): what a stock client sees must not depend on which carries the bytes.
describe.each(['node', 'nginx'] as const)('%s data plane', (plane) => {
  const tmp = makeTempDir();
  let svc: RunningService;
  let gateway: Gateway;
  let base: string;
  let port: number;
  let upstream: string;

  beforeAll(async () => {
    const config = testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_JOB_WAIT_MS: '2000', PITCHEY_GATEWAY_WAIT_MS: '4000', PITCHEY_DATA_PLANE: plane });
    svc = await startTestService(config);
    upstream = `http://127.0.0.1:${await svc.listen(0, '127.0.0.1')}`;
    gateway = await createGateway({ config, metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000 });
    gateway.pools.get('video')?.setInstances([{ id: 'video-a', url: upstream, track: 'stable', version: 'v1' }], { healthy: true });
    port = await gateway.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await gateway.close();
    await svc.drain();
    tmp.remove();
  });

  /** Requests in flight to the instance, as the admin API counts them (nginx's own count on that plane). */
  const inflightOf = async (id: string): Promise<number | undefined> => {
    await gateway.syncDataPlane();
    return gateway.control
      .listPools()
      .find((p) => p.service === 'video')
      ?.instances.find((i) => i.id === id)?.inflight;
  };

  describe('stock clients through the gateway', () => {
    it('streams a curl upload over 1 MiB (Expect: 100-continue) to the service intact', async () => {
      const content = randomBytes(3 * 1024 * 1024);
      const path = join(tmp.dir, 'three-mb.bin');
      writeFileSync(path, content);
      const res = await curl(['-H', `X-API-Key: ${TEST_KEY}`, '-F', `file=@${path}`, `${base}/api/video/upload-large`]);
      expect(res.trace).toMatch(/> Expect: 100-continue/i);
      expect(res.status, res.body).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    });

    it('a refused upload does not poison the connection the next requests use', async () => {
      const a = join(tmp.dir, 'a.bin');
      const b = join(tmp.dir, 'b.bin');
      writeFileSync(a, randomBytes(200_000));
      writeFileSync(b, randomBytes(200_000));
      for (let round = 0; round < 3; round++) {
        const refused = await curl(['-H', `X-API-Key: ${TEST_KEY}`, '-F', `file=@${a}`, '-F', `file2=@${b}`, `${base}/api/video/upload-large`]);
        expect(refused.status, refused.body).toBe(400);
        for (let i = 0; i < 4; i++) {
          const next = await fetch(`${base}/api/video/queue/status`, { headers: { 'x-api-key': TEST_KEY }, signal: AbortSignal.timeout(5_000) });
          expect(next.status).toBe(200);
        }
      }
    });

    it('answers a refused upload to a client still sending with Connection: close, after reading the rest (no reset)', async () => {
      const form = multipart([
        { name: 'file', filename: 'a.bin', content: randomBytes(300_000) },
        { name: 'file2', filename: 'b.bin', content: randomBytes(300_000) },
      ]);
      const head = `POST /upload-large HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: ${form.type}\r\ncontent-length: ${form.body.length}\r\n\r\n`;
      const direct = await new Promise<{ text: string; closed: boolean }>((resolve) => {
        const socket: Socket = connect(Number(new URL(upstream).port), '127.0.0.1');
        let text = '';
        socket.on('data', (c: Buffer) => {
          text += c.toString('latin1');
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve({ text, closed: true }));
        socket.write(head);
        socket.write(form.body);
        // A keep-alive client sends its next request on the same connection: it must not hang.
        socket.write('GET /health HTTP/1.1\r\nhost: x\r\n\r\n');
        setTimeout(() => {
          socket.destroy();
          resolve({ text, closed: false });
        }, 8_000);
      });
      expect(statusOf(direct.text)).toBe(400);
      expect(direct.text).toMatch(/\r\nconnection: close\r\n/i);
      expect(direct.closed).toBe(true);
    });

    it('cancels the upstream request at once when its client hangs up mid-body', async () => {
      const sockets = Array.from({ length: 20 }, () => connect(port, '127.0.0.1'));
      await Promise.all(
        sockets.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.on('error', () => undefined);
              s.write(`POST /api/video/upload-large HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: multipart/form-data; boundary=zzz\r\ncontent-length: 4000000\r\n\r\n--zzz\r\n`);
              s.write(randomBytes(64 * 1024), () => resolve());
            }),
        ),
      );
      await expect.poll(() => inflightOf('video-a'), { timeout: 5_000 }).toBe(20);
      for (const s of sockets) s.destroy();
      await expect.poll(() => inflightOf('video-a'), { timeout: 3_000 }).toBe(0);
      expect((await fetch(`${base}/api/video/health`)).status).toBe(200);
    });

    it("answers JSON over the service's 1 MiB limit (under the gateway's) with 413, every time, to curl and to a client that writes before reading", async () => {
      const body = Buffer.from(JSON.stringify({ text: 'x'.repeat(1_500_000) }));
      const path = join(tmp.dir, 'big.json');
      writeFileSync(path, body);
      for (let i = 0; i < 5; i++) {
        const res = await curl(['-H', `X-API-Key: ${TEST_KEY}`, '-H', 'content-type: application/json', '--data-binary', `@${path}`, `${base}/api/video/echo`]);
        expect(res.status, res.body).toBe(413);
        expect(JSON.parse(res.body)).toMatchObject({ code: 'BODY_TOO_LARGE' });
      }
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const res = await rawExchange(port, `POST /api/video/echo HTTP/1.1\r\nhost: x\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`, body);
        expect(statusOf(res.text), res.text.slice(0, 200)).toBe(413);
        expect(performance.now() - started).toBeLessThan(8_000);
      }
    });

    it('refuses multipart without a boundary with a 400 that says so, not a 500', async () => {
      const res = await fetch(`${base}/api/video/upload`, { method: 'POST', headers: { 'x-api-key': TEST_KEY, 'content-type': 'multipart/form-data' }, body: 'hello' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringContaining('boundary') });
    });

    it('answers a bad percent-encoding and an over-long path parameter as problems with the security headers and a request id', async () => {
      for (const url of [`${base}/api/video/status/%zz`, `${upstream}/status/%zz`]) {
        const res = await fetch(url, { headers: { 'x-api-key': TEST_KEY } });
        expect(res.status, url).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-request-id')).toBeTruthy();
        expect(await res.json()).toMatchObject({ code: 'BAD_REQUEST' });
      }
      const long = await fetch(`${base}/api/video/status/${'a'.repeat(300)}`, { headers: { 'x-api-key': TEST_KEY } });
      expect(long.status).toBe(414);
      expect(long.headers.get('content-type')).toContain('application/problem+json');
      expect(long.headers.get('x-frame-options')).toBe('DENY');
      expect(await long.json()).toMatchObject({ code: 'URI_TOO_LONG' });
    });

    it('serves its /metrics only to the metrics scope, by API key or as a bearer token', async () => {
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('pitchey_gateway_upstream_requests_total');
    });
  });

  describe('an instance that dies', () => {
    it('holds idempotent requests until a healthy instance is back instead of failing them; refuses a POST at once', async () => {
      const pool = gateway.pools.get('video');
      pool?.setInstances([{ id: 'video-dead', url: 'http://127.0.0.1:9', track: 'stable', version: 'v1' }], { healthy: true });
      await gateway.syncDataPlane();
      const gets = Array.from({ length: 10 }, () => fetch(`${base}/api/video/health`).then((r) => r.status));
      const post = await fetch(`${base}/api/video/echo`, { method: 'POST', headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' }, body: '{"text":"x"}' });
      expect(post.status).toBe(502);
      // The supervisor brings the instance back (on a new port) a second later.
      await sleep(1_000);
      pool?.add({ id: 'video-a', url: upstream, track: 'stable', version: 'v1' });
      const back = pool?.get('video-a');
      if (back) back.healthy = true;
      await gateway.syncDataPlane();
      expect(await Promise.all(gets)).toEqual(Array(10).fill(200));
    });
  });
});
