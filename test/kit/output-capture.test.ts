// The one output capper: a head that drops (and flags) what comes past the limit, a tail that keeps
// the last bytes however much arrives, in bounded memory.
import { describe, expect, it } from 'vitest';
import { OutputCapture } from '../../src/kit/index.js';

describe('OutputCapture', () => {
  it('keeps the head up to the limit, splits the chunk that crosses it and flags the excess', () => {
    const c = new OutputCapture(10, 'head');
    expect(c.add(Buffer.from('hello '))).toBe(true);
    expect(c.exceeded).toBe(false);
    expect(c.add(Buffer.from('world and more'))).toBe(false);
    expect(c.add(Buffer.from('dropped'))).toBe(false);
    expect([c.value().toString(), c.exceeded]).toEqual(['hello worl', true]);
  });

  it('keeps the last bytes of a long tail, compacting as it goes', () => {
    const c = new OutputCapture(8, 'tail');
    for (let i = 0; i < 1000; i++) c.add(Buffer.from(`line ${i}\n`));
    expect(c.value().toString()).toBe('ine 999\n');
    expect(c.exceeded).toBe(true);
  });

  it('gives the last whole lines of a tail, dropping the one the limit cut', () => {
    const c = new OutputCapture(12, 'tail');
    for (let i = 0; i < 5; i++) c.add(Buffer.from(`line ${i}\n`));
    expect(c.lines(10)).toEqual(['line 4']);
    c.add(Buffer.from('part'));
    expect(c.lines(1)).toEqual(['part']);
    expect(new OutputCapture(64, 'tail').lines(3)).toEqual([]);
    const compacted = new OutputCapture(6, 'tail');
    for (let i = 0; i < 5; i++) compacted.add(Buffer.from(`a${i}\n`));
    expect(compacted.lines(5)).toEqual(['a3', 'a4']);
    const cutByCompaction = new OutputCapture(6, 'tail');
    for (let i = 0; i < 3; i++) cutByCompaction.add(Buffer.from(`aaa${i}\n`));
    expect(cutByCompaction.lines(5)).toEqual(['aaa2']);
  });

  it('is exact at the limit', () => {
    const c = new OutputCapture(4, 'head');
    expect(c.add(Buffer.from('abcd'))).toBe(true);
    expect([c.value().toString(), c.exceeded]).toEqual(['abcd', false]);
  });
});
