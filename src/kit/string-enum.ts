// A string from a fixed list, as a JSON Schema `enum` rather than a union of literals: a wrong value
// is one validation error naming the choices (a union gives one "must be equal to constant" per
// choice), and the OpenAPI docs list them in one place.
import { Type, type TUnsafe } from '@sinclair/typebox';

export function StringEnum<T extends string>(values: readonly T[], options: { description?: string; default?: NoInfer<T> } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}
