// One quantile for the whole platform: the deploy engine judges with it and the gateway's charts
// draw with it, so a chart shows the figure that was judged. A leaf: it imports nothing, so even the
// pure deploy engine may import it.

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation between order statistics
 * (Hyndman–Fan type 7, as in R and NumPy). NaN for an empty list; throws RangeError for q outside [0, 1].
 */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be within [0, 1], got ${q}`);
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const low = sorted[lo] ?? NaN;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] ?? low;
  return low + (h - lo) * (high - low);
}
