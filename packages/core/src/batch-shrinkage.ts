import { estimatePriors, shrinkNonParametric, shrinkParametric, shrinkParametricMeanOnly, type Priors } from './empirical-bayes.js';

/** A batch's standardized sums and raw estimates, one value per feature. */
export interface StandardizedBatch {
  readonly finiteCount: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  readonly gammaHat: Float64Array;
  readonly deltaHat: Float64Array;
}

/** How a batch is shrunk: the fit's options, and whether it is the reference batch. */
export interface ShrinkMode {
  readonly eb: boolean;
  readonly parametric: boolean;
  readonly meanOnly: boolean;
  readonly reference: boolean;
  readonly maxIterations: number;
}

/** What {@link shrinkBatch} gives: the adjustment's estimates, the priors, the solver's outcome. */
export interface Shrunk {
  readonly gammaStar: Float64Array;
  readonly deltaStar: Float64Array;
  readonly priors: Priors;
  readonly converged: boolean;
  readonly change: number;
}

/**
 * One batch's gammaStar and deltaStar over the kept features (sections 3 and 4 of
 * docs/combat-spec.md): 0 and 1 for the reference batch, the raw estimates without empirical
 * Bayes, else non-parametric or parametric shrinkage with priors estimated across the kept
 * features (deltas 1 in mean-only mode). Other features are left 0.
 */
export function shrinkBatch(kept: Int32Array, sums: StandardizedBatch, mode: ShrinkMode): Shrunk {
  const V = sums.gammaHat.length;
  const gammaStar = new Float64Array(V);
  const deltaStar = new Float64Array(V);
  const estimated = kept.length >= 2 ? estimatePriors(kept, sums.gammaHat, sums.deltaHat) : { gammaBar: NaN, t2: NaN, aPrior: NaN, bPrior: NaN };
  const priors = mode.meanOnly ? { ...estimated, aPrior: NaN, bPrior: NaN } : estimated;
  let outcome = { converged: true, change: 0 };
  if (mode.reference) {
    // The reference batch is not adjusted (sva shrinks it too, then discards the result).
    for (const v of kept) deltaStar[v] = 1;
  } else if (!mode.eb) {
    for (const v of kept) {
      gammaStar[v] = sums.gammaHat[v] as number;
      deltaStar[v] = sums.deltaHat[v] as number;
    }
  } else if (!mode.parametric) {
    shrinkNonParametric(kept, sums.finiteCount, sums.s1, sums.s2, sums.gammaHat, sums.deltaHat, gammaStar, deltaStar);
    if (mode.meanOnly) for (const v of kept) deltaStar[v] = 1;
  } else if (mode.meanOnly) {
    shrinkParametricMeanOnly(kept, sums.gammaHat, estimated, gammaStar);
    for (const v of kept) deltaStar[v] = 1;
  } else {
    outcome = shrinkParametric(kept, sums.finiteCount, sums.s1, sums.s2, sums.gammaHat, sums.deltaHat, estimated, mode.maxIterations, gammaStar, deltaStar);
  }
  return { gammaStar, deltaStar, priors, ...outcome };
}
