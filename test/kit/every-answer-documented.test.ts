// No route documents a success as a bare default: every 2xx response of every document the
// platform serves (each service's, the gateway's with the controller's admin APIs) gives its body's
// schema, or its file media types, so a route added without `schema.doc.ok` fails here.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES, createService } from '../../src/kit/index.js';
import { loadService } from '../../src/services/index.js';
import { adminDocument } from '../gateway/admin-document.js';
import { makeTempDir, testConfig } from '../helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed document, walked freely
type Json = Record<string, any>;

/** `METHOD path status` of each success documented only as "an object" or with no body at all. */
function undocumentedSuccesses(doc: Json): string[] {
  const found: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json))
    for (const [method, op] of Object.entries(item as Json))
      for (const [status, response] of Object.entries((op as Json).responses ?? {})) {
        if (!/^2\d\d$/.test(status) || status === '204') continue;
        const content = Object.values(((response as Json).content ?? {}) as Json);
        const bare = content.length === 0 || content.some((m) => m.schema === undefined || JSON.stringify(m.schema) === '{"type":"object"}');
        if (bare) found.push(`${method.toUpperCase()} ${path} ${status}`);
      }
  return found;
}

describe('every success answer has a schema', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.remove());

  it.each(SERVICE_NAMES)('%s', async (name) => {
    const svc = await createService(await loadService(name), { config: testConfig(join(tmp.dir, name)) });
    try {
      const doc = (await svc.app.inject({ method: 'GET', url: '/openapi.json' })).json<Json>();
      expect(undocumentedSuccesses(doc)).toEqual([]);
    } finally {
      await svc.drain();
    }
  });

  it('the gateway, with the admin APIs', async () => {
    expect(undocumentedSuccesses(await adminDocument(testConfig(join(tmp.dir, 'gateway'))))).toEqual([]);
  });
});
