// `pitchey logs -f` against a gateway on loopback that answers as scripted: the first request
// asks for whole lines only (a follower's empty cursor), a failed request (unreachable, 5xx) is
// asked again after a wait, said on stderr, a bounded number of times in a row; a refusal (4xx)
// ends it at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminClient } from '../../src/cli/admin-client.js';
import { NO_CURSORS, follow } from '../../src/cli/logs.js';
import { writeLogCursors } from '../../src/deploy/log-cursor.js';
import { TEST_KEY } from '../helpers.js';

type Reply = { status: number; body: unknown };
let script: Reply[] = [];
const asked: string[] = [];
let server: Server;
let url = '';
const keyBefore = process.env.PITCHEY_ADMIN_KEY;

beforeAll(async () => {
  process.env.PITCHEY_ADMIN_KEY = TEST_KEY;
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const reply = script.shift() ?? { status: 503, body: { code: 'DRAINING', status: 503, detail: 'the script ran out' } };
    res.writeHead(reply.status, { 'content-type': reply.status >= 400 ? 'application/problem+json' : 'application/json' }).end(JSON.stringify(reply.body));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (keyBefore === undefined) delete process.env.PITCHEY_ADMIN_KEY;
  else process.env.PITCHEY_ADMIN_KEY = keyBefore;
  await new Promise((ok) => server.close(ok));
});

const logsAnswer = (lines: string[], cursor: string) => {
  const instances = [{ id: 'video-1', version: '1.0.0', track: 'stable' as const, lines, cursor }];
  return { status: 200, body: { service: 'video', instances, next: writeLogCursors(instances) } };
};
const unavailable = { status: 503, body: { type: 'about:blank', title: 'Draining', status: 503, code: 'DRAINING', detail: 'the gateway restarts' } };

/** Follows until `until` holds of what was printed; what was printed and said. */
async function followUntil(until: (lines: string[]) => boolean, retryDelaysMs = [1, 1, 1]) {
  const stop = new AbortController();
  const lines: string[] = [];
  const notes: string[] = [];
  const done = follow('video', '5', createAdminClient({ gateway: url, as: 'test' }), {
    signal: stop.signal,
    everyMs: 1,
    retryDelaysMs,
    line: (id, line) => {
      lines.push(`${id} | ${line}`);
      if (until(lines)) stop.abort();
    },
    note: (m) => notes.push(m),
  });
  return { done, lines, notes };
}

describe('pitchey logs -f', () => {
  it("asks first for the tail as a follower (whole lines only), then for what follows each answer's cursor", async () => {
    asked.length = 0;
    script = [logsAnswer(['one'], '1'), logsAnswer(['two'], '2')];
    const { done, lines } = await followUntil((l) => l.length === 2);
    await done;
    expect(lines).toEqual(['video-1 | one', 'video-1 | two']);
    expect(asked[0]).toBe(`/_pitchey/admin/logs/video?tail=5&after=${NO_CURSORS}`);
    expect(asked[1]).toBe(`/_pitchey/admin/logs/video?tail=10000&after=${writeLogCursors([{ id: 'video-1', version: '1.0.0', track: 'stable', lines: [], cursor: '1' }])}`);
    expect(NO_CURSORS).toBe(writeLogCursors([]));
  });

  it('goes on after failed requests, saying so on stderr, and picks up where it was', async () => {
    asked.length = 0;
    script = [logsAnswer(['before'], '1'), unavailable, unavailable, logsAnswer(['after'], '2')];
    const { done, lines, notes } = await followUntil((l) => l.includes('video-1 | after'));
    await done;
    expect(lines).toEqual(['video-1 | before', 'video-1 | after']);
    expect(notes.filter((n) => n.includes('asking again'))).toEqual([
      'logs: DRAINING: the gateway restarts; asking again in 0.001 s (1 of 3)',
      'logs: DRAINING: the gateway restarts; asking again in 0.001 s (2 of 3)',
    ]);
    expect(asked[3]).toBe(asked[1]); // the same cursor again: no line lost or repeated
  });

  it('gives up with the last error after the bounded retries in a row', async () => {
    script = [logsAnswer(['x'], '1'), unavailable, unavailable, unavailable, unavailable];
    const { done, notes } = await followUntil(() => false);
    await expect(done).rejects.toThrow('DRAINING: the gateway restarts');
    expect(notes.filter((n) => n.includes('asking again'))).toHaveLength(3);
  });

  it('ends at once on a refusal (a 4xx): asking again would not help', async () => {
    script = [{ status: 401, body: { status: 401, code: 'AUTH_INVALID', detail: 'the key is not valid' } }];
    const { done, notes } = await followUntil(() => false);
    await expect(done).rejects.toThrow('AUTH_INVALID');
    expect(notes.filter((n) => n.includes('asking again'))).toEqual([]);
  });

  it('goes on while the gateway cannot be reached at all', async () => {
    const gone = createServer();
    await new Promise<void>((ok) => gone.listen(0, '127.0.0.1', ok));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((ok) => gone.close(ok));
    const notes: string[] = [];
    const done = follow('video', '5', createAdminClient({ gateway: `http://127.0.0.1:${port}`, as: 'test' }), {
      signal: new AbortController().signal,
      everyMs: 1,
      retryDelaysMs: [1, 1],
      line: () => undefined,
      note: (m) => notes.push(m),
    });
    await expect(done).rejects.toThrow('cannot reach the gateway');
    expect(notes.filter((n) => n.includes('asking again'))).toHaveLength(2);
  });
});
