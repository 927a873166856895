// Job outcomes per track from each instance's own /metrics: a real service runs jobs that complete,
// fail, and are rejected on their input; the source adds what rose over the window to the instance's
// track. A worker's (`pitchey worker`, no job API) count goes to its track the same way.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobCounts, withJobOutcomes } from '../../../src/deploy/adapters/job-outcome-source.js';
import type { InstanceHandle } from '../../../src/deploy/adapters/driver.js';
import type { MetricSource } from '../../../src/deploy/adapters/metric-source.js';
import { createSqliteJobBackend } from '../../../src/jobs/index.js';
import { SERVICE_PATHS, serviceDataDir } from '../../../src/kit/data-dir.js';
import { createWorker, type RunningService } from '../../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig, until } from '../../helpers.js';
import { startTestService, testManifest } from '../../kit/test-service.js';

const noTraffic: MetricSource = { window: () => Promise.resolve({}) };

describe('job outcomes from the instances', () => {
  const tmp = makeTempDir();
  let svc: RunningService;
  let instance: InstanceHandle;
  beforeAll(async () => {
    svc = await startTestService(testConfig(tmp.dir, { PITCHEY_RATE_LIMIT: 'false' }));
    const port = await svc.listen(0, '127.0.0.1');
    instance = { id: 'video-1', service: 'video', role: 'instance', track: 'canary', version: 'v2', url: `http://127.0.0.1:${port}`, pid: null };
  });
  afterAll(async () => {
    await svc.drain();
    tmp.remove();
  });

  const submit = (text: string) =>
    fetch(`${instance.url}/echo`, { method: 'POST', headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ text, delayMs: 0 }) });

  it("counts completed and failed jobs over the window on the instance's track, rejected ones not at all", async () => {
    const source = withJobOutcomes(noTraffic, { instances: () => [instance], metricsKey: TEST_KEY });
    const before = Date.now();
    expect(await source.window('video', 1_000, before)).toEqual({});
    for (const text of ['a', 'b', 'c', 'refuse', 'refuse', 'crash']) await (await submit(text)).body?.cancel();
    // /metrics renders at most once a second (http-app.ts): the next scrape must see a fresh one.
    await sleep(1_100);
    const after = before + 5_000;
    const w = await source.window('video', after - before, after);
    expect(w.canary).toEqual({ version: 'v2', requests: 0, errors: 0, authFailures: 0, unavailable: 0, latenciesMs: [], outcomes: { 'job:echo': { succeeded: 3, failed: 1 } } });
    // Nothing settled since: the next window sees no increase.
    await sleep(1_100);
    expect(await source.window('video', 1_000, after + 1_000)).toEqual({});
  });

  it('reads nothing without a metrics key, and other services are not its business', async () => {
    expect(await withJobOutcomes(noTraffic, { instances: () => [instance], metricsKey: null }).window('video', 60_000, Date.now())).toEqual({});
    expect(await withJobOutcomes(noTraffic, { instances: () => [instance], metricsKey: TEST_KEY }).window('ai', 60_000, Date.now())).toEqual({});
  });
});

describe('job outcomes from a worker', () => {
  it("adds the jobs a canary's worker ran to the canary track", async () => {
    const tmp = makeTempDir();
    const worker = await createWorker(testManifest, { config: testConfig(tmp.dir, { PITCHEY_VERSION: 'v2', PITCHEY_TRACK: 'canary' }) });
    const queue = createSqliteJobBackend({ path: join(serviceDataDir(tmp.dir, 'video'), SERVICE_PATHS.jobsDb) });
    try {
      const url = `http://127.0.0.1:${await worker.listen(0, '127.0.0.1')}`;
      await worker.start();
      const canaryWorker: InstanceHandle = { id: 'video-worker-v2-1', service: 'video', role: 'worker', track: 'canary', version: 'v2', url, pid: null };
      // An instance of the canary that is down (no address): skipped, the track holds the worker's jobs.
      const idle: InstanceHandle = { id: 'video-v2-2', service: 'video', role: 'instance', track: 'canary', version: 'v2', url: null, pid: null };
      const source = withJobOutcomes(noTraffic, { instances: () => [idle, canaryWorker], metricsKey: TEST_KEY });
      const before = Date.now();
      expect(await source.window('video', 1_000, before)).toEqual({});
      const ids: string[] = [];
      for (const text of ['a', 'b', 'crash', 'refuse']) ids.push((await queue.enqueue('echo', { text, delayMs: 0 }, { version: 'v2' }, Date.now())).id);
      await until('the worker to settle every job', async () => ((await Promise.all(ids.map((id) => queue.get(id)))).every((j) => j?.finishedAt != null) ? true : undefined), 10_000);
      await sleep(1_100); // past the cached rendering of /metrics
      const after = before + 5_000;
      const w = await source.window('video', after - before, after);
      expect(w).toEqual({ canary: { version: 'v2', requests: 0, errors: 0, authFailures: 0, unavailable: 0, latenciesMs: [], outcomes: { 'job:echo': { succeeded: 2, failed: 1 } } } });
    } finally {
      await queue.close();
      await worker.stop();
      tmp.remove();
    }
  });
});

describe('parseJobCounts', () => {
  it('reads completed and failed by job type, and the process start', () => {
    const text = [
      '# TYPE pitchey_jobs_settled_total counter',
      'pitchey_jobs_settled_total{service="video",job_type="process",outcome="completed"} 40',
      'pitchey_jobs_settled_total{service="video",job_type="process",outcome="failed"} 3',
      'pitchey_jobs_settled_total{service="video",job_type="process",outcome="rejected"} 9',
      'pitchey_jobs_settled_total{service="video",job_type="thumb",outcome="cancelled"} 2',
      'process_start_time_seconds 1700000000',
    ].join('\n');
    const parsed = parseJobCounts(text);
    expect(Object.fromEntries(parsed.counts)).toEqual({ process: { succeeded: 40, failed: 3 } });
    expect(parsed.startedAt).toBe(1_700_000_000_000);
  });
});
