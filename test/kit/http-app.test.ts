import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEMS, PROBLEM_CONTENT_TYPE, type RunningService } from '../../src/kit/index.js';
import { TEST_KEY, VIDEO_ONLY_KEY, makeTempDir, testConfig } from '../helpers.js';
import { startTestService } from './test-service.js';

const tmp = makeTempDir();
let svc: RunningService;
const auth = { 'x-api-key': TEST_KEY };
/** Valid, but for the document service only: the video test service must answer it 403. */
const DOCUMENT_ONLY_KEY = 'document-key-0123456789abcdef';

beforeAll(async () => {
  svc = await startTestService(testConfig(tmp.dir, { PITCHEY_API_KEYS: `${TEST_KEY},${VIDEO_ONLY_KEY}:video,${DOCUMENT_ONLY_KEY}:document` }));
  await svc.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await svc.drain();
  tmp.remove();
});

describe('problems from the kit', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/nope', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(res.json()).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', title: PROBLEMS.ROUTE_NOT_FOUND.title, instance: '/nope' });
  });
  it('answers a wrong method with 405 and Allow', async () => {
    const res = await svc.app.inject({ method: 'PUT', url: '/echo', headers: auth });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json().code).toBe('METHOD_NOT_ALLOWED');
  });
  it('answers schema violations with 400 naming the fields', async () => {
    const res = await svc.app.inject({ method: 'POST', url: '/echo', headers: auth, payload: { text: '' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.json().errors[0].field).toBe('body/text');
  });
  it('answers malformed JSON with 400, a foreign content type with 415, an oversized body with 413', async () => {
    expect((await svc.app.inject({ method: 'POST', url: '/echo', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"text":' })).json().code).toBe('BAD_REQUEST');
    const r415 = await svc.app.inject({ method: 'POST', url: '/echo', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<a/>' });
    expect([r415.statusCode, r415.json().code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const r413 = await svc.app.inject({ method: 'POST', url: '/echo', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }) });
    expect([r413.statusCode, r413.json().code]).toEqual([413, 'BODY_TOO_LARGE']);
  });
  it('answers 401 without credentials and 403 without the scope; never 200', async () => {
    const none = await svc.app.inject({ method: 'POST', url: '/echo', payload: { text: 'a' } });
    expect([none.statusCode, none.json().code]).toEqual([401, 'AUTH_REQUIRED']);
    expect(none.headers['www-authenticate']).toBeDefined();
    const other = await svc.app.inject({ method: 'POST', url: '/echo', headers: { 'x-api-key': DOCUMENT_ONLY_KEY }, payload: { text: 'a' } });
    expect([other.statusCode, other.json().code]).toEqual([403, 'SCOPE_MISSING']);
    expect(other.json().detail).toContain('"video"');
  });
  it('rate-limits per key with 429 and Retry-After', async () => {
    const results: number[] = [];
    for (let i = 0; i < 4; i++) results.push((await svc.app.inject({ method: 'POST', url: '/echo', headers: { ...auth, 'x-request-id': `rl-${i}` }, payload: { text: 'a' } })).statusCode);
    expect(results.slice(0, 3).every((s) => s === 200)).toBe(true);
    const limited = await svc.app.inject({ method: 'POST', url: '/echo', headers: auth, payload: { text: 'a' } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
  it('every catalogue status is a 4xx or 5xx and every code is documented in the README', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [code, p] of Object.entries(PROBLEMS)) {
      expect(p.status).toBeGreaterThanOrEqual(400);
      expect(readme, code).toContain(`| \`${code}\` | ${p.status} |`);
    }
  });
});

describe('operability endpoints', () => {
  it('serves /health, /ready, /openapi.json and /docs without a key, with security headers and a request id; /metrics to the metrics scope', async () => {
    const h = await svc.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(h.json()).toMatchObject({ status: 'ok', service: 'video' });
    expect(h.headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'strict-origin-when-cross-origin', 'x-request-id': 'abc-123' });
    const ready = await svc.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.map((c: { name: string }) => c.name)).toContain('job-store');
    expect((await svc.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await svc.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': VIDEO_ONLY_KEY } })).statusCode).toBe(403);
    const metrics = await svc.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TEST_KEY}` } });
    expect(metrics.body).toContain('pitchey_http_requests_total{service="video",route="/health",method="GET",status="200",version="dev",track="stable"}');
    const spec = (await svc.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/echo', '/status/{id}', '/download/{id}', '/queue/status']));
    expect((await svc.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });
  it('drain closes the listener within the drain timeout', async () => {
    const tmp2 = makeTempDir();
    const other = await startTestService(testConfig(tmp2.dir, { PITCHEY_DRAIN_TIMEOUT_MS: '200' }));
    const port = await other.listen(0, '127.0.0.1');
    const drained = other.drain();
    await drained;
    await expect(fetch(`http://127.0.0.1:${port}/ready`)).rejects.toThrow();
    tmp2.remove();
  });
});
