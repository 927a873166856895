// Per-provider guards: a circuit breaker that cools a failing provider down, and a concurrency
// limit with a waiting line bounded by the caller's deadline.

export interface BreakerState { state: 'closed' | 'open' | 'half-open'; consecutiveFailures: number; openUntil: number | null }

export interface CircuitBreaker {
  /** Null when a call may go ahead, else why not. */
  refusal(now: number): string | null;
  success(): void;
  failure(now: number): void;
  snapshot(now: number): BreakerState;
}

export function createCircuitBreaker(options: { failures: number; cooldownMs: number }): CircuitBreaker {
  let failures = 0;
  let openUntil: number | null = null;
  let trialInFlight = false;
  return {
    refusal(now) {
      if (openUntil === null) return null;
      if (now < openUntil) return `cooling down for ${Math.ceil((openUntil - now) / 1000)} s after ${failures} consecutive failures`;
      if (trialInFlight) return 'cooling down: a trial request is in flight';
      trialInFlight = true;
      return null;
    },
    success() { failures = 0; openUntil = null; trialInFlight = false; },
    failure(now) {
      failures++;
      trialInFlight = false;
      if (failures >= options.failures) openUntil = now + options.cooldownMs;
    },
    snapshot(now) {
      const state = openUntil === null ? 'closed' : now < openUntil ? 'open' : 'half-open';
      return { state, consecutiveFailures: failures, openUntil };
    },
  };
}

export interface Semaphore {
  /** A release function when a slot is free now, else null. */
  tryAcquire(): (() => void) | null;
  /** Resolves a release function, or rejects when the signal aborts first. */
  acquire(signal: AbortSignal): Promise<() => void>;
  inFlight(): number;
}

export function createSemaphore(limit: number): Semaphore {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => { active--; waiting.shift()?.(); };
  const grant = () => { active++; let done = false; return () => { if (!done) { done = true; release(); } }; };
  return {
    tryAcquire: () => (active < limit ? grant() : null),
    acquire(signal) {
      if (active < limit) return Promise.resolve(grant());
      return new Promise((resolve, reject) => {
        const wake = () => { signal.removeEventListener('abort', onAbort); resolve(grant()); };
        const onAbort = () => { const i = waiting.indexOf(wake); if (i >= 0) waiting.splice(i, 1); reject(signal.reason); };
        waiting.push(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    inFlight: () => active,
  };
}
