// A worker's own listener: /metrics behind the `metrics` scope as an instance's is, /health and
// /ready, and no job API or docs. In process, on its own SQLite store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type RunningWorker } from '../../src/kit/index.js';
import { TEST_KEY, VIDEO_ONLY_KEY, makeTempDir, scrapeMetrics, testConfig } from '../helpers.js';
import { testManifest } from './test-service.js';

describe("a worker's listener", () => {
  const tmp = makeTempDir();
  let worker: RunningWorker;
  let url: string;
  beforeAll(async () => {
    worker = await createWorker(testManifest, { config: testConfig(tmp.dir, { PITCHEY_VERSION: 'v2', PITCHEY_TRACK: 'canary' }) });
    url = `http://127.0.0.1:${await worker.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await worker.stop();
    tmp.remove();
  });

  it('serves /metrics to a key with the metrics scope, and refuses one without it or no key', async () => {
    expect(await scrapeMetrics(url, TEST_KEY)).toMatchObject({ status: 200, text: expect.stringContaining('# TYPE pitchey_jobs_settled_total counter') });
    expect((await scrapeMetrics(url)).status).toBe(401);
    expect((await scrapeMetrics(url, VIDEO_ONLY_KEY)).status).toBe(403);
  });

  it('is live at once, and ready only once its runner started', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok', service: 'video', version: 'v2', track: 'canary' });
    const before = await fetch(`${url}/ready`);
    expect(before.status).toBe(503);
    expect(((await before.json()) as { detail: string }).detail).toMatch(/runner \(not started\)/);
    await worker.start();
    const after = await fetch(`${url}/ready`);
    expect(after.status).toBe(200);
    expect(((await after.json()) as { checks: Array<{ name: string; ok: boolean }> }).checks).toEqual([
      expect.objectContaining({ name: 'job-store', ok: true }),
      expect.objectContaining({ name: 'runner', ok: true }),
    ]);
  });

  it('has no job API and no docs', async () => {
    for (const path of ['/queue/status', '/status/x', '/docs', '/openapi.json']) {
      const res = await fetch(`${url}${path}`, { headers: { 'x-api-key': TEST_KEY } });
      expect(res.status, path).toBe(404);
      await res.body?.cancel();
    }
    const post = await fetch(`${url}/echo`, { method: 'POST', headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' }, body: '{"text":"a"}' });
    expect(post.status).toBe(404);
    await post.body?.cancel();
  });
});
