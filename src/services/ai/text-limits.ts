// The contract's text limits (configurable per route): empty or over-long text is a 422 that names the limit.
import { Problem } from '../../kit/index.js';

/** Checks `value` against the route's limit (in characters, i.e. code points) and returns it. */
export function requireText(value: string, options: { field: string; limit: number }): string {
  const { field, limit } = options;
  if (value.trim() === '') {
    throw new Problem('AI_TEXT_EMPTY', `"${field}" is empty; send 1 to ${limit} characters.`, { extensions: { field, limit, length: 0 } });
  }
  let length = 0;
  for (const _ of value) length++;
  if (length > limit) {
    throw new Problem('AI_TEXT_TOO_LONG', `"${field}" has ${length} characters; this route accepts at most ${limit}.`, { extensions: { field, limit, length } });
  }
  return value;
}
