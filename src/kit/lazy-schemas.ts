// Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), each
// route's schema compiled at its first use instead of all of them before the app listens. Compiling
// every route (and Ajv's meta-schema, first) took 0.05–0.25 s of CPU per process, the gateway's
// deploy API most; `pitchey up` starts six processes at once on as few as two cores. The same
// compilers with the same options: the same validation, coercion, errors and serialization.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyServerOptions } from 'fastify';

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type CompilersFactory = NonNullable<SchemaController['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;
type Validate = ((data: unknown, context?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type RouteSchema = { schema: unknown; httpPart?: string };

type Selector<C> = (...factoryArgs: unknown[]) => C;

/**
 * fastify's own location, from this module's, or else from the working directory: a bundle written
 * outside the project (the tests' host processes, in a temporary folder) has fastify inside it and
 * no node_modules beside it, while the process runs from the project.
 */
function fastifyPath(): string {
  try {
    return createRequire(import.meta.url).resolve('fastify');
  } catch {
    return createRequire(join(process.cwd(), 'noop.js')).resolve('fastify');
  }
}

/**
 * The compilers fastify itself depends on, loaded from beside it at the first compile: one selector
 * per process, as fastify keeps one (it shares a compiler between contexts with the same schemas).
 */
function selector<C>(name: string): () => Selector<C> {
  let made: Selector<C> | null = null;
  return () => (made ??= (createRequire(fastifyPath())(name) as () => Selector<C>)());
}
const ajvCompilers = selector<(route: RouteSchema) => Validate>('@fastify/ajv-compiler');
const jsonCompilers = selector<(route: unknown) => (data: unknown) => string>('@fastify/fast-json-stringify-compiler');

/**
 * Header names are case-insensitive: fastify lower-cases a header schema's property names before a
 * compiler it ships sees it, and leaves them as written for one of ours; this keeps its rule.
 */
function lowerCaseHeaders(schema: unknown): unknown {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] } | null;
  if (typeof s !== 'object' || s === null || s.properties === undefined) return schema;
  return {
    ...s,
    properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k.toLowerCase(), v])),
    ...(s.required ? { required: s.required.map((k) => k.toLowerCase()) } : {}),
  };
}

const buildValidator = ((...factoryArgs: unknown[]) => {
  let compile: ((route: RouteSchema) => Validate) | null = null;
  return (route: RouteSchema) => {
    const part = route.httpPart === 'headers' ? { ...route, schema: lowerCaseHeaders(route.schema) } : route;
    let real: Validate | null = null;
    const validate: Validate = (data, context) => {
      compile ??= ajvCompilers()(...factoryArgs);
      real ??= compile(part);
      const result = real(data, context);
      validate.errors = real.errors;
      return result;
    };
    // Fastify hands Ajv's functions (which have a schemaEnv) the parent object, so that a
    // coercion can replace the root value itself.
    validate.schemaEnv = true;
    return validate;
  };
}) as unknown as BuildValidator;

const buildSerializer = ((...factoryArgs: unknown[]) => {
  let compile: ((route: unknown) => (data: unknown) => string) | null = null;
  return (route: unknown) => {
    let real: ((data: unknown) => string) | null = null;
    return (data: unknown) => {
      compile ??= jsonCompilers()(...factoryArgs);
      real ??= compile(route);
      return real(data);
    };
  };
}) as unknown as BuildSerializer;

/** Fastify's `schemaController` option: its default compilers, each schema compiled when first used. */
export const LAZY_SCHEMAS: SchemaController = { compilersFactory: { buildValidator, buildSerializer } };
