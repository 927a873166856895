// clientGoneSignal: a hang-up before the answer aborts the request's work; a finished answer does not.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientGoneSignal } from '../../src/kit/index.js';

let app: FastifyInstance;
let base: string;
const seen: { reason: unknown; aborted: boolean }[] = [];

beforeAll(async () => {
  app = Fastify();
  app.get('/slow', async (_req, reply) => {
    const signal = clientGoneSignal(reply, new Error('client went away'));
    await new Promise<void>((resolve) => { signal.addEventListener('abort', () => resolve(), { once: true }); setTimeout(resolve, 5_000); });
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
afterAll(async () => { await app.close(); });

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
