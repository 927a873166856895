// The smoke journeys' HTTP client behaves as a client should under the gateway's rate limits: told
// to slow down, it waits the Retry-After and asks again, a bounded number of times.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SmokeClient } from '../../../src/deploy/smoke/client.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = null;
});

/** A server refusing the first `refusals` requests with 429 and Retry-After: 1; it records each body it was sent. */
async function limitedServer(refusals: number): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      bodies.push(body);
      if (bodies.length <= refusals) res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/problem+json' }).end('{"code":"RATE_LIMITED"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}`, bodies };
}

describe('smoke client under rate limits', () => {
  it('waits out a 429 as Retry-After says and sends the same request again', async () => {
    const { url, bodies } = await limitedServer(2);
    const client = new SmokeClient({ baseUrl: url, apiKey: 'k', track: null, timeoutMs: 5_000 });
    const answer = await client.step('classify', 'POST', '/api/ai/classify', { json: { text: 'hello' } }, (res) => res.json());
    expect(answer).toEqual({ ok: true });
    expect(bodies).toEqual(['{"text":"hello"}', '{"text":"hello"}', '{"text":"hello"}']);
    expect(client.steps[0]?.ok).toBe(true);
    expect(client.steps[0]?.ms).toBeGreaterThanOrEqual(1_900);
  });

  it('gives up after four refusals and fails the step with the 429', async () => {
    const { url, bodies } = await limitedServer(100);
    const client = new SmokeClient({ baseUrl: url, apiKey: 'k', track: null, timeoutMs: 5_000 });
    await expect(client.step('analyze', 'POST', '/api/video/analyze', { form: { file: { data: Buffer.from('clip'), filename: 'a.mp4', type: 'video/mp4' } } }, () => undefined)).rejects.toThrow(
      /answered 429/,
    );
    expect(bodies).toHaveLength(4);
    // The multipart body is built afresh for each attempt: every one carried the file.
    for (const b of bodies) expect(b).toContain('filename="a.mp4"');
  }, 10_000);
});
