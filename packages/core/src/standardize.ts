import { inverse, Matrix } from 'ml-matrix';
import type { CombatAccumulator } from './accumulator.js';
import { buildCrossProduct, isFullRank } from './design-matrix.js';

/**
 * The regression step of ComBat (section 2 of docs/combat-spec.md) and the per-batch sums of the
 * standardized data it produces, all from sufficient statistics. Values are relative to a
 * per-feature `origin` (one of the batches' shifts): `beta`'s intercept rows and `alpha` are
 * shifted by it, the rest does not depend on it.
 */
export interface Standardized {
  /** The value each feature was taken relative to. */
  readonly origin: Float64Array;
  /** Regression coefficients, p x V row-major (`beta[j * V + v]`). */
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

/**
 * Fits every feature's regression on the design and standardizes, from the accumulator's sums.
 * `xtxInverse` is the inverse of the complete-data X'X; features with missing cells get their own.
 */
export function standardize(acc: CombatAccumulator, xtxInverse: Float64Array): Standardized {
  const V = acc.features;
  const B = acc.coding.batches.length;
  const q = acc.q;
  const p = B + q;
  const ref = acc.coding.refBatch === null ? null : acc.coding.batches.indexOf(acc.coding.refBatch);
  const n = acc.count.reduce((a, c) => a + c, 0);
  const result: Standardized = {
    origin: new Float64Array(V),
    beta: new Float64Array(p * V),
    alpha: new Float64Array(V),
    varPooled: new Float64Array(V),
    finiteCount: new Float64Array(B * V),
    s1: new Float64Array(B * V),
    s2: new Float64Array(B * V),
    status: new Uint8Array(V),
    flatBatch: new Int32Array(V).fill(-1),
  };
  const count = new Float64Array(B);
  const covariateSum = new Float64Array(B * q);
  const reducedCross = new Float64Array(B * q * q);
  const sy = new Float64Array(B);
  const syy = new Float64Array(B);
  const scy = new Float64Array(B * q);
  const xty = new Float64Array(p);
  const beta = new Float64Array(p);

  for (let v = 0; v < V; v++) {
    const missing = acc.missing.size > 0 ? acc.missing.get(v) : undefined;
    let inv: Float64Array | null = xtxInverse;
    let covariateCross = acc.covariateCross;
    acc.countFinite(v, count, covariateSum);
    if (missing !== undefined) {
      const stride = acc.missingStride;
      reducedCross.set(acc.covariateCross);
      for (let b = 0; b < B; b++) {
        for (let kl = 0; kl < q * q; kl++) reducedCross[b * q * q + kl] -= missing[b * stride + 1 + q + kl];
      }
      covariateCross = reducedCross;
      const xtx = buildCrossProduct(B, q, ref, count, covariateSum, covariateCross);
      inv = isFullRank(xtx, p) ? invert(xtx, p) : null;
    }
    for (let b = 0; b < B; b++) result.finiteCount[b * V + v] = count[b];
    if (inv === null) {
      result.status[v] = FIT.singular;
      continue;
    }
    const origin = findFirstShift(acc.shift, v, V, B);
    result.origin[v] = origin;
    acc.sumAround(v, origin, count, covariateSum, sy, syy, scy);

    xty.fill(0);
    for (let b = 0; b < B; b++) {
      // A sample of batch b has its own batch column set, and the reference column (all ones).
      xty[b] += sy[b];
      if (ref !== null && b !== ref) xty[ref] += sy[b];
      for (let k = 0; k < q; k++) xty[B + k] += scy[b * q + k];
    }
    let finite = true;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let l = 0; l < p; l++) s += inv[j * p + l] * xty[l];
      beta[j] = s;
      result.beta[j * V + v] = s;
      finite &&= Number.isFinite(s);
    }
    let alpha = 0;
    if (ref === null) {
      for (let b = 0; b < B; b++) alpha += (acc.count[b] / n) * beta[b];
    } else {
      alpha = beta[ref];
    }

    // Per batch, with cb = sum c.betaC, cyb = sum y c.betaC, cCc = sum (c.betaC)^2 over finite rows.
    let rssTotal = 0;
    let squaresTotal = 0;
    let cellsTotal = 0;
    for (let b = 0; b < B; b++) {
      const at = b * V + v;
      const m = count[b];
      const eta = ref === null || b === ref ? beta[b] : beta[b] + beta[ref];
      let cb = 0;
      let cyb = 0;
      let cCc = 0;
      for (let k = 0; k < q; k++) {
        const bk = beta[B + k];
        cb += covariateSum[b * q + k] * bk;
        cyb += scy[b * q + k] * bk;
        for (let l = 0; l < q; l++) cCc += bk * covariateCross[(b * q + k) * q + l] * beta[B + l];
      }
      result.s1[at] = sy[b] - m * alpha - cb;
      result.s2[at] = sumSquaredResiduals(alpha, m, sy[b], syy[b], cb, cyb, cCc);
      if (ref === null || ref === b) {
        rssTotal += sumSquaredResiduals(eta, m, sy[b], syy[b], cb, cyb, cCc);
        squaresTotal += syy[b];
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
    // (shifted) sum of squares it is rounding: the fit is exact and the variance is zero.
    if (!(rssTotal > NOISE_FLOOR * squaresTotal)) {
      result.status[v] = FIT.exactFit;
      continue;
    }
    const sd = Math.sqrt(varPooled);
    for (let b = 0; b < B; b++) {
      const at = b * V + v;
      const m = count[b];
      // The same floor within each batch: its residual sum of squares around its own mean.
      if (m >= 2 && result.flatBatch[v] < 0 && !(result.s2[at] - (result.s1[at] * result.s1[at]) / m > NOISE_FLOOR * syy[b])) result.flatBatch[v] = b;
      result.s1[at] /= sd;
      result.s2[at] /= varPooled;
      if (!Number.isFinite(result.s1[at]) || !Number.isFinite(result.s2[at])) result.status[v] = FIT.overflow;
    }
  }
  return result;
}

/** The first batch's shift of feature v that is set (0 when the feature has no finite value). */
function findFirstShift(shift: Float64Array, v: number, V: number, B: number): number {
  for (let b = 0; b < B; b++) if (shift[b * V + v] === shift[b * V + v]) return shift[b * V + v];
  return 0;
}

/** Relative size under which a residual sum of squares is rounding error, not variance. */
const NOISE_FLOOR = 1e-12;

/** Sum over a batch's finite rows of (y - level - c.betaC)^2, expanded into sufficient statistics. */
function sumSquaredResiduals(level: number, m: number, sy: number, syy: number, cb: number, cyb: number, cCc: number): number {
  return syy - 2 * level * sy - 2 * cyb + m * level * level + 2 * level * cb + cCc;
}

/** Inverse of a full-rank p x p matrix (row-major). */
export function invert(matrix: Float64Array, p: number): Float64Array {
  return Float64Array.from(inverse(Matrix.from1DArray(p, p, Array.from(matrix))).to1DArray());
}
