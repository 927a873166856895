// A child's output kept within a byte limit: its head (stdout a caller parses; what arrives past the
// limit is dropped and flagged) or its tail (stderr and logs, where the last lines say why). The one
// capper behind runProcess, the sandbox and the supervisor's log ring.

const NEWLINE = 0x0a;

export class OutputCapture {
  private chunks: Buffer[] = [];
  private size = 0;
  /** More arrived than the limit (head: the excess was dropped; tail: older bytes were). */
  exceeded = false;
  /** A tail's oldest kept byte is not the start of a line (compaction dropped the bytes before it). */
  private firstLineCut = false;

  constructor(
    private readonly limit: number,
    private readonly keep: 'head' | 'tail' = 'head',
  ) {}

  /** False once the output has gone past the limit (head: the caller may stop the producer). */
  add(chunk: Buffer): boolean {
    if (this.keep === 'tail') {
      this.chunks.push(chunk);
      this.size += chunk.length;
      if (this.size > this.limit) this.exceeded = true;
      if (this.size > this.limit * 2) this.compact();
      return !this.exceeded;
    }
    const room = this.limit - this.size;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.size = this.limit;
      this.exceeded = true;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  value(): Buffer {
    const all = Buffer.concat(this.chunks);
    return this.keep === 'tail' ? all.subarray(Math.max(0, all.length - this.limit)) : all;
  }

  /**
   * The last `n` whole lines of what is kept (a tail's first line is dropped once older bytes were,
   * as it may be cut); a line still waiting for its newline is the last one.
   */
  lines(n: number): string[] {
    if (n <= 0) return [];
    const all = Buffer.concat(this.chunks);
    const start = this.keep === 'tail' ? Math.max(0, all.length - this.limit) : 0;
    const lines = all.subarray(start).toString().split('\n');
    if (start > 0 ? all[start - 1] !== NEWLINE : this.firstLineCut) lines.shift();
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-n);
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const start = all.length - this.limit;
    this.firstLineCut = all[start - 1] !== NEWLINE;
    this.chunks = [all.subarray(start)];
    this.size = this.limit;
  }
}
