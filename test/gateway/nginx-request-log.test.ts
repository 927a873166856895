// The nginx data plane logs each request it answers itself exactly as the Node gateway logs one
// (pino's "incoming request" and "request completed" lines, same fields in the same order, into
// the gateway's own log stream), the requests it hands to the Node gateway once (there), and none
// above info.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrettyPrinter } from '../../src/cli/pretty-log.js';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { createMetrics } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig, until } from '../helpers.js';
import { startUpstream, type Upstream } from './upstream.js';

type Line = Record<string, unknown> & { msg?: string; reqId?: string };

interface Logged {
  gateway: Gateway;
  base: string;
  /** Every line logged so far, raw. */
  raw: string[];
  /** The request lines (incoming, completed) of one request id. */
  requestLines(reqId: string): Line[];
}

const tmp = makeTempDir();
let upstream: Upstream;
const started: Logged[] = [];

async function startLogged(plane: 'node' | 'nginx', env: Record<string, string> = {}): Promise<Logged> {
  const raw: string[] = [];
  let partial = '';
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      raw.push(...lines.filter((l) => l !== ''));
      done();
    },
  });
  const config = testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false', PITCHEY_LOG_LEVEL: 'info', PITCHEY_TRUSTED_PROXIES: '127.0.0.1', PITCHEY_DATA_PLANE: plane, ...env });
  const gateway = await createGateway({ config, metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000, logStream });
  gateway.pools.get('video')?.setInstances([{ id: 'a', url: upstream.url, track: 'stable', version: 'v1' }], { healthy: true });
  const port = await gateway.listen(0, '127.0.0.1');
  await gateway.syncDataPlane();
  const logged: Logged = {
    gateway,
    base: `http://127.0.0.1:${port}`,
    raw,
    requestLines: (reqId) => raw.map((l) => JSON.parse(l) as Line).filter((l) => l.reqId === reqId && (l.msg === 'incoming request' || l.msg === 'request completed')),
  };
  started.push(logged);
  return logged;
}

/** A line with what differs from one request to the next (times, the client's port, the gateway's port) reduced to its type. */
function shape(line: Line): Line {
  const req = line.req as Record<string, unknown> | undefined;
  // pino's time: ISO 8601 in UTC with milliseconds, as Date#toISOString writes it.
  const out: Line = { ...line, time: typeof line.time === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(line.time) ? 'ISO time' : line.time };
  if (typeof line.responseTime === 'number') out.responseTime = 'number';
  if (req) out.req = { ...req, remotePort: typeof req.remotePort, host: String(req.host).replace(/:\d+$/, ':PORT') };
  return out;
}

async function requestLines(logged: Logged, path: string, headers: Record<string, string>, count = 2): Promise<Line[]> {
  const res = await fetch(`${logged.base}${path}`, { headers });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return until(
    `${headers['x-request-id']}'s lines`,
    () => (logged.requestLines(headers['x-request-id'] ?? '').length >= count ? logged.requestLines(headers['x-request-id'] ?? '') : undefined),
    5_000,
  );
}

let node: Logged;
let nginx: Logged;

beforeAll(async () => {
  upstream = await startUpstream(tmp.dir, 'stable-a', 'v1');
  [node, nginx] = [await startLogged('node'), await startLogged('nginx')];
});
afterAll(async () => {
  for (const l of started) await l.gateway.close();
  await upstream?.close();
  tmp.remove();
});

describe("the nginx data plane's request log", () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ['a request with a query and an API key', '/api/video/who?page=2&q=a%20b', { 'x-api-key': TEST_KEY }],
    ['a request with Accept-Version (Fastify logs it as req.version)', '/api/video/who', { 'accept-version': '1.x' }],
    ['a request through a trusted proxy (its client and host)', '/api/video/who', { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-host': 'a.example, api.example.com ' }],
  ];
  it.each(cases)('logs %s as the Node gateway does', async (_what, path, headers) => {
    const id = `log-${Math.random().toString(36).slice(2)}`;
    const viaNode = await requestLines(node, path, { ...headers, 'x-request-id': `${id}-node` });
    const viaNginx = await requestLines(nginx, path, { ...headers, 'x-request-id': `${id}-nginx` });
    const same = (lines: Line[]) => lines.map((l) => shape({ ...l, reqId: id }));
    expect(viaNginx.map((l) => Object.keys(l))).toEqual(viaNode.map((l) => Object.keys(l)));
    expect(same(viaNginx)).toEqual(same(viaNode));
    expect(viaNginx[1]).toMatchObject({ level: 30, msg: 'request completed', res: { statusCode: 200 } });
    // The two times and the time taken agree, to the millisecond nginx keeps.
    const took = Date.parse(String(viaNginx[1]?.time)) - Date.parse(String(viaNginx[0]?.time));
    expect(Math.abs(took - Number(viaNginx[1]?.responseTime))).toBeLessThanOrEqual(1);
    expect(nginx.raw.join('\n')).not.toContain(TEST_KEY);
  });

  it('logs a request it hands to the Node gateway once, as the Node gateway logs it', async () => {
    const lines = await requestLines(nginx, '/api/video/who', { 'x-request-id': 'handed-to-node', 'x-pitchey-track': 'stable', 'x-api-key': TEST_KEY });
    // Time for a second pair, had nginx logged it too.
    await requestLines(nginx, '/api/video/who', { 'x-request-id': 'after-handed' });
    expect(nginx.requestLines('handed-to-node').map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines[0]).toMatchObject({ req: { remoteAddress: '127.0.0.1' } });
  });

  it('logs a request line nginx refused with its path as the client sent it', async () => {
    const res = await fetch(`${nginx.base}/api/video/who%zz?page=2`);
    expect(res.status).toBe(400);
    const id = res.headers.get('x-request-id') ?? '';
    await res.arrayBuffer();
    const lines = await until(`${id}'s lines`, () => (nginx.requestLines(id).length >= 2 ? nginx.requestLines(id) : undefined), 5_000);
    expect(lines[0]).toMatchObject({ msg: 'incoming request', req: { method: 'GET', url: '/api/video/who%zz?page=2' } });
    expect(lines[1]).toMatchObject({ msg: 'request completed', res: { statusCode: 400 } });
  });

  it('reads as one short line in the pretty printer', async () => {
    const lines = await requestLines(nginx, '/api/video/who?page=2', { 'x-request-id': 'pretty-one' });
    let out = '';
    const printer = createPrettyPrinter({ colour: false, write: (text) => (out += text), width: 8 });
    for (const l of lines) printer.line('gateway', JSON.stringify(l));
    expect(out).toMatch(/^gateway {2}\| \d\d:\d\d:\d\d INFO {2}GET \/api\/video\/who\?page=2 → 200 \(\d+\.?\d* ms\)\n$/);
  });

  it('logs no request above info', async () => {
    const quiet = await startLogged('nginx', { PITCHEY_LOG_LEVEL: 'warn' });
    const res = await fetch(`${quiet.base}/api/video/who`, { headers: { 'x-request-id': 'quiet' } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // A request the Node gateway answers after it, whose line would come after nginx's.
    await fetch(`${quiet.base}/health`);
    await quiet.gateway.close();
    started.splice(started.indexOf(quiet), 1);
    expect(quiet.raw.filter((l) => l.includes('"quiet"'))).toEqual([]);
  });
});
