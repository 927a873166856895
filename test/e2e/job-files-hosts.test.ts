// Job files across hosts on a shared Redis: processes with separate data dirs stand for hosts. A job
// accepted by instance A is run by instance B (or a worker W), whose disk does not have its input:
// B fetches it from A with the job's token and sends the output back; the output downloads
// byte-identical from A and from B (streamed from A, Range passed through); a wrong token is
// refused; no part file or copy is left on any host, and the token is in no log.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedisJobBackend } from '../../src/jobs/index.js';
import { SERVICE_PATHS } from '../../src/kit/data-dir.js';
import { cleanupsAfterEach, makeTempDir, TEST_KEY, until } from '../helpers.js';
import { filesUnder, startHost, type Host } from '../support/hosts.js';
import { bundleEntry } from '../support/processes.js';
import { startRedisFor } from '../support/redis.js';

const cleanups = cleanupsAfterEach();

const startFilesHost = (entry: string, role: 'instance' | 'worker', url: string, name: string, runs: 'runs' | 'accepts'): Promise<Host> =>
  startHost(cleanups, entry, 'video', name, [role, url, name, runs]);

/** Bytes no type sniffer recognises (so the upload is application/octet-stream), different at every offset. */
function testBytes(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) b[i] = (i * 7919 + (i >> 8)) & 0xff;
  b[0] = 0;
  return b;
}

const auth = { 'x-api-key': TEST_KEY };

async function submit(base: string, bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'clip.bin');
  const res = await fetch(`${base}/copy?async=true`, { method: 'POST', body: form, headers: auth });
  expect(res.status).toBe(202);
  return ((await res.json()) as { task_id: string }).task_id;
}

async function completed(base: string, id: string): Promise<{ result: { by: string } }> {
  return until(
    `job ${id} to complete`,
    async () => {
      const job = (await (await fetch(`${base}/status/${id}`, { headers: auth })).json()) as { status: string; result: { by: string }; error?: unknown };
      if (job.status === 'failed') throw new Error(`job failed: ${JSON.stringify(job.error)}`);
      return job.status === 'completed' ? job : undefined;
    },
    30_000,
    50,
  );
}

async function download(base: string, id: string, range?: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${base}/download/${id}`, { headers: { ...auth, ...(range === undefined ? {} : { range }) } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('job files across hosts (two data dirs, one Redis)', () => {
  it('carries the input to the runner and the output back; downloads from any instance; refuses a wrong token', async () => {
    const redis = await startRedisFor(cleanups);
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const entry = await bundleEntry(new URL('../support/job-files-process.ts', import.meta.url), tmp.dir);
    const store = createRedisJobBackend({ url: redis.url, namespace: 'video' });
    cleanups.push(() => store.close());
    const a = await startFilesHost(entry, 'instance', redis.url, 'a', 'accepts');
    const b = await startFilesHost(entry, 'instance', redis.url, 'b', 'runs');
    const aBase = a.base ?? '';
    const bBase = b.base ?? '';

    const input = testBytes(3 * 1024 * 1024 + 17);
    const expected = Buffer.from(input).reverse();
    const id = await submit(aBase, input);
    expect((await completed(aBase, id)).result.by).toBe('b');

    // Byte-identical from the instance that keeps it and from one that streams it from there.
    const fromA = await download(aBase, id);
    const fromB = await download(bBase, id);
    expect(fromA.status).toBe(200);
    expect(fromA.body.equals(expected)).toBe(true);
    expect(fromB.status).toBe(200);
    expect(fromB.body.equals(expected)).toBe(true);
    expect(fromB.headers.get('content-disposition')).toContain('reversed.bin');
    const part = await download(bBase, id, 'bytes=1000-1999');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${expected.length}`);
    expect(part.body.equals(expected.subarray(1000, 2000))).toBe(true);
    expect((await download(bBase, id, `bytes=${expected.length + 5}-`)).status).toBe(416);

    // The internal routes take the job's own token, and only it.
    const job = await store.get(id);
    const token = (job?.payload as { transfer: { token: string; origin: string } }).transfer.token;
    expect((job?.payload as { transfer: { origin: string } }).transfer.origin).toBe(aBase);
    const inputUrl = `${aBase}/internal/jobs/${id}/inputs/input-0.bin`;
    const withToken = (t: string) => fetch(inputUrl, { headers: { 'x-pitchey-job-token': t } });
    const right = await withToken(token);
    expect(right.status).toBe(200);
    expect(Buffer.from(await right.arrayBuffer()).equals(input)).toBe(true);
    const viaGateway = await fetch(inputUrl, { headers: { 'x-pitchey-job-token': token, 'x-forwarded-prefix': '/api/video' } });
    expect(viaGateway.status).toBe(404);
    const wrong = await withToken(`${token.slice(0, -1)}x`);
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { code: string }).code).toBe('JOB_TOKEN_INVALID');
    expect((await fetch(inputUrl)).status).toBe(403);
    expect((await fetch(`${aBase}/internal/jobs/no-such-job/inputs/input-0.bin`, { headers: { 'x-pitchey-job-token': token } })).status).toBe(404);
    expect((await fetch(`${aBase}/internal/jobs/${id}/inputs/..%2F..%2Fjobs.sqlite`, { headers: { 'x-pitchey-job-token': token } })).status).toBe(400);
    const put = await fetch(`${aBase}/internal/jobs/${id}/output/x.bin`, { method: 'PUT', body: 'x', headers: { 'x-pitchey-job-token': 'wrong', 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(403);
    const late = await fetch(`${aBase}/internal/jobs/${id}/output/x.bin`, { method: 'PUT', body: 'x', headers: { 'x-pitchey-job-token': token, 'content-type': 'application/octet-stream' } });
    expect(((await late.json()) as { code: string }).code).toBe('JOB_NOT_RUNNING');

    // A job B accepts and runs itself stays on B's disk, and downloads from A too (streamed from B).
    const small = input.subarray(0, 50_000);
    const onB = await submit(bBase, small);
    expect((await completed(bBase, onB)).result.by).toBe('b');
    const fromBViaA = await download(aBase, onB);
    expect([fromBViaA.status, fromBViaA.body.equals(Buffer.from(small).reverse())]).toEqual([200, true]);

    // A `pitchey worker` on a third disk runs the next one the same way.
    await b.stop();
    const w = await startFilesHost(entry, 'worker', redis.url, 'w', 'runs');
    const second = await submit(aBase, input.subarray(0, 100_000));
    expect((await completed(aBase, second)).result.by).toBe('w');
    expect((await download(aBase, second)).body.equals(Buffer.from(input.subarray(0, 100_000)).reverse())).toBe(true);
    await w.stop();

    // The output is kept where the job was accepted; the runners keep nothing, no part file anywhere.
    expect(filesUnder(join(a.dataDir, SERVICE_PATHS.jobs)).sort()).toEqual([`${id}/inputs/input-0.bin`, `${id}/reversed.bin`, `${second}/inputs/input-0.bin`, `${second}/reversed.bin`].sort());
    for (const host of [a, b, w]) {
      expect(filesUnder(join(host.dataDir, SERVICE_PATHS.tmp))).toEqual([]);
      if (host !== a) expect(readdirSync(join(host.dataDir, SERVICE_PATHS.jobs))).toEqual(host === b ? [onB] : []);
    }
    await a.stop();
    for (const host of [a, b, w]) expect(host.log()).not.toContain(token);
  }, 90_000);
});
