import type { BatchStatistics } from './statistics.js';

/**
 * A batch's residuals of one feature, from its sufficient statistics: over its finite cells, with
 * d the deviations from the batch's mean, the residuals of a fit with covariate coefficients `coef`
 * at a level `shift` below the mean are r = d + shift - c.coef. Expanded about the batch's own
 * mean, these sums keep the digits of a batch whose values are tiny beside the others'.
 */

/**
 * Writes into `out` the sums over the batch's finite cells of feature v of c.coef, d (c.coef) and
 * (c.coef)^2 (`cb`, `cdb`, `cCc`), given those cells' covariate sums `sum` (q) and cross products
 * `cross` (q x q) and the coefficients `coef` (q).
 */
export function sumCovariateProducts(batch: BatchStatistics, v: number, sum: ArrayLike<number>, cross: ArrayLike<number>, coef: ArrayLike<number>, out: Float64Array): void {
  const q = coef.length;
  const V = batch.mean.length;
  let cb = 0;
  let cdb = 0;
  let cCc = 0;
  for (let k = 0; k < q; k++) {
    const bk = coef[k] as number;
    cb += (sum[k] as number) * bk;
    cdb += (batch.covariateValueSum[k * V + v] as number) * bk;
    for (let l = 0; l < q; l++) cCc += bk * (cross[k * q + l] as number) * (coef[l] as number);
  }
  out[0] = cb;
  out[1] = cdb;
  out[2] = cCc;
}

/** The sum of r over m finite cells (`deviations`: the sum of d; `cb` from {@link sumCovariateProducts}). */
export function sumResiduals(shift: number, m: number, deviations: number, cb: number): number {
  return deviations + m * shift - cb;
}

/** The sum of r^2 over m finite cells (`squares`: the sum of d^2; the products from {@link sumCovariateProducts}). */
export function sumSquaredResiduals(shift: number, m: number, deviations: number, squares: number, cb: number, cdb: number, cCc: number): number {
  return squares + m * shift * shift + 2 * shift * deviations + cCc - 2 * cdb - 2 * shift * cb;
}
