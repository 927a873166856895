// The merged public document, built from documents given here (the e2e test in openapi.test.ts
// reads them from running services): paths as a client calls them, service-named operation ids,
// the gateway's own problems on each operation, and component schemas that clash kept apart; and
// the merged document kept until one of the documents it is made of changes.
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { PublicDocuments, mergePublicDocument, serviceThroughGateway } from '../../src/gateway/public-docs.js';
import { createMetrics } from '../../src/kit/index.js';
import { makeTempDir, testConfig } from '../helpers.js';
import { startUpstream, type Upstream } from './upstream.js';
import { operationIdOf, withProblems } from '../../src/kit/openapi.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents walked freely by the assertions
type Json = Record<string, any>;

const problem = (codes: string[]) => ({
  description: codes.join('; '),
  content: { 'application/problem+json': { schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { properties: { code: { enum: codes } } }] } } },
});
const ok = (ref?: string) => ({ description: 'OK', content: { 'application/json': { schema: ref === undefined ? { type: 'object' } : { $ref: ref } } } });

const gateway: Json = {
  openapi: '3.1.0',
  info: { title: 'Pitchey gateway', version: '1.0.0', license: { name: 'Proprietary' } },
  components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } }, schemas: { Problem: { type: 'object' } } },
  security: [{ apiKey: [] }],
  paths: {
    '/health': { get: { operationId: 'getHealth', security: [], responses: { '200': ok() } } },
    '/_pitchey/admin/pools': { get: { operationId: 'getPitcheyAdminPools', tags: ['admin'], responses: { '200': ok(), '401': problem(['AUTH_REQUIRED']) } } },
  },
};
const service = (name: string, result: Json): Json => ({
  openapi: '3.1.0',
  info: { title: `Pitchey ${name}`, version: '1.2.3' },
  components: { schemas: { Problem: { type: 'object' }, Result: result } },
  paths: {
    '/formats': { get: { operationId: 'getFormats', security: [], responses: { '200': ok('#/components/schemas/Result') } } },
    '/analyze': { post: { operationId: 'postAnalyze', requestBody: { content: {} }, responses: { '200': ok(), '401': problem(['AUTH_REQUIRED']) } } },
    '/streams/{id}/{path}': { get: { operationId: 'getStreamsByIdByPath', security: [], responses: { '200': ok(), '404': problem(['STREAM_NOT_FOUND']) } } },
  },
});

describe('the merged public document', () => {
  const merged: Json = mergePublicDocument({
    gateway,
    services: [
      { service: 'video', doc: service('video', { type: 'object', title: 'video result' }) },
      { service: 'media', doc: service('media', { type: 'object', title: 'media result' }) },
    ],
    missing: [{ service: 'ai', reason: 'No healthy ai instance is available' }],
    rateLimited: true,
    version: '2.0.0',
  });

  it("has each service's operations at its gateway path, the gateway's public routes, and no admin route", () => {
    expect(Object.keys(merged.paths as Json).sort()).toEqual([
      '/api/media/analyze',
      '/api/media/formats',
      '/api/video/analyze',
      '/api/video/formats',
      '/api/video/streams/{id}/{path}',
      '/health',
      '/streams/{id}/{path}',
    ]);
    expect(merged.paths['/api/video/formats'].get.operationId).toBe('videoGetFormats');
    expect(merged.paths['/streams/{id}/{path}'].get.operationId).toBe('mediaGetStreamsByIdByPath');
    expect(merged.paths['/health'].get.tags).toEqual(['gateway']);
    expect(merged.info).toMatchObject({ version: '2.0.0', license: { name: 'Proprietary' } });
    expect(merged.info.description).toContain('Not described now: ai (No healthy ai instance is available).');
    expect(merged.tags.map((t: Json) => t.name)).toEqual(['gateway', 'video', 'media']);
  });

  it("adds the gateway's problems: upstream failures always, 429 where the route is limited, 413 where there is a body", () => {
    const codes = (op: Json) => Object.values(op.responses as Json).flatMap((r: Json) => r.content['application/problem+json']?.schema.allOf[1].properties.code.enum ?? []);
    expect(codes(merged.paths['/api/video/analyze'].post).sort()).toEqual(['AUTH_REQUIRED', 'BODY_TOO_LARGE', 'RATE_LIMITED', 'UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE']);
    // /streams/ is not rate limited at the gateway: its players fetch segments in quick runs.
    expect(codes(merged.paths['/streams/{id}/{path}'].get).sort()).toEqual(['STREAM_NOT_FOUND', 'UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE']);
    expect(codes(merged.paths['/health'].get)).toEqual([]);
    const alone: Json = serviceThroughGateway(service('video', {}), 'video', false);
    expect(codes(alone.paths['/formats'].get).sort()).toEqual(['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE']);
  });

  it('keeps one copy of a schema every document shares, and names apart two that clash, following their refs', () => {
    expect(Object.keys(merged.components.schemas as Json)).toEqual(['Problem', 'Result', 'mediaResult']);
    expect(merged.paths['/api/video/formats'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/Result');
    expect(merged.paths['/api/media/formats'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/mediaResult');
    expect(merged.components.schemas.mediaResult.title).toBe('media result');
  });
});

describe('operation ids and problems', () => {
  it.each([
    ['get', '/jobs/{id}/download', 'getJobsByIdDownload'],
    ['post', '/v1/chat/completions', 'postV1ChatCompletions'],
    ['post', '/generate-pdf', 'postGeneratePdf'],
    ['get', '/streams/{id}/{path}', 'getStreamsByIdByPath'],
    ['delete', '/functions/{name}', 'deleteFunctionsByName'],
  ])('%s %s → %s', (method, path, id) => expect(operationIdOf(method, path)).toBe(id));

  it('merges new problems into the responses by status, keeping the successes', () => {
    const responses = withProblems({ '200': ok(), '401': problem(['AUTH_REQUIRED']) }, ['AUTH_INVALID', 'RATE_LIMITED']);
    expect(Object.keys(responses)).toEqual(['200', '401', '429']);
    expect((responses['401'] as Json).content['application/problem+json'].schema.allOf[1].properties.code.enum).toEqual(['AUTH_REQUIRED', 'AUTH_INVALID']);
  });
});

describe('the merged document is built once per set of service documents', () => {
  const tmp = makeTempDir();
  let gw: Gateway;
  let v1: Upstream;
  let v2: Upstream;
  const agent = new Agent();
  beforeAll(async () => {
    [v1, v2] = await Promise.all([startUpstream(tmp.dir, 'video-a', '1.0.0'), startUpstream(tmp.dir, 'video-b', '2.0.0')]);
    gw = await createGateway({ config: testConfig(tmp.dir), metrics: createMetrics({ defaultMetrics: false }), healthIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await Promise.all([v1.close(), v2.close(), gw.close(), agent.close()]);
    tmp.remove();
  });
  const video = (u: Upstream) => gw.pools.get('video')?.setInstances([{ id: u.name, url: u.url, track: 'stable', version: u.version }], { healthy: true });

  it('answers the same document while no instance or version changes, and a new one when one does', async () => {
    video(v1);
    const docs = new PublicDocuments(gw.pools, agent, { gateway: () => gateway, rateLimited: false, version: '9.9.9' });
    const first: Json = await docs.publicDocument();
    expect(first.tags).toEqual(expect.arrayContaining([expect.objectContaining({ description: expect.stringContaining('video-a 1.0.0') })]));
    expect(await docs.publicDocument()).toBe(first);
    video(v2);
    const second: Json = await docs.publicDocument();
    expect(second).not.toBe(first);
    expect(second.tags).toEqual(expect.arrayContaining([expect.objectContaining({ description: expect.stringContaining('video-b 2.0.0') })]));
    expect(await docs.publicDocument()).toBe(second);
    gw.pools.get('video')?.setInstances([], { healthy: true });
    const none: Json = await docs.publicDocument();
    expect(none.info.description).toContain('Not described now: video (No healthy video instance');
  });
});
