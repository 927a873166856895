// Plain-text tables for terminal output: columns padded to their widest cell, and on a terminal
// narrower than that, the widest columns cut (with …) until the table fits, as kubectl and docker
// do; off a terminal (a pipe, a file) nothing is cut.

/** A column is never cut below this, whatever the terminal: a table too wide still wraps then. */
const MIN_COLUMN = 8;
const GAP = 2;

/** The terminal's width when stdout is one, else none (nothing is cut). */
export const terminalWidth = (): number => (process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : Infinity);

/** Narrows the widest columns, one character at a time, until the row fits `width` or none can narrow. */
function fit(widths: number[], width: number): number[] {
  const out = [...widths];
  let total = out.reduce((a, b) => a + b, 0) + GAP * (out.length - 1);
  while (total > width) {
    const widest = out.reduce((best, w, i) => (w > out[best]! ? i : best), 0);
    if (out[widest]! <= MIN_COLUMN) break;
    out[widest]!--;
    total--;
  }
  return out;
}

const cut = (cell: string, width: number): string => (cell.length > width ? `${cell.slice(0, width - 1)}…` : cell);

export function formatTable(headers: string[], rows: string[][], width = terminalWidth()): string {
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const widths = fit(natural, width);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => cut(c, widths[i] ?? c.length).padEnd(widths[i] ?? 0))
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
