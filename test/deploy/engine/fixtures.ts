// Test data for the deploy engine: seeded latency samples, track windows, observations, and a
// player that feeds a sequence of inputs through the machine.
import type { DeploymentState, EngineInput, EngineResult, Observation, Track, TrackWindow } from '../../../src/deploy/engine/index.js';
import { advance } from '../../../src/deploy/engine/index.js';

/** Deterministic uniform numbers in [0, 1) (a 32-bit LCG), so no test depends on Math.random. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` latencies around `medianMs` (log-normal-ish spread), reproducible from `seed`. */
export function latencies(n: number, medianMs: number, seed: number): number[] {
  const next = seeded(seed);
  return Array.from({ length: n }, () => {
    const z = (next() + next() + next() + next() - 2) * Math.sqrt(3); // ≈ N(0, 1)
    return Math.round(medianMs * Math.exp(0.3 * z) * 10) / 10;
  });
}

/** A track window: `requests` requests, the given failures, and latencies around `medianMs`. */
export function win(version: string, requests: number, opts: { errors?: number; authFailures?: number; unavailable?: number; medianMs?: number; seed?: number } = {}): TrackWindow {
  return {
    version,
    requests,
    errors: opts.errors ?? 0,
    authFailures: opts.authFailures ?? 0,
    unavailable: opts.unavailable ?? 0,
    latenciesMs: latencies(requests, opts.medianMs ?? 50, opts.seed ?? 1),
  };
}

/** An observation at `at` over a 10 s window; every track listed is reported with one ready instance. */
export function obs(at: number, tracks: Partial<Record<Track, TrackWindow>>, instances?: Observation['instances']): Observation {
  const ready = Object.fromEntries(Object.keys(tracks).map((t) => [t, { ready: 1, total: 1 }]));
  return { at, windowMs: 10_000, tracks, instances: instances ?? ready };
}

export const observe = (at: number, tracks: Partial<Record<Track, TrackWindow>>, instances?: Observation['instances']): EngineInput => ({ kind: 'observe', observation: obs(at, tracks, instances) });

/** Healthy side-by-side traffic: both tracks alike, different seeds. */
export function healthy(at: number, candidate: Track, n = 200): EngineInput {
  return observe(at, { stable: win('v1', n, { seed: at + 1 }), [candidate]: win('v2', n, { seed: at + 2 }) });
}

/** Only the candidate serves (100 % step, or a switched blue-green). */
export function healthyAlone(at: number, candidate: Track, n = 200): EngineInput {
  return observe(at, { [candidate]: win('v2', n, { seed: at + 3 }) });
}

/** Deep-freeze, so a test fails if the engine mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Feed `[now, input]` pairs through `advance`, freezing every state and input; returns each result. */
export function play(start: EngineResult, inputs: Array<[number, EngineInput]>): EngineResult[] {
  const results: EngineResult[] = [];
  let state: DeploymentState = deepFreeze(start.state);
  for (const [now, input] of inputs) {
    const result = advance(state, deepFreeze(input), now);
    results.push(result);
    state = deepFreeze(result.state);
  }
  return results;
}

/** Action kinds in order, for compact expectations. */
export const kinds = (r: EngineResult): string[] => r.actions.map((a) => a.kind);
