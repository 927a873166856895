// At most `size` sandboxed runs at once; up to `queue` more wait their turn; beyond that the caller
// is told to come back (429 with Retry-After estimated from recent run times).
import { Problem } from '../../kit/index.js';

export class RunPool {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private recentMs = 1_000;

  constructor(readonly size: number, readonly queue: number) {}

  stats(): { running: number; queued: number; size: number; queue: number } {
    return { running: this.active, queued: this.waiting.length, size: this.size, queue: this.queue };
  }

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) {
      if (this.waiting.length >= this.queue) {
        const retry = Math.max(1, Math.ceil(((this.waiting.length / this.size) + 1) * this.recentMs / 1000));
        throw new Problem('QUEUE_FULL', `All ${this.size} sandbox slots are busy and ${this.waiting.length} runs are waiting; retry in ${retry} s.`, { headers: { 'retry-after': String(retry) } });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.recentMs = this.recentMs * 0.8 + (performance.now() - started) * 0.2;
      const next = this.waiting.shift();
      if (next) next(); else this.active--;
    }
  }
}
