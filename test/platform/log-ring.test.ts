// An instance's last lines for `pitchey logs`: bounded, per-stream partial lines, long lines cut.
import { describe, expect, it } from 'vitest';
import { LogRing } from '../../src/platform/log-ring.js';

describe('LogRing', () => {
  it('keeps the last lines only, oldest first, never a line cut by the byte bound', () => {
    const ring = new LogRing({ maxBytes: 6 });
    ring.push('1\n2\n3\n4\n');
    ring.push('5\n');
    expect(ring.tail(10)).toEqual(['3', '4', '5']);
    expect(ring.tail(2)).toEqual(['4', '5']);
    expect(ring.tail(0)).toEqual([]);
    const cut = new LogRing({ maxBytes: 7 });
    cut.push('one\ntwo\nsix\n');
    expect(cut.tail(10)).toEqual(['six']);
  });
  it('never splices stdout and stderr into one line, and shows a line still waiting for its newline', () => {
    const ring = new LogRing();
    ring.push('half of out', 'stdout');
    ring.push('an error\n', 'stderr');
    ring.push(' and the rest\n', 'stdout');
    ring.push('pending');
    expect(ring.tail(10)).toEqual(['an error', 'half of out and the rest', 'pending']);
  });
  it("leaves a line still waiting for its newline out of a follower's tail, which then gets it once, whole", () => {
    const ring = new LogRing();
    ring.push('done\nhalf');
    expect(ring.tail(10, false)).toEqual(['done']);
    const cursor = ring.cursor;
    ring.push(' and whole\n');
    expect(ring.since(cursor, 10)).toEqual(['half and whole']);
    expect(ring.tail(10)).toEqual(['done', 'half and whole']);
  });
  it('cuts a long line, however it arrives', () => {
    const ring = new LogRing({ maxLineLength: 10 });
    ring.push('x'.repeat(8));
    ring.push('y'.repeat(50));
    ring.push('\nshort\n');
    expect(ring.tail(5)).toEqual([`${'x'.repeat(8)}yy…`, 'short']);
  });
  it('gives a follower each whole line once, from its cursor on, and only what is still kept', () => {
    const ring = new LogRing({ maxBytes: 12 });
    ring.push('a\nb\n');
    const first = ring.cursor;
    expect(first).toBe(2);
    expect(ring.since(first, 10)).toEqual([]);
    ring.push('c\nhalf');
    expect(ring.since(first, 10)).toEqual(['c']); // the half line waits for its newline
    ring.push(' line\n');
    expect(ring.since(3, 10)).toEqual(['half line']);
    expect(ring.since(0, 2)).toEqual(['c', 'half line']); // at most the newest two
    ring.push('d\ne\nf\ng\n');
    expect(ring.since(2, 10)).toEqual(['d', 'e', 'f', 'g']); // 'c' and 'half line' were dropped by the byte bound
    expect(ring.since(999, 1)).toEqual(['g']); // another ring's cursor: from the start again
  });
});
