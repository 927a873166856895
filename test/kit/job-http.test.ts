import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startTestService } from './test-service.js';

const tmp = makeTempDir();
let svc: RunningService;
let base: string;
const headers = { 'x-api-key': TEST_KEY, 'content-type': 'application/json' };

beforeAll(async () => {
  svc = await startTestService(testConfig(tmp.dir, { PITCHEY_JOB_WAIT_MS: '3000', PITCHEY_RATE_LIMIT: 'false' }));
  base = `http://127.0.0.1:${await svc.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await svc.drain();
  tmp.remove();
});

describe('jobs over HTTP', () => {
  it('waits for a short job and answers 200 with the result and a download URL', async () => {
    const res = await fetch(`${base}/echo`, { method: 'POST', headers, body: JSON.stringify({ text: 'abc', delayMs: 40 }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'completed', progress: 100, result: { length: 30 }, output_file: 'out.txt', output_size: 30 });
    expect(JSON.stringify(body)).not.toContain(tmp.dir);
    const dl = await fetch(`${base}${String(body.download_url)}`, { headers });
    expect(await dl.text()).toBe('abc'.repeat(10));
    // One disk (SQLite): the job names no address to fetch its files from, and nothing moves.
    expect(svc.ctx.jobs.origin).toBeNull();
    expect((await svc.ctx.jobs.backend.get(String(body.task_id)))?.payload).not.toHaveProperty('transfer');
  });
  it('fails a job whose handler throws a Problem with that problem, once (not retried)', async () => {
    const res = await fetch(`${base}/echo`, { method: 'POST', headers, body: JSON.stringify({ text: 'refuse', delayMs: 0 }) });
    const body = (await res.json()) as Record<string, unknown>;
    expect([res.status, body.code, body.detail]).toEqual([422, 'UNPROCESSABLE', 'echo refuses to repeat "refuse"']);
    const job = await svc.ctx.jobs.backend.get(String(body.task_id));
    expect([job?.state, job?.attempts, job?.maxAttempts]).toEqual(['failed', 1, 3]);
  });
  it('answers 202 with Location for ?async=true, then reports progress to completion', async () => {
    const res = await fetch(`${base}/echo?async=true`, { method: 'POST', headers, body: JSON.stringify({ text: 'xyz', delayMs: 400 }) });
    expect(res.status).toBe(202);
    const location = res.headers.get('location');
    expect(location).toMatch(/^\/status\/[0-9a-f-]{36}$/);
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 50 && status.status !== 'completed'; i++) {
      status = (await (await fetch(`${base}${location}`, { headers })).json()) as Record<string, unknown>;
      await sleep(50);
    }
    expect(status).toMatchObject({ status: 'completed', progress: 100 });
  });
  it('prefixes job URLs with the gateway prefix', async () => {
    const res = await fetch(`${base}/echo?async=true`, { method: 'POST', headers: { ...headers, 'x-forwarded-prefix': '/api/video' }, body: JSON.stringify({ text: 'p' }) });
    expect(res.headers.get('location')).toMatch(/^\/api\/video\/status\//);
  });
  it('serves byte ranges of the output and 416 outside it', async () => {
    const body = (await (await fetch(`${base}/echo`, { method: 'POST', headers, body: JSON.stringify({ text: '0123456789' }) })).json()) as { download_url: string };
    const part = await fetch(`${base}${body.download_url}`, { headers: { ...headers, range: 'bytes=5-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 5-9/100');
    expect(await part.text()).toBe('56789');
    const tail = await fetch(`${base}${body.download_url}`, { headers: { ...headers, range: 'bytes=-3' } });
    expect(await tail.text()).toBe('789');
    const bad = await fetch(`${base}${body.download_url}`, { headers: { ...headers, range: 'bytes=500-' } });
    expect(bad.status).toBe(416);
  });
  it('cancels a running job and reports unknown jobs as 404', async () => {
    const res = await fetch(`${base}/echo?async=true`, { method: 'POST', headers, body: JSON.stringify({ text: 'slow', delayMs: 4000 }) });
    const { task_id } = (await res.json()) as { task_id: string };
    await sleep(300);
    const cancel = await fetch(`${base}/status/${task_id}`, { method: 'DELETE', headers: { 'x-api-key': TEST_KEY } });
    expect(cancel.status).toBe(202);
    let state = '';
    for (let i = 0; i < 40 && state !== 'cancelled'; i++) {
      state = ((await (await fetch(`${base}/status/${task_id}`, { headers })).json()) as { status: string }).status;
      await sleep(50);
    }
    expect(state).toBe('cancelled');
    expect(existsSync(`${svc.ctx.jobs.workRoot}/${task_id}`)).toBe(false);
    const missing = await fetch(`${base}/status/00000000-0000-0000-0000-000000000000`, { headers });
    expect([missing.status, ((await missing.json()) as { code: string }).code]).toEqual([404, 'JOB_NOT_FOUND']);
    const queue = (await (await fetch(`${base}/queue/status`, { headers })).json()) as Record<string, number>;
    expect(queue).toMatchObject({ cancelled: 1, available_slots: 2 });
  });
});

describe("jobs are their submitter's", () => {
  const ALICE = 'alice-key-0123456789abcdef';
  const BOB = 'bob-key-0123456789abcdef';
  const OPS = 'ops-key-0123456789abcdef';
  const own = makeTempDir();
  let shared: RunningService;
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, key: string, payload?: object) => {
    const res = await shared.app.inject({ method, url, headers: { 'x-api-key': key }, ...(payload === undefined ? {} : { payload }) });
    return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? res.json<Record<string, unknown>>() : res.body };
  };

  beforeAll(async () => {
    shared = await startTestService(
      testConfig(own.dir, {
        PITCHEY_API_KEYS: `${ALICE}:video,${BOB}:video,${OPS}:video+admin`,
        PITCHEY_RATE_LIMIT: 'false',
        PITCHEY_JOB_WAIT_MS: '5000',
      }),
    );
    await shared.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await shared.drain();
    own.remove();
  });

  it('answers another client 404 JOB_NOT_FOUND for status, download and cancel, as for an unknown id', async () => {
    const done = await call('POST', '/echo', ALICE, { text: 'mine' });
    expect(done.status).toBe(200);
    const id = String((done.body as Record<string, unknown>).task_id);
    const unknown = await call('GET', '/status/no-such-job', BOB);
    for (const [method, url] of [
      ['GET', `/status/${id}`],
      ['GET', `/download/${id}`],
      ['DELETE', `/status/${id}`],
    ] as const) {
      const res = await call(method, url, BOB);
      expect([res.status, (res.body as Record<string, unknown>).code], `${method} ${url}`).toEqual([404, 'JOB_NOT_FOUND']);
      expect(Object.keys(res.body as object).sort()).toEqual(Object.keys(unknown.body as object).sort());
    }
    expect((await call('GET', `/status/${id}`, ALICE)).body).toMatchObject({ status: 'completed' });
    expect((await call('GET', `/download/${id}`, ALICE)).body).toBe('mine'.repeat(10));
    // Admins see every client's jobs.
    expect((await call('GET', `/status/${id}`, OPS)).body).toMatchObject({ task_id: id, status: 'completed' });
    expect((await call('GET', `/download/${id}`, OPS)).status).toBe(200);
  });

  it('lets only the submitter (or an admin) cancel a running job', async () => {
    const started = await call('POST', '/echo?async=true', ALICE, { text: 'slow', delayMs: 4000 });
    const id = String((started.body as Record<string, unknown>).task_id);
    expect((await call('DELETE', `/status/${id}`, BOB)).status).toBe(404);
    expect((await shared.ctx.jobs.backend.get(id))?.cancelRequested).toBe(false);
    expect((await call('DELETE', `/status/${id}`, ALICE)).status).toBe(202);
    expect((await shared.ctx.jobs.backend.get(id))?.cancelRequested).toBe(true);
  });

  it("keeps a job with no recorded owner (an older file's, or an older release's) readable with the scope", async () => {
    const old = await shared.ctx.jobs.backend.enqueue('none', {}, {}, Date.now());
    expect(old.owner).toBeNull();
    expect((await call('GET', `/status/${old.id}`, BOB)).body).toMatchObject({ task_id: old.id, status: 'queued' });
  });
});
