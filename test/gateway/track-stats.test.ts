import { describe, expect, it } from 'vitest';
import { TrackStats, type TrackWindowStats } from '../../src/gateway/index.js';

const T0 = 1_700_000_000_000;

describe('track stats', () => {
  it('counts requests, errors, auth failures and unavailable answers per track', () => {
    const stats = new TrackStats();
    const answers: Array<[number, number]> = [
      [200, 10],
      [201, 12],
      [500, 40],
      [502, 2],
      [503, 1],
      [504, 900],
      [401, 3],
      [403, 4],
      [404, 5],
    ];
    for (const [status, ms] of answers) stats.record('video', 'canary', 'v2', status, ms, T0 + 100);
    stats.record('video', 'stable', 'v1', 200, 7, T0 + 200);
    stats.record('ai', 'stable', 'v1', 500, 7, T0 + 200);
    const window = stats.window('video', 999, T0 + 999);
    expect(window.canary).toEqual({ version: 'v2', requests: 9, errors: 4, authFailures: 2, unavailable: 3, latenciesMs: answers.map(([, ms]) => ms) });
    expect(window.stable).toEqual({ version: 'v1', requests: 1, errors: 0, authFailures: 0, unavailable: 0, latenciesMs: [7] });
    expect(window.blue).toBeUndefined();
  });
  it('covers the seconds that start within the last `windowMs` before `now` (and its own), and forgets what left the ring', () => {
    const stats = new TrackStats({ seconds: 10 });
    for (let s = 0; s < 30; s++) stats.record('video', 'stable', 'v1', 200, s, T0 + s * 1000);
    // From 25.5 s: not the second it falls in, whose answers may come before the window's start.
    expect(stats.window('video', 1_500, T0 + 27_000).stable?.latenciesMs).toEqual([26, 27]);
    expect(stats.window('video', 2_000, T0 + 27_000).stable?.latenciesMs).toEqual([25, 26, 27]);
    expect(stats.window('video', 29_000, T0 + 29_000).stable?.requests).toBe(10);
    expect(stats.window('video', 100_000, T0 + 100_000)).toEqual({});
  });
  it("gives each track's error rate and p95 per step since a time, a step without requests as nulls (the dashboard's charts)", () => {
    const stats = new TrackStats({ seconds: 60 });
    for (let ms = 1; ms <= 20; ms++) stats.record('video', 'stable', 'v1', 200, ms, T0 + 100);
    stats.record('video', 'canary', 'v2', 500, 300, T0 + 2_100);
    stats.record('video', 'canary', 'v2', 200, 100, T0 + 2_200);
    stats.record('ai', 'canary', 'v2', 500, 1, T0 + 2_100);
    const series = stats.timeline('video', T0, 2_000, T0 + 5_000);
    expect(series.stable).toEqual([
      { at: T0, requests: 20, errors: 0, errorRate: 0, p95Ms: 19.05 },
      { at: T0 + 2_000, requests: 0, errors: 0, errorRate: null, p95Ms: null },
      { at: T0 + 4_000, requests: 0, errors: 0, errorRate: null, p95Ms: null },
    ]);
    expect(series.canary?.map((p) => [p.requests, p.errorRate, p.p95Ms])).toEqual([
      [0, null, null],
      [2, 0.5, 290],
      [0, null, null],
    ]);
    // Never further back than the ring keeps.
    expect(stats.timeline('video', 0, 30_000, T0 + 5_000).stable?.[0]?.at).toBe(T0 + 5_000 - 59_000);
  });
  it('a bucket reused after a full turn of the ring starts empty', () => {
    const stats = new TrackStats({ seconds: 5 });
    stats.record('video', 'stable', 'v1', 500, 1, T0);
    stats.record('video', 'stable', 'v1', 200, 2, T0 + 5_000);
    expect(stats.window('video', 0, T0 + 5_000).stable).toMatchObject({ requests: 1, errors: 0, latenciesMs: [2] });
  });
  it('reports the version with most requests when a track changed version, summing all', () => {
    const stats = new TrackStats();
    stats.record('video', 'canary', 'v2', 500, 1, T0);
    for (let i = 0; i < 3; i++) stats.record('video', 'canary', 'v3', 200, 2, T0 + 1_000);
    expect(stats.window('video', 2_000, T0 + 2_000).canary).toMatchObject<Partial<TrackWindowStats>>({ version: 'v3', requests: 4, errors: 1 });
  });
  it('keeps a bounded uniform sample per second, and thins every second alike when joining them', () => {
    const stats = new TrackStats({ samplesPerBucket: 50 });
    for (let i = 0; i < 1_000; i++) stats.record('video', 'stable', 'v1', 200, 1_000, T0);
    for (let i = 0; i < 100; i++) stats.record('video', 'stable', 'v1', 200, 1, T0 + 1_000);
    const one = stats.window('video', 0, T0);
    expect([one.stable?.requests, one.stable?.latenciesMs.length]).toEqual([1_000, 50]);
    const both = stats.window('video', 1_000, T0 + 1_000).stable;
    const slow = both?.latenciesMs.filter((ms) => ms === 1_000).length ?? 0;
    const fast = both?.latenciesMs.filter((ms) => ms === 1).length ?? 0;
    // 1 000 slow and 100 fast requests: the sample keeps that 10:1 ratio (50 slow, 5 fast).
    expect([slow, fast]).toEqual([50, 5]);
  });
  it("fits the deploy engine's TrackWindow shape", () => {
    const stats: TrackWindowStats = { version: 'v1', requests: 1, errors: 0, authFailures: 0, unavailable: 0, latenciesMs: [1] };
    const engine: { version: string; requests: number; errors: number; authFailures: number; unavailable: number; latenciesMs: number[] } = stats;
    expect(engine).toBe(stats);
  });
});
