// The OpenAPI documents as a caller meets them through the gateway: each service's, served at
// /api/<service>/openapi.json, names that prefix as its server; the merged document of the whole
// public API at /api/openapi.json has every service's operations at the paths a client calls;
// every operation answers with documented successes and problems (problem+json, the RFC 9457
// schema); uploads are multipart forms with a binary file; public routes need no key; every $ref
// resolves; and `redocly lint` (recommended rules) finds no error in any document the platform
// serves. A document's own "Try it out" is played here: its upload route called as described.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ROUTES, PUBLIC_DOCUMENT_PATH } from '../../src/gateway/index.js';
import { PROBLEMS, SERVICE_NAMES, type ServiceName } from '../../src/kit/index.js';
import { TEST_KEY, makeTempDir, testConfig } from '../helpers.js';
import { run } from '../ops/ops-files.js';
import { adminDocument } from './admin-document.js';
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
const REDOCLY = fileURLToPath(new URL('../../node_modules/@redocly/cli/bin/cli.js', import.meta.url));

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ source: { ref: string }; pointer: string }>;
}

/** `redocly lint` with its recommended rules over the files, offline: every problem found. */
function redoclyLint(files: string[], cwd: string): LintProblem[] {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const r = run(process.execPath, [REDOCLY, 'lint', '--extends=recommended', '--format=json', ...files], { cwd, env });
  // One JSON report per file, printed one after another: each top-level object closes at column 0.
  const reports = r.stdout.split(/(?<=^\})(?=\{$)/m).map((t) => JSON.parse(t) as { problems: LintProblem[] });
  expect(reports, r.out).toHaveLength(files.length);
  return reports.flatMap((x) => x.problems);
}

/** `METHOD path status` of each success documented only as "an object", or with no body though not a 204. */
function bareSuccesses(doc: Json): string[] {
  return operations(doc).flatMap(({ path, method, op }) =>
    Object.entries(op.responses as Json)
      .filter(([status]) => /^2\d\d$/.test(status) && status !== '204')
      .filter(([, r]) => {
        const media = Object.values(((r as Json).content ?? {}) as Json);
        return media.length === 0 || media.some((m) => m.schema === undefined || JSON.stringify(m.schema) === '{"type":"object"}');
      })
      .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
  );
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
    // Rate limits on, as in production: the gateway's 429 is part of what each route can answer.
    platform = await startFiveServices(tmp.dir, { PITCHEY_RATE_LIMIT: 'true' });
    base = platform.base;
    docs.set('gateway', (await (await fetch(`${base}/openapi.json`)).json()) as Json);
    docs.set('public', (await (await fetch(`${base}${PUBLIC_DOCUMENT_PATH}`)).json()) as Json);
    // `pitchey up`'s admin document: the gateway's with the controller's APIs on it.
    docs.set('admin', await adminDocument(testConfig(join(tmp.dir, 'controller'))));
    for (const name of SERVICE_NAMES) {
      const res = await fetch(`${base}/api/${name}/openapi.json`);
      expect(res.status, name).toBe(200);
      docs.set(name, (await res.json()) as Json);
      docs.set(`direct-${name}`, (await (await fetch(`${platform.direct(name)}/openapi.json`)).json()) as Json);
    }
  }, 60_000);
  afterAll(async () => {
    await platform.close();
    tmp.remove();
  });

  it("offers the public API's document first in the gateway's /docs, then the admin API and every service's", async () => {
    const init = await (await fetch(`${base}/docs/static/swagger-initializer.js`)).text();
    const urls = [...init.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
    expect(urls.slice(0, 2)).toEqual([PUBLIC_DOCUMENT_PATH, '/openapi.json']);
    for (const route of GATEWAY_ROUTES.filter((r) => r.strip)) expect(urls).toContain(`${route.prefix}openapi.json`);
  });

  it("documents the controller's admin API: every deployment route, each with a summary", () => {
    const admin = docs.get('admin') as Json;
    const paths = Object.keys(admin.paths as Json);
    for (const p of ['/_pitchey/admin/deployments', '/_pitchey/admin/deployments/{id}/abort', '/_pitchey/admin/rollback', '/_pitchey/admin/release-trains/{id}', '/_pitchey/admin/config'])
      expect(paths).toContain(p);
    for (const { path, method, op } of operations(admin)) expect(op.summary, `${method} ${path}`).toEqual(expect.any(String));
    expect(Object.keys(admin.paths['/_pitchey/admin/deployments/{id}/promote'].post.responses as Json)).toEqual(expect.arrayContaining(['404', '409', '422']));
  });

  it("merges every service's operations at the path a client calls, with the gateway's public routes, and no admin route", () => {
    const merged = docs.get('public') as Json;
    expect(merged.servers).toEqual([{ url: '/', description: 'This instance' }]);
    const ids = operations(merged).map((o) => o.op.operationId as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const name of SERVICE_NAMES)
      for (const { path, method, op } of operations(docs.get(name) as Json)) {
        const at = name === 'media' && path.startsWith('/streams/') ? path : `/api/${name}${path}`;
        const mergedOp = merged.paths[at]?.[method] as Json | undefined;
        expect(mergedOp?.operationId, `${method} ${at}`).toBe(`${name}${(op.operationId as string).charAt(0).toUpperCase()}${(op.operationId as string).slice(1)}`);
        expect(mergedOp?.security, `${method} ${at}`).toEqual(op.security);
        expect(mergedOp?.tags?.[0], `${method} ${at}`).toMatch(new RegExp(`^${name}`));
      }
    expect(merged.paths['/health'].get.security).toEqual([]);
    expect(merged.paths['/ready'].get.tags).toEqual(['gateway']);
    expect(Object.keys(merged.paths as Json).filter((p) => p.startsWith('/_pitchey'))).toEqual([]);
    // Through the gateway a route can also be refused by the gateway itself.
    expect(Object.keys(merged.paths['/api/video/formats'].get.responses as Json)).toEqual(expect.arrayContaining(['429', '502', '504']));
    expect(Object.keys(merged.paths['/streams/{id}/{path}'].get.responses as Json)).not.toContain('429');
  });

  it('leaves out a service with no healthy instance, saying so, and answers 502 for its own document', async () => {
    const instance = platform.gateway.pools.get('code')?.list()[0];
    if (instance === undefined) throw new Error('no code instance');
    instance.healthy = false;
    try {
      const merged = (await (await fetch(`${base}${PUBLIC_DOCUMENT_PATH}`)).json()) as Json;
      expect(merged.info.description).toContain('Not described now: code (No healthy code instance');
      expect(Object.keys(merged.paths as Json).filter((p) => p.startsWith('/api/code/'))).toEqual([]);
      expect(Object.keys(merged.paths as Json)).toContain('/api/video/analyze');
      const res = await fetch(`${base}/api/code/openapi.json`);
      expect(res.status).toBe(502);
      expect(((await res.json()) as Json).code).toBe('UPSTREAM_UNAVAILABLE');
    } finally {
      instance.healthy = true;
    }
  });

  it('passes `redocly lint` (recommended rules) with no error in any document; its only warning: no 4XX on an operation that cannot answer one', () => {
    const files = [...docs.keys()].map((name) => {
      writeFileSync(join(tmp.dir, `${name}.json`), JSON.stringify(docs.get(name)));
      return `${name}.json`;
    });
    const problems = redoclyLint(files, tmp.dir);
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.location[0]?.source.ref} ${p.location[0]?.pointer}: ${p.ruleId} ${p.message}`)).toEqual([]);
    // Health, readiness and the public catalogues take no input and need no key: nothing a client
    // sends can be refused. Through the gateway they answer its 429; reached directly, only 5xx.
    for (const p of problems) {
      const where = `${p.location[0]?.source.ref} ${p.location[0]?.pointer}`;
      expect(p.ruleId, where).toBe('operation-4xx-response');
      const op = resolve(docs.get(p.location[0]?.source.ref.replace(/\.json$/, '') ?? '') as Json, (p.location[0]?.pointer ?? '').replace(/\/responses$/, '')) as Json;
      expect(op.security, where).toEqual([]);
      expect(op.parameters ?? [], where).toEqual([]);
      expect(op.requestBody, where).toBeUndefined();
    }
  });

  it.each([...SERVICE_NAMES])('%s: its server is the gateway prefix, so "Try it out" calls /api/<service>/…', (name: ServiceName) => {
    expect(docs.get(name)?.servers).toEqual([{ url: `/api/${name}`, description: 'Through the gateway' }]);
  });

  it('a service reached directly names itself as the server', async () => {
    expect(((await (await fetch(`${platform.direct('video')}/openapi.json`)).json()) as Json).servers).toEqual([{ url: '/', description: 'This instance' }]);
  });

  it.each(['gateway', 'public', ...SERVICE_NAMES])('%s: every operation documents a success and its problems as problem+json; every $ref resolves', (name) => {
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
        const { 'application/problem+json': problem, 'application/json': dialect } = op.responses[s].content as Json;
        // The OpenAI-compatible API answers OpenAI error objects; everything else, and the gateway in front of it, problem+json.
        expect(problem ?? dialect, `${where} ${s}`).toBeDefined();
        if (dialect !== undefined) {
          expect(path, `${where} ${s}: only the OpenAI-compatible API answers another error dialect`).toMatch(/\/v1\//);
          expect(dialect.schema.allOf[0].$ref).toBe('#/components/schemas/OpenAIError');
          expect((dialect.schema.allOf[1].properties.error.properties.code.enum as string[]).length, `${where} ${s}`).toBeGreaterThan(0);
        }
        if (problem === undefined) continue;
        const codes = problem.schema.allOf[1].properties.code.enum as string[];
        for (const code of codes) expect((PROBLEMS as Json)[code].status, `${where} ${code}`).toBe(Number(s));
      }
      if (op.security === undefined) expect(statuses, `${where} needs a key, so it answers 401`).toContain('401');
    }
    for (const ref of refs(doc)) expect(resolve(doc, ref), ref).toBeDefined();
  });

  it('documents the /v1 errors as the OpenAI error objects they are, with OpenAI’s status and code', () => {
    for (const [doc, path] of [
      [docs.get('ai'), '/v1/chat/completions'],
      [docs.get('public'), '/api/ai/v1/chat/completions'],
    ] as const) {
      const responses = (doc as Json).paths[path].post.responses as Json;
      const notFound = responses['404'].content['application/json'].schema.allOf[1].properties.error.properties.code.enum as string[];
      expect(notFound, path).toContain('model_not_found');
      expect(responses['401'].content['application/json'].schema.allOf[1].properties.error.properties.code.enum, path).toEqual(expect.arrayContaining(['missing_api_key', 'invalid_api_key']));
      expect((doc as Json).components.schemas.OpenAIError.required, path).toEqual(['error', 'request_id']);
    }
    // Through the gateway, its own refusals (a rate limit, an upstream away) stay problem+json beside them.
    const viaGateway = (docs.get('public') as Json).paths['/api/ai/v1/chat/completions'].post.responses as Json;
    expect(Object.keys(viaGateway['502'].content as Json)).toContain('application/problem+json');
  });

  it.each(['gateway', 'public', 'admin', ...SERVICE_NAMES])('%s: every success gives its body (a schema or media types), never a bare object', (name) => {
    expect(bareSuccesses(docs.get(name) as Json)).toEqual([]);
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
