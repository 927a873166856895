// The admin API's answers fit the schemas its document gives: a deployment (listed and read), its
// record (JSON, or for `Accept: text/html` the page, which the document lists beside JSON), an
// acknowledgement, the audit log, the deploy lock, a service's logs, who the caller is, the
// gateway's traffic routes (pools, weights, stickiness, instances, stats, series), a plan, the
// releases, release trains, the promotion-chain evidence, config and an emergency rollback.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlan, startDeployment } from '../../src/deploy/engine/index.js';
import {
  AcknowledgedAnswer,
  AuditAnswer,
  DeploymentDetail,
  DeploymentList,
  EmergencyRollbackAnswer,
  LockAnswer,
  LockReleasedAnswer,
  LogsAnswer,
  PlanReview,
  ReleaseList,
  ReleasesAnswer,
} from '../../src/deploy/admin-api.js';
import { ConfigAnswer, EvidenceAnswer } from '../../src/deploy/environment-api.js';
import { WhoamiAnswer } from '../../src/gateway/admin.js';
import { DrainAnswer, InstanceAnswer, PoolAnswer, PoolsAnswer, SeriesAnswer, StatsAnswer } from '../../src/gateway/admin-answers.js';
import { DeploymentRecordAnswer } from '../../src/deploy/record-answer.js';
import { ACKNOWLEDGEMENTS } from '../../src/deploy/record.js';
import { writeDeployment } from '../../src/deploy/store.js';
import type { TSchema } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { withAdminApi } from '../gateway/admin-document.js';
import { asJson, documented, expectFits, teachTypeBox } from '../support/answer-schemas.js';

const tmp = makeTempDir();
let unteachTypeBox = (): void => {};
beforeAll(() => {
  unteachTypeBox = teachTypeBox();
});
afterAll(() => {
  unteachTypeBox();
  tmp.remove();
});

describe('the admin API', () => {
  it('answers what its document says: a deployment, its record (JSON or HTML), the audit log, the lock, logs, whoami', async () => {
    const config = testConfig(join(tmp.dir, 'controller'));
    await withAdminApi(config, async (app, db) => {
      const state = startDeployment(createPlan({ id: 'dep-0123abcd', service: 'video', strategy: 'canary', fromVersion: 'v1', toVersion: 'v2' }), Date.now()).state;
      writeDeployment(db, { id: 'dep-0123abcd', env: config.deployEnv, service: 'video', author: 'sam', state });
      const url = '/_pitchey/admin/deployments/dep-0123abcd/record';
      const json = await app.inject({ method: 'GET', url, headers: { 'x-api-key': TEST_KEY } });
      expect(json.statusCode, json.body).toBe(200);
      expect(json.json()).toMatchObject({ id: 'dep-0123abcd', service: 'video', to: 'v2' });
      expectFits(DeploymentRecordAnswer, json.json());
      const html = await app.inject({ method: 'GET', url, headers: { 'x-api-key': TEST_KEY, accept: 'text/html' } });
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.body).toContain('dep-0123abcd');

      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, unknown> }> }>> }>();
      const path = '/_pitchey/admin/deployments/{id}/record';
      expect(documented(doc, path, 'get', '200')).toEqual(asJson(DeploymentRecordAnswer));
      const responses = doc.paths[path]!.get!.responses;
      expect(Object.keys(responses['200']!.content)).toEqual(['application/json', 'text/html']);
      expect(responses['404']!.content).toHaveProperty(['application/problem+json']);

      const auth = { 'x-api-key': TEST_KEY };
      const answers: Array<[method: 'GET' | 'POST' | 'DELETE', route: string, status: number, schema: TSchema, payload?: object]> = [
        ['GET', '/deployments', 200, DeploymentList],
        ['GET', '/deployments/{id}', 200, DeploymentDetail],
        ['POST', '/deployments/{id}/acknowledgements', 201, AcknowledgedAnswer, { item: Object.keys(ACKNOWLEDGEMENTS)[0], name: 'Sam' }],
        ['GET', '/audit', 200, AuditAnswer],
        ['GET', '/lock', 200, LockAnswer],
        ['DELETE', '/lock', 200, LockReleasedAnswer],
        ['GET', '/logs/video', 200, LogsAnswer],
        ['GET', '/whoami', 200, WhoamiAnswer],
      ];
      for (const [method, route, status, schema, payload] of answers) {
        const res = await app.inject({ method, url: `/_pitchey/admin${route.replace('{id}', 'dep-0123abcd')}`, headers: auth, ...(payload === undefined ? {} : { payload }) });
        expect(res.statusCode, `${method} ${route}: ${res.body}`).toBe(status);
        expectFits(schema, res.json());
        const path = `/_pitchey/admin${route.replace('/logs/video', '/logs/{service}')}`;
        expect(documented(doc, path, method.toLowerCase(), String(status)), `${method} ${route}`).toEqual(asJson(schema));
      }
    });
  });

  it("answers the gateway's traffic routes as its document says: pools, weights, stickiness, instances, stats, series", async () => {
    await withAdminApi(testConfig(join(tmp.dir, 'traffic')), async (app) => {
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Record<string, unknown>>();
      const instance = { id: 'extra-1', url: 'http://127.0.0.1:9', track: 'canary', version: 'v2' };
      const answers: Array<[method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, path: string, status: number, schema: TSchema, payload?: object]> = [
        ['GET', '/pools', '/pools', 200, PoolsAnswer],
        ['PUT', '/pools/video/weights', '/pools/{service}/weights', 200, PoolAnswer, { weights: { stable: 90, canary: 10 } }],
        ['PUT', '/pools/video/sticky', '/pools/{service}/sticky', 200, PoolAnswer, { sticky: true }],
        ['POST', '/pools/video/instances', '/pools/{service}/instances', 201, InstanceAnswer, instance],
        ['PUT', '/pools/video/instances/extra-1/track', '/pools/{service}/instances/{id}/track', 200, InstanceAnswer, { track: 'stable' }],
        ['DELETE', '/pools/video/instances/extra-1?drainMs=0', '/pools/{service}/instances/{id}', 200, DrainAnswer],
        ['GET', '/stats/video?windowMs=1000', '/stats/{service}', 200, StatsAnswer],
        ['GET', `/stats/video/series?sinceMs=${Date.now() - 60_000}`, '/stats/{service}/series', 200, SeriesAnswer],
      ];
      for (const [method, url, path, status, schema, payload] of answers) {
        const res = await app.inject({ method, url: `/_pitchey/admin${url}`, headers: { 'x-api-key': TEST_KEY }, ...(payload === undefined ? {} : { payload }) });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
        expectFits(schema, res.json());
        expect(documented(doc, `/_pitchey/admin${path}`, method.toLowerCase(), String(status)), `${method} ${path}`).toEqual(asJson(schema));
      }
      const missing = await app.inject({ method: 'GET', url: '/_pitchey/admin/stats/nope', headers: { 'x-api-key': TEST_KEY } });
      expect(missing.json()).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
    });
  });

  it('answers plans, releases, release trains, the environment evidence and config, and an emergency rollback as its document says', async () => {
    const config = testConfig(join(tmp.dir, 'environment'));
    await withAdminApi(config, async (app) => {
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Record<string, unknown>>();
      const plan = { service: 'video', version: config.version, strategy: 'canary' };
      const answers: Array<[method: 'GET' | 'POST', url: string, path: string, status: number, schema: TSchema, payload?: object]> = [
        ['POST', '/plans', '/plans', 200, PlanReview, plan],
        ['GET', '/releases', '/releases', 200, ReleasesAnswer],
        ['GET', '/release-trains', '/release-trains', 200, ReleaseList],
        ['GET', `/evidence/video/${config.version}`, '/evidence/{service}/{version}', 200, EvidenceAnswer],
        ['GET', '/config', '/config', 200, ConfigAnswer],
        ['POST', '/rollback', '/rollback', 200, EmergencyRollbackAnswer, { service: 'video', emergency: true, reason: 'a test' }],
      ];
      for (const [method, url, path, status, schema, payload] of answers) {
        const res = await app.inject({ method, url: `/_pitchey/admin${url}`, headers: { 'x-api-key': TEST_KEY }, ...(payload === undefined ? {} : { payload }) });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
        expectFits(schema, res.json());
        expect(documented(doc, `/_pitchey/admin${path}`, method.toLowerCase(), String(status)), `${method} ${path}`).toEqual(asJson(schema));
      }
      const missing: Array<[url: string, code: string]> = [
        ['/release-trains/rel-0123abcd', 'RELEASE_TRAIN_NOT_FOUND'],
        ['/release-trains/rel-0123abcd/record', 'RELEASE_TRAIN_NOT_FOUND'],
        [`/evidence/snapshots/${'0'.repeat(64)}`, 'EVIDENCE_SNAPSHOT_NOT_FOUND'],
      ];
      for (const [url, code] of missing) {
        const res = await app.inject({ method: 'GET', url: `/_pitchey/admin${url}`, headers: { 'x-api-key': TEST_KEY } });
        expect(res.json(), url).toMatchObject({ status: 404, code });
      }
    });
  });
});
