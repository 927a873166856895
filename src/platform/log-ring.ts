// The last lines an instance wrote, kept in memory for `pitchey logs`: bounded in lines and in
// line length, so a chatty or binary-spewing instance costs a fixed amount.
export interface LogRingOptions {
  /** Lines kept. Default 1000. */
  maxLines?: number;
  /** A longer line is cut here (marked with …). Default 8 KiB of characters. */
  maxLineLength?: number;
}

export class LogRing {
  private readonly lines: string[] = [];
  /** Per stream (stdout, stderr), so a line is never spliced from both. */
  private readonly partial = new Map<string, string>();
  private readonly maxLines: number;
  private readonly maxLineLength: number;

  constructor(options: LogRingOptions = {}) {
    this.maxLines = options.maxLines ?? 1000;
    this.maxLineLength = options.maxLineLength ?? 8192;
  }

  /** Takes a chunk of one stream's output; a line is kept once its newline arrives. */
  push(chunk: Buffer | string, stream = 'stdout'): void {
    const parts = ((this.partial.get(stream) ?? '') + chunk.toString()).split('\n');
    this.partial.set(stream, this.cut(parts.pop() ?? ''));
    for (const line of parts) this.keep(line);
  }

  /** The last `n` lines, oldest first, with lines still waiting for their newline at the end. */
  tail(n: number): string[] {
    const waiting = [...this.partial.values()].filter((p) => p !== '');
    return n <= 0 ? [] : [...this.lines, ...waiting].slice(-n);
  }

  private keep(line: string): void {
    this.lines.push(this.cut(line));
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  private cut(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
