// The last lines an instance wrote, kept in memory for `pitchey logs`: bounded in bytes (the kit's
// one output capper) and in line length, so a chatty or binary-spewing instance costs a fixed amount.
import { OutputCapture } from '../kit/index.js';

export interface LogRingOptions {
  /** Bytes of whole lines kept, oldest dropped first. Default 1 MiB. */
  maxBytes?: number;
  /** A longer line is cut here (marked with …). Default 8 KiB of characters. */
  maxLineLength?: number;
}

export class LogRing {
  private readonly kept: OutputCapture;
  /** Per stream (stdout, stderr), so a line is never spliced from both. */
  private readonly partial = new Map<string, string>();
  private readonly maxLineLength: number;

  constructor(options: LogRingOptions = {}) {
    this.kept = new OutputCapture(options.maxBytes ?? 1024 * 1024, 'tail');
    this.maxLineLength = options.maxLineLength ?? 8192;
  }

  /** Takes a chunk of one stream's output; a line is kept once its newline arrives. */
  push(chunk: Buffer | string, stream = 'stdout'): void {
    const parts = ((this.partial.get(stream) ?? '') + chunk.toString()).split('\n');
    this.partial.set(stream, this.cut(parts.pop() ?? ''));
    if (parts.length > 0) this.kept.add(Buffer.from(`${parts.map((line) => this.cut(line)).join('\n')}\n`));
  }

  /** The last `n` lines, oldest first, with lines still waiting for their newline at the end. */
  tail(n: number): string[] {
    const waiting = [...this.partial.values()].filter((p) => p !== '');
    return n <= 0 ? [] : [...this.kept.lines(n), ...waiting].slice(-n);
  }

  private cut(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
