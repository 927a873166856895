// At most `limit` holders at once; the rest wait in line, first come first served. A waiter whose
// signal aborts leaves the line and never gets a slot, so work queued for a request that is gone
// never starts. The line may be bounded; the caller decides what "full" means to its clients.

/** Gives the slot back; calling it again does nothing. */
export type Release = () => void;

export interface Semaphore {
  /** A release function when a slot is free now, else null. */
  tryAcquire(): Release | null;
  /**
   * Resolves a release function once a slot is free. Rejects with the signal's reason when it
   * aborts first (already aborted: at once), or with SemaphoreFullError when the line is full.
   */
  acquire(signal: AbortSignal): Promise<Release>;
  inFlight(): number;
  waiting(): number;
}

/** The line already holds as many waiters as it may. */
export class SemaphoreFullError extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} waiters already in line`);
    this.name = 'SemaphoreFullError';
  }
}

/** `queue` bounds the waiting line (default: unbounded, for callers whose signal carries a deadline). */
export function createSemaphore(limit: number, queue = Infinity): Semaphore {
  let active = 0;
  const line: Array<() => void> = [];
  const release = () => {
    active--;
    line.shift()?.();
  };
  const grant = (): Release => {
    active++;
    let done = false;
    return () => {
      if (!done) {
        done = true;
        release();
      }
    };
  };
  return {
    tryAcquire: () => (active < limit ? grant() : null),
    acquire(signal) {
      // The abort reason is passed on as it is, as fetch() and node:timers/promises do.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      if (signal.aborted) return Promise.reject(signal.reason);
      if (active < limit) return Promise.resolve(grant());
      if (line.length >= queue) return Promise.reject(new SemaphoreFullError(line.length));
      return new Promise((resolve, reject) => {
        const wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve(grant());
        };
        const onAbort = () => {
          line.splice(line.indexOf(wake), 1);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as above
          reject(signal.reason);
        };
        line.push(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    inFlight: () => active,
    waiting: () => line.length,
  };
}
