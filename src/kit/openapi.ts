// What each route's OpenAPI operation says beyond what Fastify validates, so Swagger's "Try it out"
// can call the API: multipart forms with a binary `file`, the success answers (200, 202 with a
// job), every problem the route can answer (as application/problem+json, or in the route's error
// dialect), whether it needs a key,
// and the server it is reached at (the gateway's `/api/<service>` prefix). Documentation only:
// nothing here validates or serialises a request.
import type { FastifyRequest, RouteOptions } from 'fastify';
import { ANY_CREDENTIAL } from './auth.js';
import { JobAnswer, prefixOf } from './job-http.js';
import { PROBLEMS, PROBLEM_CONTENT_TYPE, type ProblemCode } from './problems.js';

type JsonSchema = Record<string, unknown>;

/** Every document's licence: the platform is proprietary (package.json: UNLICENSED), named as SPDX names a licence it does not list. */
export const API_LICENSE = { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' };

/** A route's documentation beyond its validated schema: `schema.doc`. */
export interface RouteDoc {
  /** A multipart form: its text fields' schemas; the file part(s) are added as binary `file`. */
  upload?: {
    /** The file part's name. Default `file`. */
    field?: string;
    /** One file (default) or several under the one name. */
    files?: 'one' | 'many';
    /** Other form fields (text, or `BINARY` for a second file). */
    fields?: Record<string, JsonSchema>;
    required?: string[];
  };
  /**
   * A success's body: a JSON Schema (answered with `status`, default 200), with `also` the other
   * media types the route answers by the request (an SSE stream, an HTML page) and their schemas;
   * or the media types of a file answer; or `noContent`: 204 without a body. Default: a JSON object.
   * `otherwise`: a second success the route answers by the request, with its own status and body.
   */
  ok?: { json: JsonSchema; status?: number; also?: Record<string, JsonSchema>; otherwise?: { status: number; json: JsonSchema; description: string } } | { file: string[] } | { noContent: true };
  /** The route runs a job: 200 with the finished job when it ends in time, else (or with `?async=true`) 202. */
  job?: boolean;
  /** Problems this route answers beyond those every route of its kind can. */
  problems?: ProblemCode[];
  /** The route answers its problems in another dialect than RFC 9457 (the OpenAI-compatible API's error objects). */
  errors?: ErrorDialect;
}

/**
 * Problems rendered as another API's error objects, as `application/json`: `schema` is its body,
 * named `name` among the document's schemas; `codes` gives the dialect's own status and code where
 * they differ from the catalogue's (otherwise the catalogue's status and the code in lower case).
 * The same table drives the renderer, so the document says what is sent.
 */
export interface ErrorDialect {
  name: string;
  schema: JsonSchema;
  codes: Partial<Record<ProblemCode, { status?: number; code: string }>>;
}

/** The status and code a dialect answers a problem with. */
export function dialectAnswer(dialect: ErrorDialect, code: ProblemCode): { status: number; code: string } {
  const own = dialect.codes[code];
  return { status: own?.status ?? PROBLEMS[code].status, code: own?.code ?? code.toLowerCase() };
}

declare module 'fastify' {
  interface FastifySchema {
    doc?: RouteDoc;
  }
}

/** RFC 9457's problem details, with the catalogue's `code` and validation's `errors`. */
export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'Identifies the problem type' },
    title: { type: 'string', description: "The problem type's summary" },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', enum: Object.keys(PROBLEMS), description: "The catalogue's stable code" },
    detail: { type: 'string', description: 'This occurrence, in words a client can act on' },
    instance: { type: 'string', description: 'The request path' },
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
};

/** The job a route answers with (`presentJob`). */
const JOB_SCHEMA: JsonSchema = JobAnswer;

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const AUTH_PROBLEMS: ProblemCode[] = ['AUTH_REQUIRED', 'AUTH_INVALID', 'AUTH_EXPIRED', 'SCOPE_MISSING'];
const UPLOAD_PROBLEMS: ProblemCode[] = ['UNSUPPORTED_MEDIA_TYPE', 'UPLOAD_TOO_LARGE', 'UPLOAD_STALLED', 'UPLOAD_TYPE_REJECTED', 'UPLOAD_MISSING', 'VALIDATION_FAILED'];
const JSON_BODY_PROBLEMS: ProblemCode[] = ['BAD_REQUEST', 'VALIDATION_FAILED', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
const JOB_PROBLEMS: ProblemCode[] = ['QUEUE_FULL', 'JOB_STORE_UNAVAILABLE', 'JOB_FAILED', 'JOB_TIMEOUT', 'JOB_CANCELLED'];

/** Every problem a route can answer: from what it is (authenticated, limited, a form, a job) and what it names. */
export function routeProblems(route: Pick<RouteOptions, 'config' | 'schema'>, service: string): ProblemCode[] {
  const schema = route.schema ?? {};
  const config = (route.config ?? {}) as { auth?: string; rateLimit?: unknown };
  const doc = schema.doc ?? {};
  const codes: ProblemCode[] = ['INTERNAL_ERROR', 'DRAINING'];
  const auth = config.auth ?? service;
  // Any valid credential reads an ANY_CREDENTIAL route: it cannot lack a scope.
  if (auth !== 'public') codes.push(...AUTH_PROBLEMS.filter((c) => auth !== ANY_CREDENTIAL || c !== 'SCOPE_MISSING'));
  if (config.rateLimit !== undefined && config.rateLimit !== false) codes.push('RATE_LIMITED');
  if (doc.upload !== undefined) codes.push(...UPLOAD_PROBLEMS);
  if (schema.body !== undefined) codes.push(...JSON_BODY_PROBLEMS);
  if (schema.params !== undefined || schema.querystring !== undefined) codes.push('VALIDATION_FAILED', 'URI_TOO_LONG');
  if (doc.job === true) codes.push(...JOB_PROBLEMS);
  codes.push(...(doc.problems ?? []));
  return [...new Set(codes)];
}

/** The problem codes an operation's responses already name. */
function documentedProblems(responses: Record<string, unknown>): ProblemCode[] {
  return Object.values(responses).flatMap((r) => {
    const media = (r as { content?: Record<string, { schema?: { allOf?: Array<{ properties?: { code?: { enum?: ProblemCode[] } } }> } }> }).content?.[PROBLEM_CONTENT_TYPE];
    return media?.schema?.allOf?.[1]?.properties?.code?.enum ?? [];
  });
}

/** An operation's responses with more problems it can answer (the gateway's, in front of a service). */
export function withProblems(responses: Record<string, unknown>, codes: readonly ProblemCode[]): Record<string, unknown> {
  const success = Object.fromEntries(Object.entries(responses).filter(([status]) => Number(status) < 400));
  const merged: Record<string, unknown> = { ...success, ...problemResponses([...new Set([...documentedProblems(responses), ...codes])]) };
  // A service's errors in its own dialect stay, beside what the gateway answers as problem+json.
  for (const [status, response] of Object.entries(responses))
    if (Number(status) >= 400 && (response as { content?: Record<string, unknown> }).content?.[PROBLEM_CONTENT_TYPE] === undefined) merged[status] = mergeResponse(response, merged[status]);
  return merged;
}

function problemResponses(codes: ProblemCode[], dialect?: ErrorDialect): Record<string, unknown> {
  const statusOf = (code: ProblemCode) => (dialect === undefined ? PROBLEMS[code].status : dialectAnswer(dialect, code).status);
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (dialect === undefined) {
      responses[String(status)] = {
        description: list.map((c) => `\`${c}\`: ${PROBLEMS[c].title}`).join('; '),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { allOf: [PROBLEM_REF, { properties: { code: { enum: list } } }] } } },
      };
      continue;
    }
    const dialectCodes = [...new Set(list.map((c) => dialectAnswer(dialect, c).code))];
    responses[String(status)] = {
      description: list.map((c) => `\`${dialectAnswer(dialect, c).code}\`: ${PROBLEMS[c].title}`).join('; '),
      content: { 'application/json': { schema: { allOf: [{ $ref: `#/components/schemas/${dialect.name}` }, { properties: { error: { properties: { code: { enum: dialectCodes } } } } }] } } },
    };
  }
  return responses;
}

/** Two error answers under one status (a service's in its dialect, the gateway's as problem+json): both media types, both descriptions. */
function mergeResponse(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  const [x, y] = [a as { description: string; content: Record<string, unknown> }, b as { description: string; content: Record<string, unknown> }];
  return { description: `${x.description}; ${y.description}`, content: { ...x.content, ...y.content } };
}

function successResponses(doc: RouteDoc): Record<string, unknown> {
  const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });
  if (doc.job === true) {
    return {
      '200': { description: 'The job finished while the request waited', ...json(JOB_SCHEMA) },
      '202': { description: 'The job is queued or running: poll `check_status_url` (`?async=true` always answers 202)', ...json(JOB_SCHEMA) },
    };
  }
  const ok = doc.ok;
  if (ok !== undefined && 'noContent' in ok) return { '204': { description: 'Done; no body' } };
  if (ok !== undefined && 'file' in ok) return { '200': { description: 'The file', content: Object.fromEntries(ok.file.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) } };
  const status = ok?.status ?? 200;
  const content = { 'application/json': { schema: ok?.json ?? { type: 'object' } }, ...Object.fromEntries(Object.entries(ok?.also ?? {}).map(([t, schema]) => [t, { schema }])) };
  const otherwise = ok?.otherwise === undefined ? {} : { [String(ok.otherwise.status)]: { description: ok.otherwise.description, ...json(ok.otherwise.json) } };
  return { [String(status)]: { description: status === 202 ? 'Accepted' : status === 201 ? 'Created' : 'OK', content }, ...otherwise };
}

/** A file part of a form: Swagger UI shows a file picker for it. */
export const BINARY: JsonSchema = { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' };

function uploadBody(upload: NonNullable<RouteDoc['upload']>): unknown {
  const field = upload.field ?? 'file';
  const file = upload.files === 'many' ? { type: 'array', items: BINARY, description: 'The files, in order' } : { ...BINARY, description: 'The file' };
  const schema = { type: 'object', required: [field, ...(upload.required ?? [])], properties: { [field]: file, ...upload.fields } };
  return { required: true, content: { 'multipart/form-data': { schema } } };
}

/** @fastify/swagger's `transform`: hands each route's facts to `completeDocument` as an `x-pitchey` extension. */
export function createRouteTransform(service: string) {
  return ({ schema, url, route }: { schema: RouteOptions['schema']; url: string; route: RouteOptions }) => {
    const { doc, ...rest } = schema ?? {};
    const config = (route.config ?? {}) as { auth?: string };
    const facts = { public: (config.auth ?? service) === 'public', doc: doc ?? {}, problems: routeProblems(route, service) };
    return { url, schema: { ...rest, 'x-pitchey': facts } };
  };
}

interface Operation {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; description?: string }>;
  'x-pitchey'?: { public: boolean; doc: RouteDoc; problems: ProblemCode[] };
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  security?: unknown[];
}

/** A stable, URL-safe operation id from the method and path: `GET /jobs/{id}/download` → `getJobsByIdDownload`. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment)?.[1];
      const word = (param ?? segment).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase());
      return `${param === undefined ? '' : 'By'}${word.charAt(0).toUpperCase()}${word.slice(1)}`;
    });
  return `${method.toLowerCase()}${words.join('')}`;
}

/** The name a wildcard route's rest-of-path parameter is documented under (@fastify/swagger writes `{*}`). */
const WILDCARD_PARAM = 'path';

/** A wildcard path (`/streams/{id}/{*}`) with its rest-of-path parameter named, as OpenAPI's path templating needs. */
function nameWildcards(paths: Record<string, Record<string, Operation>>): Record<string, Record<string, Operation>> {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => {
      if (!path.endsWith('/{*}')) return [path, item];
      for (const op of Object.values(item))
        for (const p of op.parameters ?? []) if (p.in === 'path' && p.name === '*') Object.assign(p, { name: WILDCARD_PARAM, description: p.description ?? 'The rest of the path (may contain `/`)' });
      return [`${path.slice(0, -'{*}'.length)}{${WILDCARD_PARAM}}`, item];
    }),
  );
}

/** @fastify/swagger's `transformObject`: operation ids, request bodies, responses and security from each route's facts. */
export function completeDocument(input: { openapiObject: object } | { swaggerObject: object }): Record<string, unknown> {
  const openapiObject = ('openapiObject' in input ? input.openapiObject : input.swaggerObject) as Record<string, unknown>;
  const paths = nameWildcards((openapiObject.paths ?? {}) as Record<string, Record<string, Operation>>);
  const dialects: Record<string, JsonSchema> = {};
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const facts = op['x-pitchey'];
      if (facts === undefined) continue;
      delete op['x-pitchey'];
      op.operationId ??= operationIdOf(method, path);
      if (facts.doc.upload !== undefined) op.requestBody = uploadBody(facts.doc.upload);
      op.responses = { ...successResponses(facts.doc), ...problemResponses(facts.problems, facts.doc.errors) };
      if (facts.doc.errors !== undefined) dialects[facts.doc.errors.name] = facts.doc.errors.schema;
      if (facts.public) op.security = [];
    }
  }
  const components = (openapiObject.components ?? {}) as Record<string, Record<string, unknown>>;
  return { ...openapiObject, paths, components: { ...components, schemas: { ...components.schemas, Problem: PROBLEM_SCHEMA, ...dialects } } };
}

/**
 * The document as the caller reaches it: through the gateway its server is the route's prefix.
 * `under`: the path this app serves the document's operations at (the gateway: a service's prefix).
 */
export function withServer(document: Record<string, unknown>, req: FastifyRequest, trustsPeer: (address: string) => boolean, under = ''): Record<string, unknown> {
  const url = `${trustsPeer(req.socket.remoteAddress ?? '') ? prefixOf(req) : ''}${under}`;
  return { ...document, servers: [{ url: url === '' ? '/' : url, description: url === '' ? 'This instance' : 'Through the gateway' }] };
}
