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
  it('cuts a long line, however it arrives', () => {
    const ring = new LogRing({ maxLineLength: 10 });
    ring.push('x'.repeat(8));
    ring.push('y'.repeat(50));
    ring.push('\nshort\n');
    expect(ring.tail(5)).toEqual([`${'x'.repeat(8)}yy…`, 'short']);
  });
});
