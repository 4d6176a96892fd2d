import { inverse, Matrix } from 'ml-matrix';
import { buildCrossProduct, isFullRank } from './design-matrix.js';
import { sumCovariateProducts, sumResiduals, sumSquaredResiduals } from './residual-sums.js';
import { allocateLocal, type Allocate } from './allocate.js';
import { finiteDesignSums, type CombatStatistics } from './statistics.js';

/**
 * The design's per-batch sums over all samples: counts (B), covariate sums (B x q) and cross
 * products (B x q x q), what X'X is built from.
 */
export interface DesignSums {
  readonly count: Float64Array;
  readonly covariateSum: Float64Array;
  readonly covariateCross: Float64Array;
}

/** The per-batch design sums of statistics. */
export function sumDesign(statistics: CombatStatistics): DesignSums {
  const q = statistics.coding.columns.length;
  const B = statistics.batches.length;
  const sums: DesignSums = { count: new Float64Array(B), covariateSum: new Float64Array(B * q), covariateCross: new Float64Array(B * q * q) };
  statistics.batches.forEach((batch, b) => {
    sums.count[b] = batch.samples;
    sums.covariateSum.set(batch.covariateSum, b * q);
    sums.covariateCross.set(batch.covariateCross, b * q * q);
  });
  return sums;
}

/**
 * The regression step of ComBat (section 2 of docs/combat-spec.md) and the per-batch sums of the
 * standardized data it produces, all from sufficient statistics. Values are relative to a
 * per-feature `origin` (the mean of the feature's finite values): `beta`'s intercept rows and
 * `alpha` are shifted by it, the rest does not depend on it.
 */
export interface Standardized {
  /** The value each feature was taken relative to. */
  readonly origin: Float64Array;
  /** Regression coefficients, p x V row-major (`beta[j * V + v]`): B batch rows, then q covariate rows. */
  readonly beta: Float64Array;
  /** Grand mean (sva's `grand.mean`) per feature. */
  readonly alpha: Float64Array;
  readonly varPooled: Float64Array;
  /** Per batch and feature (`b * V + v`): finite cells, and sums of s and s^2 over them. */
  readonly finiteCount: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  /** Per feature, one of {@link FIT}: whether the regression was solved and the data standardized. */
  readonly status: Uint8Array;
  /**
   * Per solved feature, the first batch (of two or more finite cells) whose residuals have zero
   * variance to rounding (the covariates fit its values exactly), else -1.
   */
  readonly flatBatch: Int32Array;
}

/**
 * The outcome of a feature's regression: `solved`; `singular` (its finite rows do not determine
 * the coefficients); `exactFit` (the residual variance is zero to rounding); `overflow` (a sum,
 * coefficient or standardized sum is not finite: values too large for float64 arithmetic).
 */
export const FIT = { solved: 0, singular: 1, exactFit: 2, overflow: 3 } as const;

/** Per batch, the position of each feature with missing cells in `missingSums`. */
export function indexMissing(statistics: CombatStatistics): Map<number, number>[] {
  return statistics.batches.map((batch) => new Map(Array.from(batch.missingFeatures, (v, j) => [v, j])));
}

/**
 * Fits every feature's regression on the design and standardizes, from the statistics' sums.
 * `ref` is the reference batch's index or null; `xtxInverse` the inverse of the complete-data X'X;
 * features with missing cells get their own. The statistics may be of a range of the features
 * (each feature's fit depends on its own sums alone); `allocate` gives the result's memory.
 */
export function standardize(statistics: CombatStatistics, design: DesignSums, ref: number | null, xtxInverse: Float64Array, allocate: Allocate = allocateLocal): Standardized {
  const { features: V, batches } = statistics;
  const B = batches.length;
  const q = statistics.coding.columns.length;
  const p = B + q;
  const missingAt = indexMissing(statistics);
  const anyMissing = missingAt.some((map) => map.size > 0);
  const n = design.count.reduce((a, c) => a + c, 0);
  const result: Standardized = {
    origin: new Float64Array(allocate(V * 8)),
    beta: new Float64Array(allocate(p * V * 8)),
    alpha: new Float64Array(allocate(V * 8)),
    varPooled: new Float64Array(allocate(V * 8)),
    finiteCount: new Float64Array(allocate(B * V * 8)),
    s1: new Float64Array(allocate(B * V * 8)),
    s2: new Float64Array(allocate(B * V * 8)),
    status: new Uint8Array(allocate(V)),
    flatBatch: new Int32Array(allocate(V * 4)).fill(-1),
  };
  const count = new Float64Array(B);
  const covariateSum = new Float64Array(B * q);
  const covariateCross = new Float64Array(B * q * q);
  const sy = new Float64Array(B);
  const scy = new Float64Array(B * q);
  const scale = new Float64Array(B);
  const xty = new Float64Array(p);
  const beta = new Float64Array(p);
  // The covariate coefficients of the feature being fitted, and the products they give per batch.
  const coef = beta.subarray(B);
  const products = new Float64Array(3);
  // Each batch's part of the per-feature sums, as views made once.
  const sumOf = Array.from({ length: B }, (_, b) => covariateSum.subarray(b * q, (b + 1) * q));
  const crossOf = Array.from({ length: B }, (_, b) => covariateCross.subarray(b * q * q, (b + 1) * q * q));

  // Whether count, covariateSum and covariateCross differ from the design's (a feature with missing
  // cells changed them): only then are the design's copied back.
  let changed = true;
  for (let v = 0; v < V; v++) {
    let inv: Float64Array | null = xtxInverse;
    if (changed) {
      count.set(design.count);
      covariateSum.set(design.covariateSum);
      covariateCross.set(design.covariateCross);
      changed = false;
    }
    let missing = false;
    if (anyMissing) {
      for (let b = 0; b < B; b++) {
        const j = missingAt[b]!.get(v);
        if (j === undefined) continue;
        missing = true;
        changed = true;
        count[b] = finiteDesignSums(batches[b]!, j, sumOf[b]!, crossOf[b]!);
      }
    }
    if (missing) {
      const xtx = buildCrossProduct(B, q, ref, count, covariateSum, covariateCross);
      inv = isFullRank(xtx, p) ? invert(xtx, p) : null;
    }
    for (let b = 0; b < B; b++) result.finiteCount[b * V + v] = count[b] as number;
    if (inv === null) {
      result.status[v] = FIT.singular;
      continue;
    }
    // Sums around a common origin, the mean of every finite value, moved from each batch's own mean.
    let cells = 0;
    let origin = 0;
    for (let b = 0; b < B; b++) {
      const m = count[b] as number;
      if (m === 0) continue;
      cells += m;
      origin += (m / cells) * ((batches[b]!.mean[v] as number) - origin);
    }
    result.origin[v] = origin;
    for (let b = 0; b < B; b++) {
      const batch = batches[b]!;
      const m = count[b] as number;
      const delta = m === 0 ? 0 : (batch.mean[v] as number) - origin;
      sy[b] = (batch.deviationSum[v] as number) + m * delta;
      for (let k = 0; k < q; k++) scy[b * q + k] = (batch.covariateValueSum[k * V + v] as number) + delta * (covariateSum[b * q + k] as number);
    }

    xty.fill(0);
    for (let b = 0; b < B; b++) {
      // A sample of batch b has its own batch column set, and the reference column (all ones).
      xty[b] += sy[b] as number;
      if (ref !== null && b !== ref) xty[ref] += sy[b] as number;
      for (let k = 0; k < q; k++) xty[B + k] += scy[b * q + k] as number;
    }
    let finite = true;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let l = 0; l < p; l++) s += (inv[j * p + l] as number) * (xty[l] as number);
      beta[j] = s;
      result.beta[j * V + v] = s;
      finite &&= Number.isFinite(s);
    }
    let alpha = 0;
    if (ref === null) {
      for (let b = 0; b < B; b++) alpha += ((design.count[b] as number) / n) * (beta[b] as number);
    } else {
      alpha = beta[ref] as number;
    }

    // Per batch, over its finite rows, around its own mean (so the expansions below keep the
    // digits of a batch whose values are tiny beside the others'): with
    // cb = sum c.betaC, cdb = sum d c.betaC and cCc = sum (c.betaC)^2, the residuals of a level L
    // (relative to the origin) are d + (delta - L) - c.betaC.
    let rssTotal = 0;
    let squaresTotal = 0;
    let cellsTotal = 0;
    for (let b = 0; b < B; b++) {
      const at = b * V + v;
      const m = count[b] as number;
      const batch = batches[b]!;
      const delta = m === 0 ? 0 : (batch.mean[v] as number) - origin;
      const eta = ref === null || b === ref ? (beta[b] as number) : (beta[b] as number) + (beta[ref] as number);
      sumCovariateProducts(batch, v, sumOf[b]!, crossOf[b]!, coef, products);
      const cb = products[0] as number;
      const cdb = products[1] as number;
      const cCc = products[2] as number;
      const squares = batch.squares[v] as number;
      const deviations = batch.deviationSum[v] as number;
      result.s1[at] = sumResiduals(delta - alpha, m, deviations, cb);
      result.s2[at] = sumSquaredResiduals(delta - alpha, m, deviations, squares, cb, cdb, cCc);
      scale[b] = squares + cCc;
      if (ref === null || ref === b) {
        rssTotal += sumSquaredResiduals(delta - eta, m, deviations, squares, cb, cdb, cCc);
        squaresTotal += squares + m * (delta - eta) * (delta - eta) + cCc;
        cellsTotal += m;
      }
    }
    const varPooled = rssTotal / cellsTotal;
    result.alpha[v] = alpha;
    result.varPooled[v] = varPooled;
    if (!finite || !Number.isFinite(alpha) || !Number.isFinite(squaresTotal) || !Number.isFinite(rssTotal)) {
      result.status[v] = FIT.overflow;
      continue;
    }
    // The residual sum of squares comes from expanded sums, so below a tiny fraction of the
    // terms it was expanded into it is rounding: the fit is exact and the variance is zero.
    if (!(rssTotal > NOISE_FLOOR * squaresTotal)) {
      result.status[v] = FIT.exactFit;
      continue;
    }
    const sd = Math.sqrt(varPooled);
    for (let b = 0; b < B; b++) {
      const at = b * V + v;
      const m = count[b] as number;
      const s1 = result.s1[at] as number;
      // The same floor within each batch: its residual sum of squares around its own mean.
      if (m >= 2 && result.flatBatch[v]! < 0 && !((result.s2[at] as number) - (s1 * s1) / m > NOISE_FLOOR * (scale[b] as number))) result.flatBatch[v] = b;
      result.s1[at] = s1 / sd;
      result.s2[at] = (result.s2[at] as number) / varPooled;
      if (!Number.isFinite(result.s1[at]) || !Number.isFinite(result.s2[at])) result.status[v] = FIT.overflow;
    }
  }
  return result;
}

/** Relative size under which a residual sum of squares is rounding error, not variance. */
export const NOISE_FLOOR = 1e-12;

/** Inverse of a full-rank p x p matrix (row-major). */
export function invert(matrix: Float64Array, p: number): Float64Array {
  return Float64Array.from(inverse(Matrix.from1DArray(p, p, Array.from(matrix))).to1DArray());
}
