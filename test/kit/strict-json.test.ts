import { describe, expect, it } from 'vitest';
import { Type } from '../../src/kit/index.js';
import { unknownFields } from '../../src/kit/strict-json.js';

const Closed = Type.Object(
  {
    a: Type.String(),
    limits: Type.Optional(Type.Object({ n: Type.Integer() }, { additionalProperties: false })),
    files: Type.Optional(Type.Array(Type.Object({ name: Type.String() }, { additionalProperties: false }))),
    free: Type.Optional(Type.Object({ x: Type.String() })),
    any: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

describe('unknownFields', () => {
  it.each([
    [{ a: 'x' }, []],
    [{ a: 'x', b: 1 }, ['body/b']],
    [{ a: 'x', limits: { n: 1, m: 2 } }, ['body/limits/m']],
    [{ a: 'x', files: [{ name: 'a' }, { name: 'b', path: '/etc' }] }, ['body/files/1/path']],
    [{ a: 'x', free: { x: 'y', extra: 1 }, any: { whatever: true } }, []],
    [{ a: 'x', constructor: 1 }, ['body/constructor']],
  ])('%j → %j', (body, expected) => {
    expect(unknownFields(Closed, body, 'body')).toEqual(expected);
  });
});
