// The public API's OpenAPI documents as a caller meets them at the gateway. Each service's is read
// from one of its instances and completed with what the gateway itself answers on the way (rate
// limits, an unreachable or slow upstream, an oversized body), served at
// `/api/<service>/openapi.json`; and all of them, with the gateway's own public routes, are merged
// into one document at `/api/openapi.json` whose paths are the ones a client calls.
import { request, type Agent } from 'undici';
import { API_LICENSE, Problem, SERVICE_NAMES, withProblems, withServer, type HttpApp, type ProblemCode, type ServiceName } from '../kit/index.js';
import type { Instance, InstancePool } from './pool.js';
import { GATEWAY_ROUTES, type GatewayRoute } from './routes.js';

/** Where the gateway serves the merged document of the whole public API. */
export const PUBLIC_DOCUMENT_PATH = '/api/openapi.json';
export const PUBLIC_DOCUMENT_NAME = 'Pitchey public API';
const FETCH_TIMEOUT_MS = 5_000;
const SCHEMA_REF = '#/components/schemas/';

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: unknown;
  responses?: Json;
}
type Paths = Record<string, Record<string, Operation>>;

/** What the gateway itself can answer on a route, before or instead of the service. */
export function gatewayProblems(route: GatewayRoute, op: Operation, rateLimited: boolean): ProblemCode[] {
  const codes: ProblemCode[] = ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT'];
  if (rateLimited && route.rateLimit !== null) codes.push('RATE_LIMITED');
  if (op.requestBody !== undefined) codes.push('BODY_TOO_LARGE');
  return codes;
}

function mapOperations(paths: Paths, fn: (path: string, op: Operation) => { path: string; op: Operation }): Paths {
  const out: Paths = {};
  for (const [path, item] of Object.entries(paths))
    for (const [method, op] of Object.entries(item)) {
      const placed = fn(path, op);
      out[placed.path] = { ...out[placed.path], [method]: placed.op };
    }
  return out;
}

/** A service's route for one of its paths: the unstripped one that serves it as is (`/streams/`), else its `/api/<service>/`. */
function routeFor(service: ServiceName, path: string): GatewayRoute {
  const own = GATEWAY_ROUTES.filter((r) => r.service === service);
  return (own.find((r) => !r.strip && path.startsWith(r.prefix)) ?? own.find((r) => r.strip)) as GatewayRoute;
}

const stripRoute = (service: ServiceName): GatewayRoute => GATEWAY_ROUTES.find((r) => r.service === service && r.strip) as GatewayRoute;

/** A service's own document, reached at `/api/<service>`: each operation also answers the gateway's problems. */
export function serviceThroughGateway(doc: Json, service: ServiceName, rateLimited: boolean): Json {
  const route = stripRoute(service);
  return { ...doc, paths: mapOperations(doc.paths as Paths, (path, op) => ({ path, op: { ...op, responses: withProblems(op.responses ?? {}, gatewayProblems(route, op, rateLimited)) } })) };
}

/**
 * Component schemas of several documents in one namespace: a schema the same in all is kept
 * once; a name that means different things is prefixed with its service, and that service's
 * `$ref`s follow.
 */
function mergeSchemas(schemas: Json, doc: Json, service: ServiceName): Json {
  let text = JSON.stringify(doc.paths);
  const own = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
  for (const [name, schema] of Object.entries(own)) {
    const clash = schemas[name] !== undefined && JSON.stringify(schemas[name]) !== JSON.stringify(schema);
    const merged = clash ? `${service}${name}` : name;
    schemas[merged] = schema;
    if (clash) text = text.replaceAll(JSON.stringify(`${SCHEMA_REF}${name}`), JSON.stringify(`${SCHEMA_REF}${merged}`));
  }
  return JSON.parse(text) as Json;
}

const capitalise = (s: string): string => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

export interface PublicDocumentInput {
  /** The gateway's own document: its public operations are part of the public API. */
  gateway: Json;
  services: Array<{ service: ServiceName; doc: Json }>;
  /** Services left out, with why (no healthy instance). */
  missing: Array<{ service: ServiceName; reason: string }>;
  rateLimited: boolean;
  version: string;
}

/** One document for the whole public API: every path as a client calls it at the gateway. */
export function mergePublicDocument(input: PublicDocumentInput): Json {
  const schemas: Json = { ...(((input.gateway.components as Json).schemas ?? {}) as Json) };
  const tags = new Map<string, string>();
  const tagged = (tag: string, description: string): string[] => {
    tags.set(tag, description);
    return [tag];
  };
  const own = mapOperations(input.gateway.paths as Paths, (path, op) => ({ path, op }));
  let paths: Paths = {};
  for (const [path, item] of Object.entries(own))
    for (const [method, op] of Object.entries(item))
      if (op.security?.length === 0) paths[path] = { ...paths[path], [method]: { ...op, tags: tagged('gateway', 'The gateway itself: its health and readiness') } };
  for (const { service, doc } of input.services) {
    const info = doc.info as { title: string; description?: string; version: string };
    const servicePaths = mapOperations(mergeSchemas(schemas, doc, service) as Paths, (path, op) => {
      const route = routeFor(service, path);
      const at = route.strip ? `${route.prefix.slice(0, -1)}${path}` : path;
      const tag = op.tags?.[0] === undefined ? service : `${service}: ${op.tags[0]}`;
      const operationId = `${service}${capitalise(op.operationId ?? '')}`;
      const responses = withProblems(op.responses ?? {}, gatewayProblems(route, op, input.rateLimited));
      return { path: at, op: { ...op, operationId, responses, tags: tagged(tag, `${info.title} ${info.version}${info.description === undefined ? '' : `: ${info.description}`}`) } };
    });
    paths = { ...paths, ...servicePaths };
  }
  const missing = input.missing.map((m) => `${m.service} (${m.reason})`).join(', ');
  const gatewayInfo = input.gateway.info as Json;
  return {
    openapi: input.gateway.openapi,
    info: {
      title: PUBLIC_DOCUMENT_NAME,
      description: `Every service's routes at the gateway (\`/api/<service>/…\`, \`/streams/…\`) and the gateway's own public routes.${missing === '' ? '' : ` Not described now: ${missing}.`}`,
      version: input.version,
      license: gatewayInfo.license ?? API_LICENSE,
    },
    components: { ...(input.gateway.components as Json), schemas },
    security: input.gateway.security,
    tags: [...tags].map(([name, description]) => ({ name, description })),
    paths,
  };
}

/** The instance whose document stands for its service: a healthy one on the heaviest track (stable, outside a deployment). */
function documentInstance(pool: InstancePool): Instance | null {
  const weights = pool.weights();
  return pool.available().sort((a, b) => (weights[b.track] ?? 0) - (weights[a.track] ?? 0))[0] ?? null;
}

/**
 * Services' documents read from their instances, each kept until its instance or version changes,
 * and the merged public document, kept under the same keys: it is built again only when one of
 * the documents it is made of (or the set of services left out) changes.
 */
export class PublicDocuments {
  private readonly cache = new Map<ServiceName, { key: string; doc: Json }>();
  private merged: { key: string; doc: Json } | null = null;

  constructor(
    private readonly pools: Map<ServiceName, InstancePool>,
    private readonly agent: Agent,
    private readonly merge: { gateway: () => Json; rateLimited: boolean; version: string },
  ) {}

  async service(service: ServiceName): Promise<Json> {
    return (await this.read(service)).doc;
  }

  /** The whole public API's document (without `servers`, which depends on the request). */
  async publicDocument(): Promise<Json> {
    const read = await Promise.allSettled(SERVICE_NAMES.map(async (service) => ({ service, ...(await this.read(service)) })));
    const services = read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const missing = read.flatMap((r, i) =>
      r.status === 'rejected' ? [{ service: SERVICE_NAMES[i] as ServiceName, reason: r.reason instanceof Problem ? r.reason.message : 'its document could not be read' }] : [],
    );
    const key = JSON.stringify([services.map((s) => [s.service, s.key]), missing]);
    if (this.merged?.key !== key) {
      const { gateway, rateLimited, version } = this.merge;
      this.merged = { key, doc: mergePublicDocument({ gateway: gateway(), services, missing, rateLimited, version }) };
    }
    return this.merged.doc;
  }

  private async read(service: ServiceName): Promise<{ key: string; doc: Json }> {
    const instance = documentInstance(this.pools.get(service) as InstancePool);
    if (instance === null) throw new Problem('UPSTREAM_UNAVAILABLE', `No healthy ${service} instance is available to describe its API.`, { headers: { 'retry-after': '5' } });
    const key = `${instance.url} ${instance.version}`;
    const cached = this.cache.get(service);
    if (cached?.key === key) return cached;
    const entry = { key, doc: await this.fetch(instance, service) };
    this.cache.set(service, entry);
    return entry;
  }

  private async fetch(instance: Instance, service: ServiceName): Promise<Json> {
    const failed = (why: string) => new Problem('UPSTREAM_UNAVAILABLE', `The ${service} instance ${instance.id} did not give its API document: ${why}.`, { headers: { 'retry-after': '5' } });
    const res = await request(new URL('/openapi.json', instance.url), { dispatcher: this.agent, headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS }).catch((err: unknown) => {
      throw failed(err instanceof Error ? err.message : String(err));
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw failed(`status ${res.statusCode}`);
    }
    return (await res.body.json()) as Json;
  }
}

export interface PublicDocsOptions {
  pools: Map<ServiceName, InstancePool>;
  agent: Agent;
  rateLimited: boolean;
  version: string;
  trustsPeer: (address: string) => boolean;
}

/** Serves the merged public document and each service's, both as seen through this gateway. */
export function registerPublicDocs(app: HttpApp, options: PublicDocsOptions): void {
  const gateway = (): Json => app.swagger() as unknown as Json;
  const documents = new PublicDocuments(options.pools, options.agent, { gateway, rateLimited: options.rateLimited, version: options.version });
  const route = { config: { auth: 'public', rateLimit: false }, schema: { hide: true } } as const;
  app.get(PUBLIC_DOCUMENT_PATH, route, async (req) => withServer(await documents.publicDocument(), req, options.trustsPeer));
  for (const service of SERVICE_NAMES) {
    const prefix = stripRoute(service).prefix.slice(0, -1);
    app.get(`${prefix}/openapi.json`, route, async (req) => withServer(serviceThroughGateway(await documents.service(service), service, options.rateLimited), req, options.trustsPeer, prefix));
  }
}
