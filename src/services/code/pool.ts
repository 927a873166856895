// At most `size` sandboxed runs at once; up to `queue` more wait their turn; beyond that the caller
// is told to come back (429 with Retry-After estimated from recent run times). A waiting run whose
// request is gone (its signal aborts) leaves the line and never starts its sandbox.
import { createSemaphore, Problem, SemaphoreFullError, type Semaphore } from '../../kit/index.js';

export class RunPool {
  private readonly slots: Semaphore;
  private recentMs = 1_000;

  constructor(
    readonly size: number,
    readonly queue: number,
  ) {
    this.slots = createSemaphore(size, queue);
  }

  stats(): { running: number; queued: number; size: number; queue: number } {
    return { running: this.slots.inFlight(), queued: this.slots.waiting(), size: this.size, queue: this.queue };
  }

  async use<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const release = await this.slots.acquire(signal).catch((err: unknown) => {
      throw err instanceof SemaphoreFullError ? this.full(err.waiting) : err;
    });
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.recentMs = this.recentMs * 0.8 + (performance.now() - started) * 0.2;
      release();
    }
  }

  private full(waiting: number): Problem {
    const retry = Math.max(1, Math.ceil(((waiting / this.size + 1) * this.recentMs) / 1000));
    return new Problem('QUEUE_FULL', `All ${this.size} sandbox slots are busy and ${waiting} runs are waiting; retry in ${retry} s.`, { headers: { 'retry-after': String(retry) } });
  }
}
