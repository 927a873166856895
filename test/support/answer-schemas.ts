// Checks a route's real answer against the TypeBox schema its handler is typed by, and that the
// service's OpenAPI document gives that same schema for the operation.
import { FormatRegistry, TypeRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { expect } from 'vitest';

/** The answer, which must fit the schema (every error listed when it does not). */
export function expectFits(schema: TSchema, body: unknown): void {
  expect([...Value.Errors(schema, body)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
}

/** The schema a parsed OpenAPI document gives for a status of an operation, as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed document, walked freely
export const documented = (doc: Record<string, any>, path: string, method: string, status: string): unknown => doc.paths[path][method].responses[status].content['application/json'].schema;

export const asJson = (schema: TSchema): unknown => JSON.parse(JSON.stringify(schema));

/**
 * TypeBox checks only the formats and kinds it is told: `date-time` as the answers write it, and the
 * kit's `StringEnum` (an `Unsafe` schema with an `enum`, which Fastify's Ajv reads as JSON Schema).
 * Unit files share one module cache, so the returned function removes both again (call it after
 * the file's tests).
 */
export function teachTypeBox(): () => void {
  FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v));
  TypeRegistry.Set<{ enum?: unknown[] }>('Unsafe', (schema, value) => schema.enum === undefined || schema.enum.includes(value));
  return () => {
    FormatRegistry.Delete('date-time');
    TypeRegistry.Delete('Unsafe');
  };
}
