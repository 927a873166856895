// A child's output kept within a byte limit: its head (stdout a caller parses; what arrives past the
// limit is dropped and flagged) or its tail (stderr and logs, where the last lines say why). The one
// capper behind runProcess and the sandbox.

export class OutputCapture {
  private chunks: Buffer[] = [];
  private size = 0;
  /** More arrived than the limit (head: the excess was dropped; tail: older bytes were). */
  exceeded = false;

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

  private compact(): void {
    this.chunks = [this.value()];
    this.size = this.limit;
  }
}
