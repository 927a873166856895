// The OpenAPI documents as a caller meets them through the gateway: each service's, fetched at
// /api/<service>/openapi.json, names that prefix as its server; every operation answers with
// documented successes and problems (problem+json, the RFC 9457 schema); uploads are multipart
// forms with a binary file; public routes need no key; every $ref resolves. A document's own
// "Try it out" is played here: its upload route called as the document describes it.
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ROUTES } from '../../src/gateway/index.js';
import { PROBLEMS, SERVICE_NAMES, type ServiceName } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir } from '../helpers.js';
import { startFiveServices, type FiveServices } from './five-services.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed document, walked freely by the assertions
type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operations(doc: Json): Array<{ path: string; method: string; op: Json }> {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op: op as Json })),
  );
}

/** Every `$ref` in the document, which must point at something in it. */
function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, found);
  else if (node !== null && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refs(v, found);
    }
  return found;
}
const resolve = (doc: Json, ref: string): unknown =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<Json | undefined>((n, part) => n?.[part.replaceAll('~1', '/')] as Json | undefined, doc);

describe('OpenAPI documents through the gateway', () => {
  const tmp = makeTempDir();
  let platform: FiveServices;
  let base: string;
  const docs = new Map<string, Json>();

  beforeAll(async () => {
    platform = await startFiveServices(tmp.dir);
    base = platform.base;
    docs.set('gateway', (await (await fetch(`${base}/openapi.json`)).json()) as Json);
    for (const name of SERVICE_NAMES) {
      const res = await fetch(`${base}/api/${name}/openapi.json`);
      expect(res.status, name).toBe(200);
      docs.set(name, (await res.json()) as Json);
    }
  }, 60_000);
  afterAll(async () => {
    await platform.close();
    tmp.remove();
  });

  it("offers every service's document in the gateway's /docs, each fetched through the gateway", async () => {
    const init = await (await fetch(`${base}/docs/static/swagger-initializer.js`)).text();
    for (const route of GATEWAY_ROUTES.filter((r) => r.strip)) expect(init).toContain(`"url":"${route.prefix}openapi.json"`);
    expect(init).toContain('"url":"/openapi.json"');
  });

  it.each([...SERVICE_NAMES])('%s: its server is the gateway prefix, so "Try it out" calls /api/<service>/…', (name: ServiceName) => {
    expect(docs.get(name)?.servers).toEqual([{ url: `/api/${name}`, description: 'Through the gateway' }]);
  });

  it('a service reached directly names itself as the server', async () => {
    expect(((await (await fetch(`${platform.direct('video')}/openapi.json`)).json()) as Json).servers).toEqual([{ url: '/', description: 'This instance' }]);
  });

  it.each(['gateway', ...SERVICE_NAMES])('%s: every operation documents a success and its problems as problem+json; every $ref resolves', (name) => {
    const doc = docs.get(name) as Json;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'code', 'detail']);
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(3);
    for (const { path, method, op } of ops) {
      const where = `${method} ${path}`;
      const statuses = Object.keys(op.responses as Json);
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        where,
      ).toBe(true);
      expect(statuses, where).toContain('500');
      for (const s of statuses.filter((x) => Number(x) >= 400)) {
        const media = op.responses[s].content['application/problem+json'];
        expect(media, `${where} ${s}`).toBeDefined();
        const codes = media.schema.allOf[1].properties.code.enum as string[];
        for (const code of codes) expect((PROBLEMS as Json)[code].status, `${where} ${code}`).toBe(Number(s));
      }
      if (op.security === undefined) expect(statuses, `${where} needs a key, so it answers 401`).toContain('401');
    }
    for (const ref of refs(doc)) expect(resolve(doc, ref), ref).toBeDefined();
  });

  it('documents health, readiness and the public catalogues as public: no key asked, no 401', () => {
    const publicOps = [
      ['video', 'get', '/formats'],
      ['document', 'get', '/templates'],
      ['code', 'get', '/languages'],
      ['media', 'get', '/quality-presets'],
      ['ai', 'get', '/models'],
      ['gateway', 'get', '/health'],
      ['video', 'get', '/ready'],
    ] as const;
    for (const [name, method, path] of publicOps) {
      const op = (docs.get(name) as Json).paths[path][method] as Json;
      expect(op.security, `${name} ${path}`).toEqual([]);
      expect(Object.keys(op.responses as Json), `${name} ${path}`).not.toContain('401');
    }
    expect((docs.get('video') as Json).paths['/analyze'].post.security).toBeUndefined();
  });

  it('describes every upload route as a multipart form with a binary file, and job routes as 200 or 202', () => {
    const uploads = [
      ['video', '/analyze', 'file'],
      ['video', '/thumbnail', 'file'],
      ['video', '/process', 'file'],
      ['document', '/extract-text', 'file'],
      ['document', '/watermark', 'file'],
      ['document', '/merge', 'files'],
      ['document', '/split', 'file'],
      ['media', '/hls-transcode', 'file'],
      ['media', '/dash', 'file'],
    ] as const;
    for (const [name, path, field] of uploads) {
      const op = (docs.get(name) as Json).paths[path].post as Json;
      const schema = op.requestBody.content['multipart/form-data'].schema as Json;
      expect(schema.required, `${name} ${path}`).toContain(field);
      const part = schema.properties[field].items ?? schema.properties[field];
      expect(part, `${name} ${path}`).toMatchObject({ type: 'string', format: 'binary' });
      expect(Object.keys(op.responses as Json), `${name} ${path}`).toEqual(expect.arrayContaining(['413', '415', '422']));
    }
    for (const [name, path] of [
      ['video', '/process'],
      ['media', '/hls-transcode'],
      ['document', '/extract-text'],
    ] as const) {
      expect(Object.keys((docs.get(name) as Json).paths[path].post.responses as Json)).toEqual(expect.arrayContaining(['200', '202', '429']));
    }
  });

  it('answers an upload sent as the document describes it, at the server it names (Try it out)', async () => {
    const doc = docs.get('document') as Json;
    const pdf = await PDFDocument.create();
    for (let i = 0; i < 3; i++) pdf.addPage();
    const form = new FormData();
    const field = Object.keys(doc.paths['/split'].post.requestBody.content['multipart/form-data'].schema.properties as Json)[0] as string;
    form.append(field, new Blob([await pdf.save()], { type: 'application/pdf' }), 'three.pdf');
    form.append('ranges', '2');
    const res = await fetch(`${base}${doc.servers[0].url}/split`, { method: 'POST', body: form, headers: { 'x-api-key': TEST_KEY } });
    expect(res.status).toBe(200);
    expect(Object.keys(doc.paths['/split'].post.responses['200'].content as Json)).toContain(res.headers.get('content-type')?.split(';')[0]);
    expect((await PDFDocument.load(await res.arrayBuffer())).getPageCount()).toBe(1);
  });
});
