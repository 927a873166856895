// Keeps the first `limit` bytes of a stream and says when more arrived than that.
export class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  exceeded = false;

  constructor(private readonly limit: number) {}

  /** False once the stream has gone past the limit (the excess is dropped). */
  add(chunk: Buffer): boolean {
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

  value(): Buffer { return Buffer.concat(this.chunks); }
}
