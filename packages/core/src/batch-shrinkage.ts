import {
  CONVERGENCE,
  estimatePriors,
  findPointMass,
  iterateParametric,
  shrinkNonParametric,
  shrinkParametricMeanOnly,
  startParametric,
  type Priors,
  type RangeSums,
} from './empirical-bayes.js';

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
 * A batch's priors over the kept features (all of them, across every range): as estimated, what
 * the shrinkage uses (NaN with fewer than two), and as the model records them (`aPrior` and
 * `bPrior` NaN in mean-only mode); and the parametric solver's point mass (see
 * {@link findPointMass}).
 */
export function estimateBatchPriors(kept: Int32Array, gammaHat: Float64Array, deltaHat: Float64Array, meanOnly: boolean): { estimated: Priors; recorded: Priors; pointMass: number | null } {
  const estimated = kept.length >= 2 ? estimatePriors(kept, gammaHat, deltaHat) : { gammaBar: NaN, t2: NaN, aPrior: NaN, bPrior: NaN };
  return { estimated, recorded: meanOnly ? { ...estimated, aPrior: NaN, bPrior: NaN } : estimated, pointMass: findPointMass(kept, estimated, deltaHat) };
}

/** Whether a batch is shrunk by the parametric solver's iterations ({@link iterateParametric}). */
export function isIterative(mode: Omit<ShrinkMode, 'maxIterations'>): boolean {
  return !mode.reference && mode.eb && mode.parametric && !mode.meanOnly;
}

/**
 * A batch's gammaStar and deltaStar for kept features `first` to `last` (positions in `kept`,
 * whose standardized sums are `sums`; sections 3 and 4 of docs/combat-spec.md): 0 and 1 for the
 * reference batch, the raw estimates without empirical Bayes, else non-parametric or parametric
 * shrinkage with the priors `estimated` across every kept feature (deltas 1 in mean-only mode).
 * For the parametric solver ({@link isIterative}), its start: the iterations follow. Other
 * features are not written.
 */
export function shrinkKept(
  kept: Int32Array,
  first: number,
  last: number,
  sums: RangeSums,
  gammaHat: Float64Array,
  deltaHat: Float64Array,
  estimated: Priors,
  mode: Omit<ShrinkMode, 'maxIterations'>,
  gammaStar: Float64Array,
  deltaStar: Float64Array,
): void {
  const ones = (): void => {
    for (let i = first; i < last; i++) deltaStar[kept[i] as number] = 1;
  };
  if (mode.reference) {
    // The reference batch is not adjusted (sva shrinks it too, then discards the result).
    ones();
  } else if (!mode.eb) {
    for (let i = first; i < last; i++) {
      const v = kept[i] as number;
      gammaStar[v] = gammaHat[v] as number;
      deltaStar[v] = deltaHat[v] as number;
    }
  } else if (!mode.parametric) {
    shrinkNonParametric(kept, first, last, sums, gammaHat, deltaHat, gammaStar, deltaStar);
    if (mode.meanOnly) ones();
  } else if (mode.meanOnly) {
    shrinkParametricMeanOnly(kept, first, last, gammaHat, estimated, gammaStar);
    ones();
  } else {
    startParametric(kept, first, last, gammaHat, deltaHat, gammaStar, deltaStar);
  }
}

/**
 * One batch's gammaStar and deltaStar over the kept features of a whole matrix (see
 * {@link shrinkKept}), the parametric solver run until it converges or hits
 * `mode.maxIterations`. Other features are left 0.
 */
export function shrinkBatch(kept: Int32Array, sums: StandardizedBatch, mode: ShrinkMode): Shrunk {
  const V = sums.gammaHat.length;
  const gammaStar = new Float64Array(V);
  const deltaStar = new Float64Array(V);
  const { estimated, recorded, pointMass } = estimateBatchPriors(kept, sums.gammaHat, sums.deltaHat, mode.meanOnly);
  const range = { from: 0, finiteCount: sums.finiteCount, s1: sums.s1, s2: sums.s2 };
  shrinkKept(kept, 0, kept.length, range, sums.gammaHat, sums.deltaHat, estimated, mode, gammaStar, deltaStar);
  if (!isIterative(mode)) return { gammaStar, deltaStar, priors: recorded, converged: true, change: 0 };
  const changes = iterateParametric(kept, 0, kept.length, range, sums.gammaHat, estimated, pointMass, gammaStar, deltaStar, 0, mode.maxIterations, true);
  const change = changes.at(-1) ?? Infinity;
  return { gammaStar, deltaStar, priors: recorded, converged: change <= CONVERGENCE, change };
}
