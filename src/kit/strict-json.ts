// JSON bodies are taken as their schemas say, never loosely. Bytes that are not UTF-8 are a 400
// (Fastify would decode them as U+FFFD and carry on), and a field that a closed object schema
// (`additionalProperties: false`) does not declare is refused by name: Fastify's Ajv removes such
// fields silently, so a misspelt or unsupported option looked accepted and did nothing.
import { isUtf8 } from 'node:buffer';
import type { HttpApp } from './http-app.js';
import { Problem } from './problems.js';

/** How many unknown fields a problem names; the rest are counted. */
const NAMED = 20;

interface ObjectSchema {
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  items?: unknown;
}

/** The paths (`body/a/b`) of fields in `value` that a closed object schema on their way does not declare. */
export function unknownFields(schema: unknown, value: unknown, path: string): string[] {
  if (schema === null || typeof schema !== 'object' || value === null || typeof value !== 'object') return [];
  const s = schema as ObjectSchema;
  if (Array.isArray(value)) return s.items === undefined ? [] : value.flatMap((v: unknown, i) => unknownFields(s.items, v, `${path}/${i}`));
  const props = s.properties;
  if (props === undefined) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    if (Object.hasOwn(props, k)) return unknownFields(props[k], v, `${path}/${k}`);
    return s.additionalProperties === false ? [`${path}/${k}`] : [];
  });
}

function unknownFieldsProblem(paths: string[], schema: unknown): Problem {
  const named = paths.slice(0, NAMED);
  const more = paths.length > NAMED ? ` and ${paths.length - NAMED} more` : '';
  const known = Object.keys((schema as ObjectSchema).properties ?? {});
  return new Problem('VALIDATION_FAILED', `Unknown field${paths.length === 1 ? '' : 's'} ${named.join(', ')}${more}; this route accepts ${known.join(', ')}.`, {
    extensions: { errors: named.map((field) => ({ field, message: 'is not a known field' })), unknown_fields: paths.length },
  });
}

/** Installs the strict JSON parser and the unknown-field check on every route of the app. */
export function registerStrictJson(app: HttpApp): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new Problem('BAD_REQUEST', 'The JSON body is not valid UTF-8 (RFC 8259 requires UTF-8); no part of it was used.'), undefined);
      return;
    }
    void parseJson(req, bytes.toString('utf8'), done); // the default parser is synchronous and answers through done
  });
  // Fastify treats a hook without a `done` parameter as async: it must return a promise.
  // eslint-disable-next-line @typescript-eslint/require-await
  app.addHook('preValidation', async (req) => {
    const schema = req.routeOptions.schema?.body;
    if (schema === undefined || req.body === undefined) return;
    const unknown = unknownFields(schema, req.body, 'body');
    if (unknown.length > 0) throw unknownFieldsProblem(unknown, schema);
  });
}
