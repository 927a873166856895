// A field an answer always carries, null when there is nothing to say (never left out): the
// success schemas' one spelling of it.
import { Type, type TNull, type TSchema, type TUnion } from '@sinclair/typebox';

export function Nullable<T extends TSchema>(schema: T): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()]);
}
