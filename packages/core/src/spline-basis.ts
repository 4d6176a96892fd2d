/**
 * Natural cubic splines (R's `splines::ns` spans the same space): cubic between the knots, twice
 * continuously differentiable, linear beyond the boundary knots. ComBat's output depends on the
 * span of the design's columns only, so any basis of the space does; this one is the truncated
 * power form of Hastie, Tibshirani and Friedman (The Elements of Statistical Learning, eq. 5.4-5.5),
 * its cubic parts taken in u = (x - a) / (b - a) for boundary knots a < b so that their values stay
 * near 1. With K interior knots it has K + 1 functions (the constant is left to the batch
 * columns): x itself (so the covariate's value is in the design exactly), and d_j(u) - d_{K}(u)
 * for j = 0 .. K - 1, where, over all knots t_0 = 0 < t_1 < ... < t_{K+1} = 1,
 * d_j(u) = ((u - t_j)_+^3 - (u - t_{K+1})_+^3) / (t_{K+1} - t_j).
 */

/** Interior and boundary knots in u: [0, t_1, ..., t_K, 1]. */
export function scaleKnots(knots: readonly number[], boundary: readonly [number, number]): Float64Array {
  const [a, b] = boundary;
  return Float64Array.from([a, ...knots, b], (t) => (t - a) / (b - a));
}

/**
 * Writes the K + 1 basis values at `x` into `out` from `offset`, given the knots in u from
 * {@link scaleKnots} and the boundary knots.
 */
export function evaluateNaturalSpline(x: number, scaled: Float64Array, boundary: readonly [number, number], out: Float64Array, offset: number): void {
  const [a, b] = boundary;
  const u = (x - a) / (b - a);
  const last = scaled.length - 1;
  const end = scaled[last] as number;
  const cube = (t: number) => (u > t ? (u - t) ** 3 : 0);
  const d = (j: number) => (cube(scaled[j] as number) - cube(end)) / (end - (scaled[j] as number));
  out[offset] = x;
  const dK = d(last - 1);
  for (let j = 0; j < last - 1; j++) out[offset + 1 + j] = d(j) - dK;
}

/**
 * The interior knots R's `ns(x, df)` chooses: df - 1 of them, at the quantiles 1/df, ..., (df-1)/df
 * of the values by R's default definition (type 7: linear between order statistics).
 */
export function quantileKnots(values: ArrayLike<number>, df: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  return Array.from({ length: df - 1 }, (_, k) => {
    const h = ((n - 1) * (k + 1)) / df;
    const low = Math.floor(h);
    const lo = sorted[low] as number;
    const hi = sorted[Math.min(low + 1, n - 1)] as number;
    return lo + (h - low) * (hi - lo);
  });
}
