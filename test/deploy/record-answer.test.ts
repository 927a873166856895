// A deployment's record as the admin API answers it: JSON that fits the schema its document gives,
// or, for `Accept: text/html`, the page, which the document lists beside JSON.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlan, startDeployment } from '../../src/deploy/engine/index.js';
import { DeploymentRecordAnswer } from '../../src/deploy/record-answer.js';
import { writeDeployment } from '../../src/deploy/store.js';
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

describe('GET …/deployments/{id}/record', () => {
  it('answers JSON that fits its documented schema, and HTML when asked', async () => {
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
    });
  });
});
