import { refuseArgument } from '@combat/base/internal';
import { CombatAccumulator } from './accumulator.js';
import { checkFitOptions } from './arguments.js';
import { checkDesignRank } from './confounding.js';
import { buildCrossProduct } from './design-matrix.js';
import { estimatePriors, shrinkNonParametric, shrinkParametricMeanOnly, shrinkParametric, type Priors } from './empirical-bayes.js';
import { EmptyInputError, TooFewFeaturesError } from './errors.js';
import type { CombatModel } from './model.js';
import { screenEstimates, screenFeatures } from './screening.js';
import { invert, standardize, type Standardized } from './standardize.js';
import type { CombatOptions, CombatWarning } from './types.js';
import { buildManyLevelsWarnings, describeUnadjusted, buildUnadjustedWarning } from './warnings.js';

/**
 * Options of a fit from accumulated statistics; the reference batch is part of the accumulator's
 * design coding.
 *
 * @example
 * ```ts
 * const options: FitOptions = { parametric: false };
 * const accumulator = new CombatAccumulator(codeDesign(covariates, { refBatch: 'siteA' }), 3).add(matrix, covariates);
 * finalizeModel(accumulator, options).model.options; // { eb: true, parametric: false, meanOnly: false }
 * ```
 */
export type FitOptions = Omit<CombatOptions, 'refBatch'>;

/**
 * Turns accumulated sufficient statistics into a fitted model: checks the design, fits the
 * regression, screens the features (those that cannot be adjusted pass through, with a reason),
 * estimates the batch effects, shrinks them (parametric, non-parametric or no EB, optionally
 * mean-only) and aligns to the reference batch. The accumulator is not modified. `options.refBatch`
 * may be given only when it is the accumulator's (the reference batch is part of the coding).
 *
 * @throws {@link InvalidArgumentError} when `acc` is not a CombatAccumulator, an option is of the
 * wrong type, or `options.refBatch` is not the accumulator's.
 * @throws {@link EmptyInputError} when a batch of the coding has no samples.
 * @throws {@link ConfoundedDesignError} when the design is rank deficient (a covariate confounded
 * with batch or with the other covariates).
 * @throws {@link InvalidValueError} when a covariate's values are too large for float64 squares.
 * @throws {@link TooFewFeaturesError} when empirical Bayes has fewer than two adjustable features.
 *
 * @example
 * ```ts
 * const accumulator = new CombatAccumulator(codeDesign(covariates), 3).add(matrix, covariates);
 * const { model: fitted, warnings } = finalizeModel(accumulator, { parametric: true });
 * warnings; // []
 * fitted.gammaStar; // model.gammaStar
 * finalizeModel(new CombatAccumulator(codeDesign(covariates), 3).add(blockA, covariatesA));
 * // throws EmptyInputError: every batch of the design needs samples; no samples were added for siteB
 * ```
 */
export function finalizeModel(acc: CombatAccumulator, options: FitOptions = {}): { model: CombatModel; warnings: CombatWarning[] } {
  checkFitArguments(acc, options);
  const { coding, features: V } = acc;
  const B = coding.batches.length;
  const eb = options.eb ?? true;
  const parametric = options.parametric ?? true;
  const maxIterations = options.maxIterations ?? 1000;
  const warnings: CombatWarning[] = [];

  const empty = coding.batches.filter((_, b) => acc.count[b] === 0);
  if (empty.length > 0) {
    throw new EmptyInputError(`every batch of the design needs samples; no samples were added for ${empty.join(', ')}`);
  }
  const singletons = coding.batches.filter((_, b) => acc.count[b] === 1);
  const meanOnly = (options.meanOnly ?? false) || singletons.length > 0;
  if (singletons.length > 0) {
    warnings.push({
      code: 'singleton-batch',
      batches: singletons,
      message: `batch ${singletons.join(', ')} has a single sample: the whole fit switched to mean-only (as sva does)`,
    });
  }

  warnings.push(...buildManyLevelsWarnings(coding, acc.count.reduce((a, n) => a + n, 0)));

  const ref = coding.refBatch === null ? null : coding.batches.indexOf(coding.refBatch);
  checkDesignRank(coding, acc.count, acc.covariateSum, acc.covariateCross);
  const xtx = buildCrossProduct(B, acc.q, ref, acc.count, acc.covariateSum, acc.covariateCross);
  const st = standardize(acc, invert(xtx, coding.columns.length));
  const screen = screenFeatures(acc, st, meanOnly);
  const kept = findIndices(screen.cause, 0);
  if (eb && kept.length < 2) {
    const unadjusted = buildUnadjustedWarning(screen, coding.batches);
    throw new TooFewFeaturesError(
      `empirical Bayes needs at least 2 adjustable features to estimate its priors; found ${kept.length}${unadjusted === null ? '' : ` (left unadjusted: ${describeUnadjusted(unadjusted.features, unadjusted.reasons)})`}`,
      // Without empirical Bayes a single adjustable feature is adjusted; with none, nothing would be.
      kept.length === 1 ? { remedy: { eb: false } } : {},
    );
  }

  const model = createEmptyModel(acc, { eb, parametric, meanOnly });
  estimateBatchEffects(st, kept, ref, meanOnly, model);
  for (let b = 0; b < B; b++) {
    const row = (a: Float64Array) => a.subarray(b * V, (b + 1) * V);
    const [gammaHat, deltaHat, gammaStar, deltaStar] = [row(model.gammaHat), row(model.deltaHat), row(model.gammaStar), row(model.deltaStar)];
    const priors: Priors = kept.length >= 2 ? estimatePriors(kept, gammaHat, deltaHat) : { gammaBar: NaN, t2: NaN, aPrior: NaN, bPrior: NaN };
    model.gammaBar[b] = priors.gammaBar;
    model.t2[b] = priors.t2;
    model.aPrior[b] = meanOnly ? NaN : priors.aPrior;
    model.bPrior[b] = meanOnly ? NaN : priors.bPrior;
    const [finiteCount, s1, s2] = [row(st.finiteCount), row(st.s1), row(st.s2)];
    if (b === ref) {
      // The reference batch is not adjusted (sva shrinks it too, then discards the result).
      for (const v of kept) {
        gammaStar[v] = 0;
        deltaStar[v] = 1;
      }
    } else if (!eb) {
      for (const v of kept) {
        gammaStar[v] = gammaHat[v];
        deltaStar[v] = deltaHat[v];
      }
    } else if (!parametric) {
      shrinkNonParametric(kept, finiteCount, s1, s2, gammaHat, deltaHat, gammaStar, deltaStar);
      if (meanOnly) for (const v of kept) deltaStar[v] = 1;
    } else if (meanOnly) {
      shrinkParametricMeanOnly(kept, gammaHat, priors, gammaStar);
      for (const v of kept) deltaStar[v] = 1;
    } else {
      const { converged, change } = shrinkParametric(kept, finiteCount, s1, s2, gammaHat, deltaHat, priors, maxIterations, gammaStar, deltaStar);
      if (!converged) {
        warnings.push({
          code: 'not-converged',
          batch: coding.batches[b],
          change,
          message: `parametric EB for batch ${coding.batches[b]} stopped after ${maxIterations} iterations with relative change ${change} (> 1e-4)`,
        });
      }
    }
  }

  unshift(acc, st, ref, model);
  screenEstimates(model, screen);
  const unadjusted = buildUnadjustedWarning(screen, coding.batches);
  if (unadjusted !== null) {
    markUnadjusted(model, unadjusted.features);
    warnings.push(unadjusted);
  }
  return { model, warnings };
}

/** The accumulator must be one; options as `harmonize` takes them, a reference batch only the coding's. */
function checkFitArguments(acc: unknown, options: unknown): void {
  if (!(acc instanceof CombatAccumulator)) refuseArgument('finalizeModel: acc', 'a CombatAccumulator', acc);
  checkFitOptions(options, 'finalizeModel');
  const refBatch = (options as CombatOptions | undefined)?.refBatch;
  if (refBatch !== undefined && (refBatch ?? null) !== acc.coding.refBatch) {
    refuseArgument('finalizeModel: options.refBatch', `undefined or the reference batch of the accumulator's design, ${JSON.stringify(acc.coding.refBatch)} (set it with codeDesign)`, refBatch);
  }
}

/** Indices where `flags` equals `value`. */
function findIndices(flags: Uint8Array, value: number): Int32Array {
  let count = 0;
  for (let v = 0; v < flags.length; v++) if (flags[v] === value) count++;
  const indices = new Int32Array(count);
  for (let v = 0, i = 0; v < flags.length; v++) if (flags[v] === value) indices[i++] = v;
  return indices;
}

/** gammaHat: least squares of s on the batch columns; deltaHat: per-batch sample variance of s. */
function estimateBatchEffects(st: Standardized, kept: Int32Array, ref: number | null, meanOnly: boolean, model: CombatModel): void {
  const { features: V, batches } = model;
  for (let b = 0; b < batches.length; b++) {
    for (const v of kept) {
      const at = b * V + v;
      const m = st.finiteCount[at];
      const s1 = st.s1[at];
      const refMean = ref === null || ref === b ? 0 : st.s1[ref * V + v] / st.finiteCount[ref * V + v];
      model.gammaHat[at] = s1 / m - refMean;
      model.deltaHat[at] = meanOnly ? 1 : (st.s2[at] - (s1 * s1) / m) / (m - 1);
    }
  }
}

/** Adds each feature's origin back to the grand mean and the intercept rows of beta. */
function unshift(acc: CombatAccumulator, st: Standardized, ref: number | null, model: CombatModel): void {
  const V = acc.features;
  const B = acc.coding.batches.length;
  model.beta.set(st.beta);
  model.varPooled.set(st.varPooled);
  for (let v = 0; v < V; v++) {
    const shift = st.origin[v];
    model.grandMean[v] = st.alpha[v] + shift;
    for (let b = 0; b < B; b++) if (ref === null || b === ref) model.beta[b * V + v] += shift;
  }
}

function markUnadjusted(model: CombatModel, skipped: readonly number[]): void {
  const V = model.features;
  const perFeature = [model.varPooled, model.grandMean];
  const perBatch = [model.gammaHat, model.deltaHat, model.gammaStar, model.deltaStar];
  for (const v of skipped) {
    model.adjusted[v] = 0;
    for (const a of perFeature) a[v] = NaN;
    for (let j = 0; j < model.coding.columns.length; j++) model.beta[j * V + v] = NaN;
    for (const a of perBatch) for (let b = 0; b < model.batches.length; b++) a[b * V + v] = NaN;
  }
}

function createEmptyModel(acc: CombatAccumulator, options: CombatModel['options']): CombatModel {
  const V = acc.features;
  const B = acc.coding.batches.length;
  return {
    features: V,
    coding: acc.coding,
    batches: acc.coding.batches,
    batchSizes: Array.from(acc.count),
    options,
    beta: new Float64Array(acc.coding.columns.length * V),
    varPooled: new Float64Array(V),
    grandMean: new Float64Array(V),
    gammaHat: new Float64Array(B * V),
    deltaHat: new Float64Array(B * V),
    gammaStar: new Float64Array(B * V),
    deltaStar: new Float64Array(B * V),
    gammaBar: new Float64Array(B),
    t2: new Float64Array(B),
    aPrior: new Float64Array(B),
    bPrior: new Float64Array(B),
    adjusted: new Uint8Array(V).fill(1),
  };
}
