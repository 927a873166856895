// clientGoneSignal: a hang-up before the answer aborts the request's work; a finished answer does
// not. The work's abort is then no failure of the service: logged and counted as nginx's 499.
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientGoneSignal, createHttpApp, createMetrics, type HttpAppHandle } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';

let app: FastifyInstance;
let base: string;
const seen: { reason: unknown; aborted: boolean }[] = [];

beforeAll(async () => {
  app = Fastify();
  app.get('/slow', async (_req, reply) => {
    const signal = clientGoneSignal(reply, new Error('client went away'));
    await sleep(5_000, undefined, { signal }).catch(() => undefined);
    seen.push({ reason: signal.reason, aborted: signal.aborted });
    return { done: true };
  });
  app.get('/quick', async (_req, reply) => {
    const signal = clientGoneSignal(reply);
    reply.raw.once('close', () => setImmediate(() => seen.push({ reason: signal.reason, aborted: signal.aborted })));
    return { done: true };
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
});

describe('clientGoneSignal', () => {
  it('aborts with the given reason when the client hangs up first', async () => {
    seen.length = 0;
    await expect(fetch(`${base}/slow`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await expect.poll(() => seen.length, { timeout: 3_000 }).toBe(1);
    expect(seen[0]?.aborted).toBe(true);
    expect((seen[0]?.reason as Error).message).toBe('client went away');
  });

  it('stays quiet when the answer is sent', async () => {
    seen.length = 0;
    expect(await (await fetch(`${base}/quick`)).json()).toEqual({ done: true });
    await expect.poll(() => seen.length, { timeout: 3_000 }).toBe(1);
    expect(seen[0]?.aborted).toBe(false);
  });
});

describe('a request whose client hung up', () => {
  const tmp = makeTempDir();
  const logs = new PassThrough();
  let lines: Array<{ level: number; msg: string; status?: number; url?: string; reqId?: string; res?: { statusCode: number } }> = [];
  logs.on('data', (c: Buffer) => {
    for (const l of c.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as (typeof lines)[number]);
  });
  let handle: HttpAppHandle;
  let url: string;

  beforeAll(async () => {
    handle = await createHttpApp({
      service: 'video',
      title: 't',
      description: 'd',
      config: testConfig(tmp.dir, { PITCHEY_LOG_LEVEL: 'info' }),
      metrics: createMetrics({ defaultMetrics: false }),
      logStream: logs,
    });
    const givesUp = async (_req: unknown, reply: Parameters<typeof clientGoneSignal>[0]): Promise<void> => {
      const signal = clientGoneSignal(reply);
      await new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    };
    handle.app.get('/gives-up', { config: { auth: 'public' } }, givesUp);
    // A body read whole before the hang-up (a job submit waiting for its result) is the same case.
    handle.app.post('/gives-up', { config: { auth: 'public' } }, givesUp);
    handle.app.get('/breaks', { config: { auth: 'public' } }, async () => {
      throw new Error('a real fault');
    });
    await handle.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(handle.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await handle.app.close();
    tmp.remove();
  });

  it('is logged as 499 at info, not as a failure of the service, and counted as 499, with or without a body', async () => {
    lines = [];
    await expect(fetch(`${url}/gives-up`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await expect(
      fetch(`${url}/gives-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'wait for me' }), signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    await expect.poll(() => lines.filter((l) => l.status === 499).length, { timeout: 3_000 }).toBe(2);
    expect(lines.filter((l) => l.status === 499).map((l) => [l.level, l.msg])).toEqual([
      [30, 'client closed the request before its answer'],
      [30, 'client closed the request before its answer'],
    ]);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    // Each incoming request has its completion line, as nginx writes 499 in its access log.
    const completed = lines.filter((l) => l.msg === 'request completed');
    expect(completed.map((l) => [l.level, l.res?.statusCode])).toEqual([
      [30, 499],
      [30, 499],
    ]);
    expect(new Set(completed.map((l) => l.reqId)).size).toBe(2);
    const metrics = await (await fetch(`${url}/metrics`, { headers: { 'x-api-key': TEST_KEY } })).text();
    for (const method of ['GET', 'POST']) expect(metrics).toMatch(new RegExp(`pitchey_http_requests_total\\{service="video",route="/gives-up",method="${method}",status="499",[^}]*\\} 1`));
  });

  it('leaves a real fault logged as an error with a 500 answer', async () => {
    lines = [];
    expect((await fetch(`${url}/breaks`)).status).toBe(500);
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual(['request failed']);
  });
});
