// `pitchey up`'s terminal printer: pino lines as short prefixed lines, colour only when wanted.
import { describe, expect, it } from 'vitest';
import { createPrettyPrinter, formatLine, wantsColour, wantsPretty } from '../../src/cli/pretty-log.js';

const plain = { colour: false, prefixColour: '', width: 12 };
const pino = (o: Record<string, unknown>): string => JSON.stringify({ level: 30, time: '2026-12-06T03:26:49.123Z', pid: 1, service: 'video', version: 'v1', track: 'stable', ...o });

describe('formatLine', () => {
  it("tells a request once, when it completes: the incoming line's method and path, the status and time", () => {
    const inFlight = new Map<string, string>();
    expect(formatLine('video-v1-1', pino({ reqId: 'r1', msg: 'incoming request', req: { method: 'GET', url: '/api/video/x' } }), { ...plain, inFlight })).toBe('');
    const done = pino({ reqId: 'r1', msg: 'request completed', res: { statusCode: 200 }, responseTime: 3.21 });
    expect(formatLine('video-v1-1', done, { ...plain, inFlight })).toBe('video-v1-1   | 03:26:49 INFO  GET /api/video/x → 200 (3.2 ms)\n');
    expect(inFlight.size).toBe(0);
  });
  it('keeps other fields as key=value', () => {
    expect(formatLine('ai', pino({ level: 40, msg: 'slow', ms: 812, model: { id: 'x' } }), plain)).toBe('ai           | 03:26:49 WARN  slow ms=812 model={"id":"x"}\n');
    expect(formatLine('ai', pino({ level: 50, msg: 'job failed', err: { message: 'boom', stack: 's' } }), plain)).toContain('ERROR job failed: boom');
  });
  it('passes a line that is not JSON through, prefixed', () => {
    expect(formatLine('code', 'Warning: something', plain)).toMatch(/^code {9}\| \d\d:\d\d:\d\d Warning: something\n$/);
  });
  it('colours only when asked', () => {
    const line = pino({ level: 50, msg: 'x' });
    expect(formatLine('ai', line, plain)).not.toContain('\x1b[');
    expect(formatLine('ai', line, { ...plain, colour: true, prefixColour: '\x1b[36m' })).toContain('\x1b[36mai');
  });
});

describe('createPrettyPrinter', () => {
  it('joins lines split across chunks and gives an instance its service colour', () => {
    let out = '';
    const printer = createPrettyPrinter({ colour: true, write: (t) => (out += t), width: 12 });
    const video = printer.source('video-v1-1');
    const line = pino({ msg: 'hello' });
    video(line.slice(0, 10));
    expect(out).toBe('');
    video(`${line.slice(10)}\n`);
    printer.source('video-v2-2')(`${pino({ msg: 'again' })}\n`);
    const [first, second] = out.split('\n');
    expect(first?.slice(0, 5)).toBe(second?.slice(0, 5));
    expect(first).toContain('hello');
  });
});

describe('when to print pretty, and in colour', () => {
  it.each([
    ['auto', true, false, true],
    ['auto', false, false, false],
    ['auto', true, true, false],
    ['json', true, false, false],
    ['pretty', false, true, true],
  ] as const)('%s, tty %s, production %s → %s', (format, tty, production, pretty) => {
    expect(wantsPretty(format, tty, production)).toBe(pretty);
  });
  it('honours NO_COLOR and turns colour off on a pipe', () => {
    expect(wantsColour({}, true)).toBe(true);
    expect(wantsColour({ NO_COLOR: '1' }, true)).toBe(false);
    expect(wantsColour({ NO_COLOR: '' }, true)).toBe(true);
    expect(wantsColour({}, false)).toBe(false);
  });
});
