/**
 * Empirical Bayes shrinkage of the batch effects (sections 3 and 4 of docs/combat-spec.md), for one
 * batch at a time. Every function takes the batch's rows of the B x V arrays (length V, e.g. via
 * `subarray`) and the indices of the features that take part (`kept`); other features are not read
 * or written.
 */

/** The hyperparameters of one batch's priors, estimated across the kept features. */
export interface Priors {
  readonly gammaBar: number;
  readonly t2: number;
  readonly aPrior: number;
  readonly bPrior: number;
}

/**
 * Method-of-moments priors: normal on gammaHat (mean `gammaBar`, variance `t2`) and inverse gamma
 * on deltaHat (`aPrior`, `bPrior`). Variances use the `n - 1` denominator, as sva does. When
 * deltaHat has no spread, `aPrior` and `bPrior` are Infinity (the prior is a point mass at its mean).
 */
export function estimatePriors(kept: Int32Array, gammaHat: Float64Array, deltaHat: Float64Array): Priors {
  const [gammaBar, t2] = computeMeanAndVariance(kept, gammaHat);
  const [m, spread] = computeMeanAndVariance(kept, deltaHat);
  // deltaHat equal to rounding (the reference batch's are all m/(m-1)): no spread, a point mass,
  // a = b = Infinity, rather than a 1e30 that depends on the order of summation.
  const s2 = spread <= (ROUNDING_SPREAD * m) ** 2 ? 0 : spread;
  return { gammaBar, t2, aPrior: (2 * s2 + m * m) / s2, bPrior: (m * s2 + m * m * m) / s2 };
}

/** A standard deviation of deltaHat below this fraction of their mean is rounding, not spread. */
const ROUNDING_SPREAD = 1e-12;

/**
 * sva's `it.sol`: alternate the posterior mean of gamma and the posterior variance of delta until
 * the largest relative change (divided by the signed previous value, as sva does) is at most
 * 1e-4, or `maxIterations` is reached. `sum2` comes from the sufficient statistics
 * `S2 - 2 g S1 + m g^2`. Writes `gammaStar` and `deltaStar`; returns whether it converged.
 */
export function shrinkParametric(
  kept: Int32Array,
  finiteCount: Float64Array,
  s1: Float64Array,
  s2: Float64Array,
  gammaHat: Float64Array,
  deltaHat: Float64Array,
  priors: Priors,
  maxIterations: number,
  gammaStar: Float64Array,
  deltaStar: Float64Array,
): { converged: boolean; change: number } {
  const { gammaBar, t2, aPrior, bPrior } = priors;
  // With no spread in deltaHat the inverse-gamma prior is a point mass at their mean.
  const pointMass = Number.isFinite(aPrior) ? null : computeMeanAndVariance(kept, deltaHat)[0];
  for (let i = 0; i < kept.length; i++) {
    gammaStar[kept[i]] = gammaHat[kept[i]];
    deltaStar[kept[i]] = deltaHat[kept[i]];
  }
  let change = Infinity;
  for (let iteration = 0; iteration < maxIterations && change > CONVERGENCE; iteration++) {
    change = 0;
    for (let i = 0; i < kept.length; i++) {
      const v = kept[i];
      const m = finiteCount[v];
      const g = gammaStar[v];
      const d = deltaStar[v];
      const gNew = (t2 * m * gammaHat[v] + d * gammaBar) / (t2 * m + d);
      const sum2 = s2[v] - 2 * gNew * s1[v] + m * gNew * gNew;
      const dNew = pointMass ?? (sum2 / 2 + bPrior) / (m / 2 + aPrior - 1);
      const gChange = Math.abs(gNew - g) / g;
      const dChange = Math.abs(dNew - d) / d;
      if (gChange > change) change = gChange;
      if (dChange > change) change = dChange;
      gammaStar[v] = gNew;
      deltaStar[v] = dNew;
    }
  }
  return { converged: change <= CONVERGENCE, change };
}

/** sva's `conv` argument of `it.sol`. */
const CONVERGENCE = 1e-4;

/**
 * Parametric shrinkage in mean-only mode: sva's `postmean(gammaHat, gammaBar, 1, 1, t2)`.
 * Writes `gammaStar` for the kept features.
 */
export function shrinkParametricMeanOnly(kept: Int32Array, gammaHat: Float64Array, priors: Priors, gammaStar: Float64Array): void {
  const { gammaBar, t2 } = priors;
  for (let i = 0; i < kept.length; i++) gammaStar[kept[i]] = (t2 * gammaHat[kept[i]] + gammaBar) / (t2 + 1);
}

/**
 * sva's `int.eprior` with the prior weights in log space: for each feature v, a weighted mean of
 * the other kept features' gammaHat and deltaHat, with weights the likelihood of v's standardized
 * data under each other feature's (gamma, delta):
 * `log w_j = -(m/2) log(2 pi d_j) - (S2 - 2 g_j S1 + m g_j^2) / (2 d_j)`, taken relative to the
 * largest before exponentiating, so large batches do not underflow to 0/0. O(K^2) per batch.
 * Pass all-ones `deltaHat` for mean-only mode.
 */
export function shrinkNonParametric(
  kept: Int32Array,
  finiteCount: Float64Array,
  s1: Float64Array,
  s2: Float64Array,
  gammaHat: Float64Array,
  deltaHat: Float64Array,
  gammaStar: Float64Array,
  deltaStar: Float64Array,
): void {
  const K = kept.length;
  // log w_j = S2 * P_j + S1 * Q_j + m * R_j
  const P = new Float64Array(K);
  const Q = new Float64Array(K);
  const R = new Float64Array(K);
  const g = new Float64Array(K);
  const d = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    const gj = gammaHat[kept[j]];
    const dj = deltaHat[kept[j]];
    g[j] = gj;
    d[j] = dj;
    P[j] = -1 / (2 * dj);
    Q[j] = gj / dj;
    R[j] = -0.5 * Math.log(2 * Math.PI * dj) - (gj * gj) / (2 * dj);
  }
  for (let i = 0; i < K; i++) {
    const v = kept[i];
    const m = finiteCount[v];
    const S1 = s1[v];
    const S2 = s2[v];
    // The largest log weight first, then the weights relative to it: weights below e^-50 of it
    // change the sums by less than rounding and are skipped (most of them, with many samples).
    let largest = -Infinity;
    for (let j = 0; j < K; j++) {
      const logWeight = S2 * P[j] + S1 * Q[j] + m * R[j];
      if (j !== i && logWeight > largest) largest = logWeight;
    }
    const floor = largest + NEGLIGIBLE_LOG_WEIGHT;
    let sumW = 0;
    let sumWG = 0;
    let sumWD = 0;
    for (let j = 0; j < K; j++) {
      const logWeight = S2 * P[j] + S1 * Q[j] + m * R[j];
      if (logWeight < floor || j === i) continue;
      const w = Math.exp(logWeight - largest);
      sumW += w;
      sumWG += w * g[j];
      sumWD += w * d[j];
    }
    gammaStar[v] = sumWG / sumW;
    deltaStar[v] = sumWD / sumW;
  }
}

const NEGLIGIBLE_LOG_WEIGHT = -50;

function computeMeanAndVariance(kept: Int32Array, values: Float64Array): [number, number] {
  let mean = 0;
  for (let i = 0; i < kept.length; i++) mean += values[kept[i]];
  mean /= kept.length;
  let squares = 0;
  for (let i = 0; i < kept.length; i++) squares += (values[kept[i]] - mean) ** 2;
  return [mean, squares / (kept.length - 1)];
}
