// `pitchey logs -f`'s cursor token: what the platform hands out, it reads back; anything else a client
// sends is a 400 naming the field, never a crash.
import { describe, expect, it } from 'vitest';
import { readLogCursors, writeLogCursors } from '../../src/deploy/log-cursor.js';

describe('log cursors', () => {
  it('reads back what it wrote', () => {
    const token = writeLogCursors([
      { id: 'video-v1-1', version: 'v1', track: 'stable', lines: [], cursor: '42' },
      { id: 'video-v2-2', version: 'v2', track: 'canary', lines: ['x'], cursor: '2026-12-06T09:00:00.1Z' },
    ]);
    expect(token).toMatch(/^[\w-]+$/); // base64url: goes into a query string as it is
    expect(readLogCursors(token)).toEqual({ 'video-v1-1': '42', 'video-v2-2': '2026-12-06T09:00:00.1Z' });
  });
  it.each([
    ['not base64 JSON', '%%%'],
    ['a list', Buffer.from('[1]').toString('base64url')],
    ['a number as a cursor', Buffer.from('{"a":1}').toString('base64url')],
    ['too long a cursor', Buffer.from(JSON.stringify({ a: 'x'.repeat(65) })).toString('base64url')],
  ])('refuses %s with VALIDATION_FAILED naming the field', (_what, token) => {
    expect(() => readLogCursors(token)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', extensions: { errors: [{ field: 'querystring/after', message: "is not an earlier answer's next" }] } }),
    );
  });
});
