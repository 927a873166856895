// The success schemas the OpenAPI documents give are the answers the routes send: each real answer
// of the kit's routes (health, readiness, jobs, the queue) checks against the schema its handler is
// typed by, and the document carries that same schema. Also the video catalogue, with and without ffmpeg.
// The services' own routes: test/services/answer-schemas.test.ts.
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthAnswer, ReadyAnswer } from '../../src/kit/health.js';
import { JobAnswer, QueueAnswer } from '../../src/kit/job-http.js';
import type { RunningService } from '../../src/kit/index.js';
import { VideoFormats, videoFormats } from '../../src/services/video/formats.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { asJson, teachTypeBox, documented as documentedIn, expectFits } from '../support/answer-schemas.js';
import { startTestService } from './test-service.js';

const tmp = makeTempDir();
let svc: RunningService;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed document, walked freely by the assertions
let doc: Record<string, any>;
const auth = { 'x-api-key': TEST_KEY };
let unteachTypeBox = (): void => {};

beforeAll(async () => {
  unteachTypeBox = teachTypeBox();
  svc = await startTestService(testConfig(tmp.dir));
  // Its job runners start with the listener.
  await svc.listen(0, '127.0.0.1');
  doc = (await svc.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(async () => {
  unteachTypeBox();
  await svc.drain();
  tmp.remove();
});

const documented = (path: string, method: string, status: string): unknown => documentedIn(doc, path, method, status);

describe('the kit routes answer what their documents say', () => {
  it.each([
    ['/health', HealthAnswer],
    ['/ready', ReadyAnswer],
    ['/queue/status', QueueAnswer],
  ] as const)('GET %s', async (path, schema) => {
    const res = await svc.app.inject({ method: 'GET', url: path, headers: auth });
    expect(res.statusCode).toBe(200);
    expectFits(schema, res.json());
    expect(documented(path, 'get', '200')).toEqual(asJson(schema));
  });

  it('a job: as submitted, as read, and as cancelled (202)', async () => {
    const done = await svc.app.inject({ method: 'POST', url: '/echo', headers: auth, payload: { text: 'hi' } });
    expect(done.statusCode).toBe(200);
    expectFits(JobAnswer, done.json());
    const id = done.json<{ task_id: string }>().task_id;
    const read = await svc.app.inject({ method: 'GET', url: `/status/${id}`, headers: auth });
    expectFits(JobAnswer, read.json());
    expect(read.json()).toMatchObject({ status: 'completed', result: { length: 20 }, download_url: `/download/${id}` });
    const queued = await svc.app.inject({ method: 'POST', url: '/echo?async=true', headers: auth, payload: { text: 'slow', delayMs: 2000 } });
    expect(queued.statusCode).toBe(202);
    expectFits(JobAnswer, queued.json());
    const cancelled = await svc.app.inject({ method: 'DELETE', url: `/status/${queued.json<{ task_id: string }>().task_id}`, headers: auth });
    expect(cancelled.statusCode).toBe(202);
    expectFits(JobAnswer, cancelled.json());
    expect(documented('/status/{id}', 'get', '200')).toEqual(asJson(JobAnswer));
    expect(documented('/status/{id}', 'delete', '202')).toEqual(asJson(JobAnswer));
    expect(Object.keys(doc.paths['/status/{id}'].delete.responses as object)).not.toContain('200');
  });

  it('refuses an answer that lacks a field or has one of the wrong type', () => {
    expect(Value.Check(HealthAnswer, { status: 'ok', service: 'video', version: '1', track: 'stable', pid: 1 })).toBe(false);
    expect(Value.Check(QueueAnswer, { total_tasks: '1', queued: 0, processing: 0, completed: 0, failed: 0, cancelled: 0, available_slots: 1 })).toBe(false);
  });
});

describe("the video catalogue's schema", () => {
  it.each([
    ['with ffmpeg', { available: true, version: '7', encoders: new Set(['libx264', 'aac']), muxers: new Set(['mp4', 'mov']), demuxers: new Set(['mp4', 'avi']) }],
    ['without ffmpeg', { available: false, version: null, encoders: new Set<string>(), muxers: new Set<string>(), demuxers: new Set<string>() }],
  ])('fits %s', (_name, caps) => {
    expectFits(VideoFormats, videoFormats(caps));
  });
});
