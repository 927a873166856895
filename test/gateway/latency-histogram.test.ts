import { describe, expect, it } from 'vitest';
import { quantile } from '../../src/deploy/engine/index.js';
import { bucketValue, histogramSamples, latencyBucket } from '../../src/gateway/latency-histogram.js';
import { readPoolSettings } from '../../src/gateway/shared-traffic.js';

describe('latency histogram (summed over replicas in Redis)', () => {
  it.each([0, 0.4, 1, 1.05, 7, 250, 1_999, 60_000])('reads %d ms back within 5 %% (1 ms and under as one bucket)', (ms) => {
    const back = bucketValue(latencyBucket(ms));
    if (ms <= 1) expect(latencyBucket(ms)).toBe(0);
    else expect(Math.abs(back - ms) / ms).toBeLessThanOrEqual(0.05);
  });

  it('keeps every count under the cap, and the p95 when scaled down to it', () => {
    const counts = new Map([
      [latencyBucket(10), 9_000],
      [latencyBucket(100), 600],
      [latencyBucket(1_000), 400],
    ]);
    expect(histogramSamples(counts, 20_000)).toHaveLength(10_000);
    const scaled = histogramSamples(counts, 1_000);
    expect(scaled).toHaveLength(1_000);
    expect(scaled.filter((v) => v > 500)).toHaveLength(40);
    expect(quantile(scaled, 0.95)).toBeCloseTo(quantile(histogramSamples(counts, 20_000), 0.95), 6);
  });
});

describe('pool settings read back from Redis', () => {
  it('takes what a gateway stored and refuses anything else', () => {
    const stored = { weights: { stable: 30, canary: 70 }, sticky: true, tracks: { 'video-0': 'canary' } };
    expect(readPoolSettings(JSON.stringify(stored))).toEqual(stored);
    for (const bad of [
      'not json',
      'null',
      '{}',
      JSON.stringify({ ...stored, weights: { stable: -1 } }),
      JSON.stringify({ ...stored, weights: { purple: 1 } }),
      JSON.stringify({ ...stored, tracks: { a: 'x' } }),
    ])
      expect(readPoolSettings(bad)).toBeNull();
  });
});
