import { refuseArgument } from '@combat/base/internal';
import { checkFitOptions } from './arguments.js';
import { shrinkBatch } from './batch-shrinkage.js';
import { checkDesignRank } from './confounding.js';
import { buildCrossProduct } from './design-matrix.js';
import { TooFewFeaturesError } from './errors.js';
import { checkFitBatches } from './levels.js';
import type { BatchEffects, CombatModel } from './model.js';
import { screenEstimates, screenFeatures } from './screening.js';
import { requireStatistics, type CombatStatistics } from './statistics.js';
import { invert, standardize, sumDesign, type Standardized } from './standardize.js';
import type { CombatOptions, CombatWarning } from './types.js';
import { buildManyLevelsWarnings, buildUnadjustedWarning, describeUnadjusted } from './warnings.js';

/**
 * Fits a model from sufficient statistics (of every training sample): checks the design, fits the
 * regression, screens the features (those that cannot be adjusted pass through, with a reason),
 * estimates the batch effects, shrinks them (parametric, non-parametric or no EB, optionally
 * mean-only) and aligns them to the reference batch when `options.refBatch` names one. The
 * statistics are not modified.
 *
 * @throws {@link InvalidArgumentError} when `statistics` is not statistics as an accumulator makes
 * them, or an option is of the wrong type.
 * @throws {@link TooFewBatchesError} when the statistics hold fewer than two batches.
 * @throws {@link UnknownBatchError} when `options.refBatch` is not one of the batches.
 * @throws {@link CovariateNameError} when two batch labels differ only in spaces or Unicode form.
 * @throws {@link ConfoundedDesignError} when the design is rank deficient (a covariate confounded
 * with batch or with the other covariates).
 * @throws {@link InvalidValueError} when a covariate's values are too large for float64 squares.
 * @throws {@link TooFewFeaturesError} when empirical Bayes has fewer than two adjustable features.
 *
 * @example
 * ```ts
 * const statistics = new CombatAccumulator(codeDesign(covariates), 3).add(matrix, covariates).statistics();
 * const { model: fitted, warnings } = finalizeModel(statistics, { parametric: true });
 * warnings; // []
 * fitted.batches.get('siteA')!.gammaStar; // model.batches.get('siteA')!.gammaStar
 * finalizeModel(new CombatAccumulator(codeDesign(covariates), 3).add(blockA, covariatesA).statistics());
 * // throws TooFewBatchesError: expected at least 2 batches; found 1 ("siteA")
 * ```
 */
export function finalizeModel(statistics: CombatStatistics, options: CombatOptions = {}): { model: CombatModel; warnings: CombatWarning[] } {
  requireStatistics(statistics, 'finalizeModel');
  checkFitOptions(options, 'finalizeModel');
  if (options.splines !== undefined) {
    refuseArgument('finalizeModel: options.splines', 'undefined: statistics carry their coding, splines included (code them with codeDesign)', options.splines);
  }
  const { coding, features: V } = statistics;
  const refBatch = options.refBatch ?? null;
  const labels = checkFitBatches(
    statistics.batches.map((batch) => batch.batch),
    refBatch,
  );
  const B = labels.length;
  const ref = refBatch === null ? null : labels.indexOf(refBatch);
  const eb = options.eb ?? true;
  const parametric = options.parametric ?? true;
  const maxIterations = options.maxIterations ?? 1000;
  const warnings: CombatWarning[] = [];

  const singletons = statistics.batches.filter((batch) => batch.samples === 1).map((batch) => batch.batch);
  const meanOnly = (options.meanOnly ?? false) || singletons.length > 0;
  if (singletons.length > 0) {
    warnings.push({
      code: 'singleton-batch',
      batches: singletons,
      message: `batch ${singletons.join(', ')} has a single sample: the whole fit switched to mean-only (as sva does)`,
    });
  }
  const design = sumDesign(statistics);
  warnings.push(...buildManyLevelsWarnings(coding, design.count.reduce((a, n) => a + n, 0)));
  checkDesignRank(coding, labels, design);
  const q = coding.columns.length;
  const xtx = buildCrossProduct(B, q, ref, design.count, design.covariateSum, design.covariateCross);
  const st = standardize(statistics, design, ref, invert(xtx, B + q));
  const screen = screenFeatures(statistics, st, meanOnly);
  const kept = findIndices(screen.cause, 0);
  if (eb && kept.length < 2) {
    const unadjusted = buildUnadjustedWarning(screen, labels);
    throw new TooFewFeaturesError(
      `empirical Bayes needs at least 2 adjustable features to estimate its priors; found ${kept.length}${unadjusted === null ? '' : ` (left unadjusted: ${describeUnadjusted(unadjusted.features, unadjusted.reasons)})`}`,
      // Without empirical Bayes a single adjustable feature is adjusted; with none, nothing would be.
      kept.length === 1 ? { remedy: { eb: false } } : {},
    );
  }

  const effects = statistics.batches.map((batch, b): BatchEffects => {
    const row = (a: Float64Array) => a.subarray(b * V, (b + 1) * V);
    const [gammaHat, deltaHat] = estimateBatchEffects(st, kept, b, ref, meanOnly, V);
    const sums = { finiteCount: row(st.finiteCount), s1: row(st.s1), s2: row(st.s2), gammaHat, deltaHat };
    const shrunk = shrinkBatch(kept, sums, { eb, parametric, meanOnly, reference: b === ref, maxIterations });
    if (!shrunk.converged) {
      warnings.push({
        code: 'not-converged',
        batch: batch.batch,
        change: shrunk.change,
        message: `parametric EB for batch ${batch.batch} stopped after ${maxIterations} iterations with relative change ${shrunk.change} (> 1e-4)`,
      });
    }
    const { gammaStar, deltaStar, priors } = shrunk;
    return { samples: batch.samples, training: true, gammaHat, deltaHat, gammaStar, deltaStar, ...priors, adjusted: new Uint8Array(V).fill(1) };
  });

  const covariatePart = unshift(st, B, q, V);
  screenEstimates(covariatePart, effects, screen);
  const unadjusted = buildUnadjustedWarning(screen, labels);
  const adjusted = new Uint8Array(V).fill(1);
  if (unadjusted !== null) {
    for (const v of unadjusted.features) {
      adjusted[v] = 0;
      covariatePart.varPooled[v] = NaN;
      covariatePart.grandMean[v] = NaN;
      for (let k = 0; k < q; k++) covariatePart.beta[k * V + v] = NaN;
      for (const batch of effects) {
        batch.adjusted[v] = 0;
        for (const a of [batch.gammaHat, batch.deltaHat, batch.gammaStar, batch.deltaStar]) a[v] = NaN;
      }
    }
    warnings.push(unadjusted);
  }
  const model: CombatModel = {
    features: V,
    coding,
    refBatch,
    options: { eb, parametric, meanOnly },
    ...covariatePart,
    adjusted,
    batches: new Map(labels.map((label, b) => [label, effects[b] as BatchEffects])),
  };
  return { model, warnings };
}

/** Indices where `flags` equals `value`. */
function findIndices(flags: Uint8Array, value: number): Int32Array {
  let count = 0;
  for (let v = 0; v < flags.length; v++) if (flags[v] === value) count++;
  const indices = new Int32Array(count);
  for (let v = 0, i = 0; v < flags.length; v++) if (flags[v] === value) indices[i++] = v;
  return indices;
}

/** Batch b's gammaHat (least squares of s on the batch columns) and deltaHat (sample variance of s). */
function estimateBatchEffects(st: Standardized, kept: Int32Array, b: number, ref: number | null, meanOnly: boolean, V: number): [Float64Array, Float64Array] {
  const gammaHat = new Float64Array(V);
  const deltaHat = new Float64Array(V);
  for (const v of kept) {
    const at = b * V + v;
    const m = st.finiteCount[at] as number;
    const s1 = st.s1[at] as number;
    const refMean = ref === null || ref === b ? 0 : (st.s1[ref * V + v] as number) / (st.finiteCount[ref * V + v] as number);
    gammaHat[v] = s1 / m - refMean;
    deltaHat[v] = meanOnly ? 1 : ((st.s2[at] as number) - (s1 * s1) / m) / (m - 1);
  }
  return [gammaHat, deltaHat];
}

/** The covariate part of the model: each feature's origin added back to the grand mean; the covariate rows of beta. */
function unshift(st: Standardized, B: number, q: number, V: number): { beta: Float64Array; grandMean: Float64Array; varPooled: Float64Array } {
  const grandMean = new Float64Array(V);
  for (let v = 0; v < V; v++) grandMean[v] = (st.alpha[v] as number) + (st.origin[v] as number);
  return { beta: st.beta.slice(B * V, (B + q) * V), grandMean, varPooled: st.varPooled.slice() };
}
