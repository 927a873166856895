// Per-provider guard: a circuit breaker that cools a failing provider down. (The concurrency limit
// is the kit's semaphore, its waiting line bounded by the caller's deadline.)

export interface BreakerState {
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  openUntil: number | null;
}

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
    success() {
      failures = 0;
      openUntil = null;
      trialInFlight = false;
    },
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
