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
  /** Whole lines ever kept: a follower's cursor (`pitchey logs -f` asks for the lines after it). */
  private written = 0;

  constructor(options: LogRingOptions = {}) {
    this.kept = new OutputCapture(options.maxBytes ?? 1024 * 1024, 'tail');
    this.maxLineLength = options.maxLineLength ?? 8192;
  }

  /** Takes a chunk of one stream's output; a line is kept once its newline arrives. */
  push(chunk: Buffer | string, stream = 'stdout'): void {
    const parts = ((this.partial.get(stream) ?? '') + chunk.toString()).split('\n');
    this.partial.set(stream, this.cut(parts.pop() ?? ''));
    if (parts.length === 0) return;
    this.kept.add(Buffer.from(`${parts.map((line) => this.cut(line)).join('\n')}\n`));
    this.written += parts.length;
  }

  /** The cursor after the last whole line: what `since` takes to give only what comes next. */
  get cursor(): number {
    return this.written;
  }

  /**
   * Whole lines written after `cursor`, at most `max` (the newest), oldest first. Lines still
   * waiting for their newline are left for the next call, so a follower never sees one twice.
   * Lines the byte bound already dropped are gone: the follower gets the ones still kept.
   */
  since(cursor: number, max: number): string[] {
    // A cursor from beyond the end is another ring's (the platform restarted): start from the beginning.
    const fresh = Math.min(cursor > this.written ? this.written : this.written - cursor, max);
    return fresh <= 0 ? [] : this.kept.lines(fresh);
  }

  /**
   * The last `n` lines, oldest first, with lines still waiting for their newline at the end — or
   * without them (`waiting: false`) for a follower, who gets each once whole from `since`.
   */
  tail(n: number, waiting = true): string[] {
    const pending = waiting ? [...this.partial.values()].filter((p) => p !== '') : [];
    return n <= 0 ? [] : [...this.kept.lines(n), ...pending].slice(-n);
  }

  private cut(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
