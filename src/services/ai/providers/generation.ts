// One retry policy for every provider: a chain of targets (fallbacks) tried in order, each with
// retries and exponential backoff honouring Retry-After, a deadline per attempt (for streams: to
// the first token and between tokens), a concurrency limit and a circuit breaker. A stream picks
// its target before the first byte reaches the client; later failures surface to the caller.
import { setTimeout as sleep } from 'node:timers/promises';
import { createSemaphore, Problem, type Semaphore } from '../../../kit/index.js';
import { toProviderError } from './provider-errors.js';
import { PROVIDER_NAMES, type ChatChunk, type ChatRequest, type ChatResult, type Provider, type ProviderName } from './provider.js';
import { createCircuitBreaker, type BreakerState, type CircuitBreaker } from './resilience.js';

export interface Target {
  provider: ProviderName;
  model: string;
}
export interface AttemptFailure {
  provider: ProviderName;
  model: string;
  reason: string;
}

export interface GenerationOptions {
  providers: Record<ProviderName, Provider>;
  timeoutMs: Record<string, number>;
  concurrency: Record<string, number>;
  retries: number;
  breaker: { failures: number; cooldownMs: number };
  /** Longest Retry-After honoured on the same provider; a longer one moves on to the next target. Default 10 s. */
  maxRetryWaitMs?: number;
  /** First backoff step; doubles per retry, with jitter. Default 250 ms. */
  backoffMs?: number;
  onFailure?: (failure: AttemptFailure & { attempt: number }) => void;
  now?: () => number;
}

export interface OpenedStream {
  target: Target;
  failures: AttemptFailure[];
  chunks: AsyncGenerator<ChatChunk>;
}

export interface Generation {
  generate(targets: Target[], req: Omit<ChatRequest, 'model'>, signal: AbortSignal): Promise<{ target: Target; result: ChatResult; failures: AttemptFailure[] }>;
  /** Any other provider call (embeddings, moderation) under the same chain, retries, breaker and limits. */
  run<T>(targets: Target[], signal: AbortSignal, call: (provider: Provider, target: Target, signal: AbortSignal) => Promise<T>): Promise<{ target: Target; value: T; failures: AttemptFailure[] }>;
  openStream(targets: Target[], req: Omit<ChatRequest, 'model'>, signal: AbortSignal): Promise<OpenedStream>;
  state(provider: ProviderName): { breaker: BreakerState; inFlight: number };
}

interface Guard {
  signal: AbortSignal;
  touch(): void;
  timedOut(): boolean;
  dispose(): void;
}

function createGuard(outer: AbortSignal, timeoutMs: number, release: () => void): Guard {
  const ctl = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      ctl.abort(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  };
  const onOuter = () => ctl.abort(outer.reason);
  outer.addEventListener('abort', onOuter, { once: true });
  arm();
  let disposed = false;
  return {
    signal: ctl.signal,
    touch: arm,
    timedOut: () => timedOut,
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuter);
      release();
    },
  };
}

/** Waits `ms` unless the caller goes away first; then rejects with the caller's own reason, as a provider call would. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch((err: unknown) => {
    throw signal.reason instanceof Error ? signal.reason : err;
  });
}

export function createGeneration(options: GenerationOptions): Generation {
  const now = options.now ?? Date.now;
  const maxWait = options.maxRetryWaitMs ?? 10_000;
  const backoff = (attempt: number) => Math.min(8_000, (options.backoffMs ?? 250) * 2 ** attempt) * (0.5 + Math.random() / 2);
  const pick = (table: Record<string, number>, name: string) => table[name] ?? table['*'] ?? 60_000;
  const guards = Object.fromEntries(
    PROVIDER_NAMES.map((n) => [
      n,
      {
        breaker: createCircuitBreaker(options.breaker),
        semaphore: createSemaphore(pick(options.concurrency, n)),
      },
    ]),
  ) as Record<ProviderName, { breaker: CircuitBreaker; semaphore: Semaphore }>;

  async function acquire(target: Target, outer: AbortSignal, timeoutMs: number): Promise<Guard | string> {
    const { semaphore } = guards[target.provider];
    const free = semaphore.tryAcquire();
    if (free !== null) return createGuard(outer, timeoutMs, free);
    try {
      const release = await semaphore.acquire(AbortSignal.any([outer, AbortSignal.timeout(timeoutMs)]));
      return createGuard(outer, timeoutMs, release);
    } catch (err) {
      if (outer.aborted) throw err;
      return `busy: ${semaphore.inFlight()} requests in flight for ${timeoutMs} ms`;
    }
  }

  /** Tries each target in turn; `hold` keeps the winning attempt's guard for the caller to dispose. */
  async function runChain<T>(targets: Target[], outer: AbortSignal, call: (p: Provider, t: Target, g: Guard) => Promise<T>, hold: boolean) {
    const failures: AttemptFailure[] = [];
    const waits: number[] = [];
    for (const target of targets) {
      const provider = options.providers[target.provider];
      const { breaker } = guards[target.provider];
      const timeoutMs = pick(options.timeoutMs, target.provider);
      const fail = (reason: string) => failures.push({ ...target, reason });
      if (provider.disabledReason !== null) {
        fail(provider.disabledReason);
        continue;
      }
      for (let attempt = 0; ; attempt++) {
        const refusal = breaker.refusal(now());
        if (refusal !== null) {
          fail(refusal);
          waits.push(breaker.snapshot(now()).openUntil! - now());
          break;
        }
        const guard = await acquire(target, outer, timeoutMs);
        if (typeof guard === 'string') {
          fail(guard);
          break;
        }
        try {
          const value = await call(provider, target, guard);
          breaker.success();
          if (!hold) guard.dispose();
          return { value, target, failures, guard };
        } catch (err) {
          guard.dispose();
          if (outer.aborted) throw err;
          const pe = toProviderError(target.provider, err, { timedOut: guard.timedOut(), timeoutMs });
          if (pe.details.providerFault) breaker.failure(now());
          options.onFailure?.({ ...target, reason: pe.message, attempt });
          const wait = pe.details.retryAfterMs ?? backoff(attempt);
          if (pe.details.retryAfterMs !== undefined) waits.push(pe.details.retryAfterMs);
          if (!pe.details.retryable || attempt >= options.retries || wait > maxWait) {
            fail(wait > maxWait && pe.details.retryable ? `${pe.message} (asked to retry after ${Math.ceil(wait / 1000)} s)` : pe.message);
            break;
          }
          await pause(wait, outer);
        }
      }
    }
    const retryAfter = waits.length > 0 ? Math.max(1, Math.ceil(Math.min(...waits) / 1000)) : null;
    throw new Problem('AI_PROVIDERS_UNAVAILABLE', `No provider could answer: ${failures.map((f) => `${f.provider} (${f.model}): ${f.reason}`).join('; ')}.`, {
      extensions: { providers: failures },
      ...(retryAfter === null ? {} : { headers: { 'retry-after': String(retryAfter) } }),
    });
  }

  async function* relay(first: ChatChunk[], rest: AsyncIterator<ChatChunk>, target: Target, guard: Guard): AsyncGenerator<ChatChunk> {
    const timeoutMs = pick(options.timeoutMs, target.provider);
    try {
      yield* first;
      if (first.some((c) => c.kind === 'done')) return;
      for (;;) {
        const next = await rest.next();
        if (next.done) return;
        guard.touch();
        yield next.value;
      }
    } catch (err) {
      const pe = toProviderError(target.provider, err, { timedOut: guard.timedOut(), timeoutMs });
      if (pe.details.providerFault) guards[target.provider].breaker.failure(now());
      options.onFailure?.({ ...target, reason: pe.message, attempt: -1 });
      throw pe;
    } finally {
      guard.dispose();
      await rest.return?.().catch(() => undefined);
    }
  }

  return {
    async generate(targets, req, signal) {
      const { value, target, failures } = await runChain(targets, signal, (p, t, g) => p.generate({ ...req, model: t.model }, g.signal), false);
      return { target, result: value, failures };
    },
    async run(targets, signal, call) {
      const { value, target, failures } = await runChain(targets, signal, (p, t, g) => call(p, t, g.signal), false);
      return { target, value, failures };
    },
    async openStream(targets, req, signal) {
      const { value, target, failures, guard } = await runChain(
        targets,
        signal,
        async (p, t, g) => {
          const it = p.stream({ ...req, model: t.model }, g.signal)[Symbol.asyncIterator]();
          const first: ChatChunk[] = [];
          for (;;) {
            const next = await it.next();
            if (next.done) break;
            g.touch();
            first.push(next.value);
            if (next.value.kind !== 'usage') break;
          }
          return { it, first };
        },
        true,
      );
      // A relay never started (the client left before the first read) never reaches its finally.
      signal.addEventListener('abort', () => guard.dispose(), { once: true });
      return { target, failures, chunks: relay(value.first, value.it, target, guard) };
    },
    state(provider) {
      return { breaker: guards[provider].breaker.snapshot(now()), inFlight: guards[provider].semaphore.inFlight() };
    },
  };
}
