// Tables fit the terminal: the widest columns are cut with … until the table fits; a pipe gets
// every cell whole.
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/cli/table.js';

const headers = ['ID', 'SERVICE', 'REASON'];
const rows = [
  ['dep-1', 'video', 'error-rate 4.1 % over 1 % for 30 s (canary 41/1000, stable 2/1000)'],
  ['dep-22', 'ai', 'promoted'],
];

describe('formatTable', () => {
  it('pads columns to their widest cell, and cuts nothing off a terminal', () => {
    const text = formatTable(headers, rows, Infinity);
    expect(text.split('\n')[0]).toBe('ID      SERVICE  REASON');
    expect(text).toContain(rows[0]![2]);
  });
  it('fits a narrow terminal by cutting the widest column, marking the cut', () => {
    const lines = formatTable(headers, rows, 50).split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(50);
    expect(lines[2]).toBe('dep-1   video    error-rate 4.1 % over 1 % for 30…');
    expect(lines[3]).toBe('dep-22  ai       promoted');
  });
  it('never cuts a column below 8 characters: a table that cannot fit keeps its columns readable', () => {
    const lines = formatTable(['A'.repeat(20), 'B'.repeat(20)], [['x'.repeat(20), 'y'.repeat(20)]], 10).split('\n');
    expect(lines[0]).toBe(`${'A'.repeat(7)}…  ${'B'.repeat(7)}…`);
  });
});
