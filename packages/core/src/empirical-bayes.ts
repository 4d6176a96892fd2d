/**
 * Empirical Bayes shrinkage of the batch effects (sections 3 and 4 of docs/combat-spec.md), for one
 * batch at a time. Every function takes the batch's rows of the B x V arrays (length V, e.g. via
 * `subarray`) and the indices of the features that take part (`kept`); the shrinking ones write
 * the kept features at positions `first` to `last` of `kept` (a range of features, a worker's),
 * from that range's standardized sums. Other features are not read or written.
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
 * A batch's standardized sums of a range of features starting at feature `from`: `finiteCount`,
 * `s1` and `s2` of feature v at `v - from` (the whole batch's rows when `from` is 0).
 */
export interface RangeSums {
  readonly from: number;
  readonly finiteCount: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
}

/**
 * sva's `it.sol` for kept features `first` to `last` (positions in `kept`, whose standardized
 * sums are `sums`), after `done` iterations (0: after {@link startParametric}): alternate the
 * posterior mean of gamma and the posterior variance of delta, `sum2` from the sufficient
 * statistics `S2 - 2 g S1 + m g^2`, until `limit` iterations are done or, when `untilConverged`,
 * the largest relative change (divided by the signed previous value, as sva does) is at most
 * {@link CONVERGENCE}. Writes `gammaStar` and `deltaStar`; returns the largest change of each
 * iteration run. Each feature's iterations depend on its own values alone, but how many there are
 * on every feature's change: split by features, the iterations stop at the first whose largest
 * change over all the ranges is small.
 */
export function iterateParametric(
  kept: Int32Array,
  first: number,
  last: number,
  sums: RangeSums,
  gammaHat: Float64Array,
  priors: Priors,
  pointMass: number | null,
  gammaStar: Float64Array,
  deltaStar: Float64Array,
  done: number,
  limit: number,
  untilConverged: boolean,
): number[] {
  const changes: number[] = [];
  for (let iteration = done; iteration < limit && !(untilConverged && (changes.at(-1) ?? Infinity) <= CONVERGENCE); iteration++) {
    changes.push(stepParametric(kept, first, last, sums, gammaHat, priors, pointMass, gammaStar, deltaStar));
  }
  return changes;
}

/** sva's `conv` argument of `it.sol`. */
export const CONVERGENCE = 1e-4;

/** With no spread in deltaHat (an infinite `aPrior`) the inverse-gamma prior is a point mass at their mean: that mean, else null. */
export function findPointMass(kept: Int32Array, priors: Priors, deltaHat: Float64Array): number | null {
  return Number.isFinite(priors.aPrior) ? null : computeMeanAndVariance(kept, deltaHat)[0];
}

/** The start of {@link iterateParametric} for kept features `first` to `last` (positions in `kept`): the raw estimates. */
export function startParametric(kept: Int32Array, first: number, last: number, gammaHat: Float64Array, deltaHat: Float64Array, gammaStar: Float64Array, deltaStar: Float64Array): void {
  for (let i = first; i < last; i++) {
    gammaStar[kept[i]] = gammaHat[kept[i]];
    deltaStar[kept[i]] = deltaHat[kept[i]];
  }
}

/**
 * One iteration of {@link iterateParametric} for kept features `first` to `last` (positions in
 * `kept`, whose standardized sums are `sums`); returns their largest relative change (0 for none).
 */
export function stepParametric(
  kept: Int32Array,
  first: number,
  last: number,
  sums: RangeSums,
  gammaHat: Float64Array,
  priors: Priors,
  pointMass: number | null,
  gammaStar: Float64Array,
  deltaStar: Float64Array,
): number {
  const { gammaBar, t2, aPrior, bPrior } = priors;
  const { from, finiteCount, s1, s2 } = sums;
  let change = 0;
  for (let i = first; i < last; i++) {
    const v = kept[i];
    const m = finiteCount[v - from];
    const g = gammaStar[v];
    const d = deltaStar[v];
    const gNew = (t2 * m * gammaHat[v] + d * gammaBar) / (t2 * m + d);
    const sum2 = s2[v - from] - 2 * gNew * s1[v - from] + m * gNew * gNew;
    const dNew = pointMass ?? (sum2 / 2 + bPrior) / (m / 2 + aPrior - 1);
    const gChange = Math.abs(gNew - g) / g;
    const dChange = Math.abs(dNew - d) / d;
    if (gChange > change) change = gChange;
    if (dChange > change) change = dChange;
    gammaStar[v] = gNew;
    deltaStar[v] = dNew;
  }
  return change;
}

/**
 * Parametric shrinkage in mean-only mode: sva's `postmean(gammaHat, gammaBar, 1, 1, t2)`.
 * Writes `gammaStar` for kept features `first` to `last` (positions in `kept`).
 */
export function shrinkParametricMeanOnly(kept: Int32Array, first: number, last: number, gammaHat: Float64Array, priors: Priors, gammaStar: Float64Array): void {
  const { gammaBar, t2 } = priors;
  for (let i = first; i < last; i++) gammaStar[kept[i]] = (t2 * gammaHat[kept[i]] + gammaBar) / (t2 + 1);
}

/**
 * sva's `int.eprior` with the prior weights in log space, for kept features `first` to `last`
 * (positions in `kept`, whose standardized sums are `sums`): for each such feature v, a weighted
 * mean of the other kept features' gammaHat and deltaHat (all of them: `kept` lists every kept
 * feature), with weights the likelihood of v's standardized data under each other feature's
 * (gamma, delta): `log w_j = -(m/2) log(2 pi d_j) - (S2 - 2 g_j S1 + m g_j^2) / (2 d_j)`, taken
 * relative to the largest before exponentiating, so large batches do not underflow to 0/0.
 * O(K) per feature. Pass all-ones `deltaHat` for mean-only mode.
 */
export function shrinkNonParametric(
  kept: Int32Array,
  first: number,
  last: number,
  sums: RangeSums,
  gammaHat: Float64Array,
  deltaHat: Float64Array,
  gammaStar: Float64Array,
  deltaStar: Float64Array,
): void {
  const K = kept.length;
  const { from, finiteCount, s1, s2 } = sums;
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
  for (let i = first; i < last; i++) {
    const v = kept[i];
    const m = finiteCount[v - from];
    const S1 = s1[v - from];
    const S2 = s2[v - from];
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
      const w = expWeight(logWeight - largest);
      sumW += w;
      sumWG += w * g[j];
      sumWD += w * d[j];
    }
    gammaStar[v] = sumWG / sumW;
    deltaStar[v] = sumWD / sumW;
  }
}

const NEGLIGIBLE_LOG_WEIGHT = -50;

/**
 * e^x for the relative log weights of {@link shrinkNonParametric}, x from -50 to 0, within a few
 * units in the last place (the fixtures' 1e-9 is far wider), faster than `Math.exp`: with
 * -x = n + i/256 + r (n and i whole, 0 <= r < 1/256), e^-n and e^(-i/256) from tables times a
 * degree-5 Taylor polynomial of e^-r (its remainder below 1e-17). Other x (NaN, infinite, below
 * -51) go to `Math.exp`. Every thread runs this same code, so threaded fits stay bit-identical.
 */
function expWeight(x: number): number {
  const y = -x;
  if (!(y >= 0 && y <= 51)) return Math.exp(x);
  const n = Math.floor(y);
  const t = (y - n) * 256;
  const i = Math.floor(t);
  const r = (t - i) / 256;
  return (EXP_WHOLE[n] as number) * (EXP_FRACTION[i] as number) * (1 - r * (1 - r * (0.5 - r * (1 / 6 - r * (1 / 24 - r / 120)))));
}

/** e^-n for n = 0 to 51, and e^(-i/256) for i = 0 to 256. */
const EXP_WHOLE = Float64Array.from({ length: 52 }, (_, n) => Math.exp(-n));
const EXP_FRACTION = Float64Array.from({ length: 257 }, (_, i) => Math.exp(-i / 256));

function computeMeanAndVariance(kept: Int32Array, values: Float64Array): [number, number] {
  let mean = 0;
  for (let i = 0; i < kept.length; i++) mean += values[kept[i]];
  mean /= kept.length;
  let squares = 0;
  for (let i = 0; i < kept.length; i++) squares += (values[kept[i]] - mean) ** 2;
  return [mean, squares / (kept.length - 1)];
}
