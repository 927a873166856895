// Latencies as counts in log-spaced buckets: counts from any number of gateway replicas add up in
// Redis (HINCRBY), where reservoir samples could not be merged without knowing each one's size.
// Buckets grow by 10 %, so a value read back (the bucket's geometric middle) is within 5 % of
// what was measured, close enough for a p95 the controller compares with a baseline's.

const RATIO = 1.1;
/** 1.1^130 ≈ 240 s: every latency the gateway can see (its upstream timeout is lower). */
const LAST = 130;
/** Samples a window hands the engine at most; the engine thins to fewer itself. */
export const MAX_SAMPLES = 10_000;

/** The bucket of a latency: 0 holds everything up to 1 ms. */
export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0;
  return Math.min(LAST, Math.ceil(Math.log(ms) / Math.log(RATIO)));
}

/** The value a bucket stands for: the geometric middle of its bounds. */
export function bucketValue(bucket: number): number {
  return RATIO ** (bucket - 0.5);
}

/**
 * A sample with the histogram's shape: each bucket's value as many times as it was counted, or,
 * over `max` in all, scaled down to `max` (largest remainders first), so quantiles keep.
 */
export function histogramSamples(counts: ReadonlyMap<number, number>, max = MAX_SAMPLES): number[] {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const scale = total > max ? max / total : 1;
  const shares = [...counts].map(([bucket, n]) => ({ bucket, exact: n * scale, take: Math.floor(n * scale) }));
  let left = Math.round(Math.min(total, max)) - shares.reduce((a, s) => a + s.take, 0);
  for (const s of [...shares].sort((a, b) => b.exact - b.take - (a.exact - a.take))) {
    if (left <= 0) break;
    s.take++;
    left--;
  }
  return shares.sort((a, b) => a.bucket - b.bucket).flatMap((s) => new Array<number>(s.take).fill(bucketValue(s.bucket)));
}
