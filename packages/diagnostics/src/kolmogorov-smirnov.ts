/**
 * The one-sample, two-sided Kolmogorov-Smirnov test as R's `ks.test(x, cdf)` computes it: D is the
 * largest distance between the empirical distribution of the values and `cdf`; its p-value is
 * exact (Marsaglia, Tsang & Wang 2003, "Evaluating Kolmogorov's distribution", J. Stat. Softw.
 * 8(18), without their approximation of the far tail) for fewer than 100 values without ties, and
 * otherwise from Kolmogorov's limiting distribution of sqrt(n) D, its series summed until a term
 * changes the sum by at most 1e-6, where R stops. stdlib's `kstest` uses the approximation of the
 * far tail at every n and has no limiting form, so it does not give R's p-values.
 */

/**
 * A Kolmogorov-Smirnov test of estimates against their prior, as R's `ks.test` reports it: D (the
 * largest gap between the two distribution functions), its p-value, and whether the p-value is
 * exact (fewer than 100 values, no ties) or from the limiting distribution.
 *
 * @example
 * ```ts
 * const ks: KolmogorovSmirnov = (priorFit(model).batches[0]!.delta as PriorCheck).ks;
 * [ks.statistic.toFixed(6), ks.exact]; // ['0.292619', true]
 * ```
 */
export interface KolmogorovSmirnov {
  readonly statistic: number;
  readonly p: number;
  readonly exact: boolean;
}

/** Tests ascending finite values (at least one) against a continuous distribution function. */
export function kolmogorovSmirnov(sorted: Float64Array, cdf: (x: number) => number): KolmogorovSmirnov {
  const n = sorted.length;
  let statistic = 0;
  let ties = false;
  for (let i = 0; i < n; i++) {
    const x = sorted[i] as number;
    if (i > 0 && x === sorted[i - 1]) ties = true;
    const distance = cdf(x) - i / n;
    statistic = Math.max(statistic, distance, 1 / n - distance);
  }
  const exact = n < 100 && !ties;
  const p = 1 - (exact ? kolmogorovExact(statistic, n) : kolmogorovLimit(Math.sqrt(n) * statistic));
  return { statistic, p: Math.min(1, Math.max(0, p)), exact };
}

/**
 * P(D_n < d) for n values, by Marsaglia, Tsang and Wang's matrix: with k = floor(n d) + 1,
 * m = 2k - 1 and h = k - n d, the (k, k) entry of H^n times n! / n^n, H being the m x m matrix of
 * 1 / (i - j + 1)! on and below the first superdiagonal, with its first column and last row
 * corrected by powers of h. Powers are kept as a mantissa matrix and a power of 10.
 */
function kolmogorovExact(d: number, n: number): number {
  const k = Math.floor(n * d) + 1;
  const m = 2 * k - 1;
  const h = k - n * d;
  const H = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) H[i * m + j] = i - j + 1 < 0 ? 0 : 1;
  for (let i = 0; i < m; i++) {
    H[i * m] -= h ** (i + 1);
    H[(m - 1) * m + i] -= h ** (m - i);
  }
  H[(m - 1) * m] += 2 * h - 1 > 0 ? (2 * h - 1) ** m : 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i - j + 1 > 0) for (let g = 1; g <= i - j + 1; g++) H[i * m + j] /= g;
    }
  }
  const { matrix, exponent } = matrixPower(H, m, n);
  let s = matrix[(k - 1) * m + (k - 1)] as number;
  let e = exponent;
  for (let i = 1; i <= n; i++) {
    s = (s * i) / n;
    if (s < 1e-140) {
      s *= 1e140;
      e -= 140;
    }
  }
  return s * 10 ** e;
}

/** A * B of m x m matrices. */
function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let l = 0; l < m; l++) sum += (a[i * m + l] as number) * (b[l * m + j] as number);
      c[i * m + j] = sum;
    }
  }
  return c;
}

/** A^n as a matrix times 10^exponent, rescaled by 1e-140 whenever its middle entry passes 1e140. */
function matrixPower(a: Float64Array, m: number, n: number): { matrix: Float64Array; exponent: number } {
  if (n === 1) return { matrix: a.slice(), exponent: 0 };
  const half = matrixPower(a, m, n >> 1);
  let matrix = multiply(half.matrix, half.matrix, m);
  let exponent = 2 * half.exponent;
  if (n % 2 === 1) matrix = multiply(a, matrix, m);
  const middle = (m >> 1) * m + (m >> 1);
  if ((matrix[middle] as number) > 1e140) {
    for (let i = 0; i < m * m; i++) matrix[i] = (matrix[i] as number) * 1e-140;
    exponent += 140;
  }
  return { matrix, exponent };
}

/**
 * Kolmogorov's limiting distribution P(K < x): below 1, sqrt(2 pi) / x sum over odd k of
 * exp(-k^2 pi^2 / (8 x^2)) for k below sqrt(2 - log 1e-6); from 1, 1 - 2 sum (-1)^(k-1)
 * exp(-2 k^2 x^2) until a term changes the sum by at most 1e-6.
 */
function kolmogorovLimit(x: number): number {
  const tolerance = 1e-6;
  if (!(x > 0)) return 0;
  if (x < 1) {
    const kMax = Math.floor(Math.sqrt(2 - Math.log(tolerance)));
    const z = -((Math.PI / 2) * (Math.PI / 4)) / (x * x);
    const w = Math.log(x);
    let s = 0;
    for (let k = 1; k < kMax; k += 2) s += Math.exp(k * k * z - w);
    return s * Math.sqrt(2 * Math.PI);
  }
  const z = -2 * x * x;
  let sign = -1;
  let previous = 0;
  let sum = 1;
  for (let k = 1; Math.abs(previous - sum) > tolerance; k++) {
    previous = sum;
    sum += 2 * sign * Math.exp(z * k * k);
    sign = -sign;
  }
  return sum;
}
