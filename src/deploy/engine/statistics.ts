// Pure statistics for side-by-side analysis: a two-proportion test (Fisher's exact test when counts
// are small), the Mann–Whitney rank test, quantiles and the normal CDF. Numbers in, numbers out.

/** Result of a one-sided test that the candidate (A) is worse than the baseline (B). */
export interface ProportionTest {
  /** Pooled two-proportion z score; positive when A's rate is higher. */
  z: number;
  /** One-sided p-value for "A's rate is higher than B's". */
  pValue: number;
  /** 'z': normal approximation; 'fisher': exact test, used when an expected cell count is below 5. */
  method: 'z' | 'fisher';
}

/** Result of a one-sided Mann–Whitney U test that sample `a` is stochastically greater than `b`. */
export interface RankTest {
  /** U statistic of `a` (number of pairs where a > b, ties counting one half). */
  u: number;
  /** Tie-corrected, continuity-corrected normal score of U. */
  z: number;
  /** One-sided p-value for "a tends to be greater than b". */
  pValue: number;
}

/** Result of a one-sided test that a sample's q-quantile lies above a bound. */
export interface QuantileTest {
  /** Samples above the bound. */
  above: number;
  n: number;
  /** One-sided p-value for "the q-quantile is above the bound": P(Binomial(n, 1 − q) ≥ above). */
  pValue: number;
}

/** Expected cell counts below this switch the proportion test to Fisher's exact test. */
export const MIN_EXPECTED_CELL = 5;

/** Standard normal cumulative distribution Φ(x); accurate to ~1e-7 relative error in both tails. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Complementary error function (Numerical Recipes `erfcc`, Chebyshev fit, fractional error
 * < 1.2e-7 everywhere), which keeps tail probabilities precise where `1 - Φ` would not.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/**
 * One-sided test that the candidate's failure rate (failA / nA) exceeds the baseline's (failB / nB).
 * Uses the pooled z test; when any expected cell count is below {@link MIN_EXPECTED_CELL} the
 * p-value comes from Fisher's exact test instead (conservative with small counts). Empty samples or
 * a pooled rate of 0 or 1 give z = 0 and p = 1: no evidence either way.
 */
export function twoProportionTest(failA: number, nA: number, failB: number, nB: number): ProportionTest {
  if (nA <= 0 || nB <= 0) return { z: 0, pValue: 1, method: 'z' };
  const pooled = (failA + failB) / (nA + nB);
  if (pooled <= 0 || pooled >= 1) return { z: 0, pValue: 1, method: 'z' };
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  const z = (failA / nA - failB / nB) / se;
  const smallest = Math.min(nA, nB) * Math.min(pooled, 1 - pooled);
  if (smallest < MIN_EXPECTED_CELL) {
    return { z, pValue: fisherUpperTail(failA, nA, failA + failB, nA + nB), method: 'fisher' };
  }
  return { z, pValue: normalCdf(-z), method: 'z' };
}

/**
 * Exact one-sided test that the q-quantile of the population `sample` comes from lies above `bound`
 * (the binomial test on order statistics, distribution-free). If the q-quantile were at or below
 * the bound, each value would exceed it with probability at most 1 − q, so the count above it is at
 * most Binomial(n, 1 − q); a count improbably high for that is evidence the quantile is above it.
 * An empty sample gives p = 1.
 */
export function quantileAboveTest(sample: readonly number[], bound: number, q: number): QuantileTest {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile q must be within (0, 1), got ${q}`);
  const n = sample.length;
  const above = sample.filter((v) => v > bound).length;
  if (n === 0 || above === 0) return { above, n, pValue: 1 };
  return { above, n, pValue: binomialUpperTail(above, n, 1 - q) };
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p): how improbable `k` or more failures in `n` trials are when each
 * fails with probability `p`, the exact one-sided test that a failure rate exceeds `p`. k ≤ 0 gives 1.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let tail = 0;
  for (let i = k; i <= n; i++) tail += Math.exp(lnChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, tail);
}

/** P(X ≥ observed) for X ~ Hypergeometric(population, successes, draws). */
function fisherUpperTail(observed: number, draws: number, successes: number, population: number): number {
  const top = Math.min(successes, draws);
  const lnDenominator = lnChoose(population, draws);
  let p = 0;
  for (let x = observed; x <= top; x++) {
    p += Math.exp(lnChoose(successes, x) + lnChoose(population - successes, draws - x) - lnDenominator);
  }
  return Math.min(1, p);
}

function lnChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7). */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let sum = LANCZOS[0] ?? 1;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * One-sided Mann–Whitney U test that `a` is stochastically greater than `b` (e.g. candidate
 * latencies slower than baseline's), with average ranks for ties, the tie-corrected variance and a
 * continuity correction. An empty sample, or all values equal, gives z = 0 and p = 1.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): RankTest {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, pValue: 1 };
  const { rankSumA, tieTerm } = rankSum(a, b);
  const n = n1 + n2;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, pValue: 1 };
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return { u, z, pValue: normalCdf(-z) };
}

/** Sum of `a`'s ranks in the pooled sample (ties share their average rank) and Σ(t³ − t) over ties. */
function rankSum(a: readonly number[], b: readonly number[]): { rankSumA: number; tieTerm: number } {
  const pooled = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let start = 0; start < pooled.length;) {
    let end = start;
    while (end + 1 < pooled.length && pooled[end + 1]?.value === pooled[start]?.value) end++;
    const ties = end - start + 1;
    const averageRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (pooled[i]?.fromA) rankSumA += averageRank;
    tieTerm += ties ** 3 - ties;
    start = end + 1;
  }
  return { rankSumA, tieTerm };
}

/** The engine's quantile is the kit's leaf, so the gateway's charts draw with the one that judges. */
export { quantile } from '../../kit/quantile.js';

/**
 * The guard that keeps noise from stopping a good canary when tests run again every window: a
 * breach needs BOTH a small p-value AND an observed difference beyond the rule's threshold, so a
 * tiny-but-significant difference at high traffic, or a large-but-noisy one at low traffic, is not
 * a breach.
 */
export function isSignificantlyWorse(result: { pValue: number; difference: number }, limits: { alpha: number; minDifference: number }): boolean {
  return result.pValue < limits.alpha && result.difference > limits.minDifference;
}
