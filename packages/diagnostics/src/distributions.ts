/**
 * Upper-tail probabilities of the F and chi-squared distributions, the p-values of the tests, from
 * stdlib's regularized incomplete beta and gamma functions (ports of Boost's). Each is computed as
 * the complement directly (the upper incomplete gamma, or the incomplete beta of the other tail),
 * never as 1 - cdf, so a p-value of 1e-300 keeps its digits instead of rounding to 0.
 */
import betainc from '@stdlib/math-base-special-betainc';
import gammainc from '@stdlib/math-base-special-gammainc';

/** P(X > x) for X chi-squared with `df` degrees of freedom, as R's `pchisq(x, df, lower.tail = FALSE)`. */
export function chiSquareUpper(x: number, df: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return gammainc(x / 2, df / 2, true, true);
}

/**
 * P(X > f) for X F-distributed with `df1` and `df2` degrees of freedom, as R's
 * `pf(f, df1, df2, lower.tail = FALSE)`: the regularized incomplete beta of whichever tail keeps
 * its argument away from 1, as R's pf chooses.
 */
export function fUpper(f: number, df1: number, df2: number): number {
  if (Number.isNaN(f)) return NaN;
  if (f <= 0) return 1;
  if (f === Infinity) return 0;
  const x = df1 * f;
  return x > df2 ? betainc(df2 / (df2 + x), df2 / 2, df1 / 2, true, false) : betainc(x / (df2 + x), df1 / 2, df2 / 2, true, true);
}
