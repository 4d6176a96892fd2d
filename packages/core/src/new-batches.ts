import { checkInteger, checkOptions, refuseArgument } from '@combat/base/internal';
import { CombatAccumulator } from './accumulator.js';
import { shrinkBatch } from './batch-shrinkage.js';
import { compareCodePoints } from './code-point-order.js';
import { encodeCovariates, type EncodedRows } from './design.js';
import { IncompatibleStatisticsError, TooFewFeaturesError, TooFewSamplesError } from './errors.js';
import { checkInputs } from './input-checks.js';
import { sortLevels } from './levels.js';
import type { BatchEffects, CombatModel } from './model.js';
import { requireModel } from './model-checks.js';
import { mapColumns, recodeBatch, uniteCodings } from './recode.js';
import { hasUsableEstimates, screenBatchFeature } from './screening.js';
import { sumCovariateProducts, sumResiduals, sumSquaredResiduals } from './residual-sums.js';
import { finiteDesignSums, requireStatistics, type BatchStatistics, type CombatStatistics } from './statistics.js';
import { NOISE_FLOOR, indexMissing } from './standardize.js';
import type { CombatWarning, Covariates, DataMatrix, UnadjustedCause, UnadjustedReason } from './types.js';
import { describeUnadjusted } from './warnings.js';

/**
 * Options of estimating new batches: the cap on the parametric solver's iterations (default 1000).
 * The rest (empirical Bayes, parametric, mean-only) is the model's.
 *
 * @example
 * ```ts
 * const options: EstimateOptions = { maxIterations: 200 };
 * estimateBatches(model, newSite, newSiteCovariates, options).model.batches.has('siteC'); // true
 * ```
 */
export interface EstimateOptions {
  readonly maxIterations?: number;
}

/**
 * Estimates the effects of batches the model has not seen from their samples, with the fit frozen
 * (ComBatFamily's `predict`, neuroHarmonize's out-of-sample sites): each sample is standardized
 * with the model's grand mean, its own covariates' effects and the pooled variance; a batch's
 * `gammaHat` and `deltaHat` are the mean and variance (n - 1) of its standardized values; with
 * empirical Bayes they are shrunk with the batch's own priors, estimated across its features, as a
 * training batch's are (parametric or not, mean-only or not, as the model was fitted). Returns a
 * new model with the batches added (`training: false`) and everything else unchanged; rows of
 * batches the model already has are not used. A feature a new batch cannot estimate (no value,
 * a single value, constant) passes through for that batch's samples, with a warning.
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind, or the
 * model is a CovBat model (its new batches cannot be estimated yet).
 * @throws {@link ModelFormatError} when `model` is not one a fit produces.
 * @throws {@link ShapeMismatchError}, {@link EmptyInputError}, {@link InvalidValueError} and
 * {@link UnknownCovariateError} when the data or covariates are not the model's, as
 * {@link applyCombat} does.
 * @throws {@link TooFewSamplesError} when a new batch has a single sample.
 * @throws {@link TooFewFeaturesError} when empirical Bayes has fewer than two features a new batch
 * can estimate.
 * @throws {@link CovariateNameError} when a new label differs from another only in spaces or
 * Unicode form.
 *
 * @example
 * ```ts
 * const { model: extended, warnings } = estimateBatches(model, newSite, newSiteCovariates);
 * [...extended.batches.keys()]; // ['siteA', 'siteB', 'siteC']
 * extended.batches.get('siteC')!.training; // false
 * extended.batches.get('siteC')!.samples; // 3
 * extended.grandMean; // model.grandMean
 * warnings; // []
 * ```
 */
export function estimateBatches(model: CombatModel, matrix: DataMatrix, covariates: Covariates, options: EstimateOptions = {}): { model: CombatModel; warnings: CombatWarning[] } {
  requireModel(model, 'estimateBatches');
  refuseCovbat(model, 'estimateBatches');
  checkInputs(matrix, covariates, model.features, 'estimateBatches');
  checkEstimateOptions(options, 'estimateBatches');
  return estimateFromRows(model, matrix, encodeCovariates(model.coding, covariates), options);
}

/**
 * {@link estimateBatches} from the new batches' statistics, accumulated with the model's coding
 * (or one whose levels the model's include): how a stream of new samples, or a site that shares
 * only statistics, adds its batch. Every batch of the statistics must be new to the model.
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind, or the
 * model is a CovBat model (its new batches cannot be estimated yet).
 * @throws {@link ModelFormatError} when `model` is not one a fit produces.
 * @throws {@link IncompatibleStatisticsError} when the statistics have another feature count,
 * other covariates or levels the model does not know, or a batch the model already has.
 * @throws {@link TooFewSamplesError}, {@link TooFewFeaturesError} as {@link estimateBatches} does.
 *
 * @example
 * ```ts
 * const statistics = new CombatAccumulator(model.coding, 3).add(newSite, newSiteCovariates).statistics();
 * estimateBatchesFromStatistics(model, statistics).model.batches.get('siteC')!.gammaStar; // estimateBatches(model, newSite, newSiteCovariates).model.batches.get('siteC')!.gammaStar
 * estimateBatchesFromStatistics(model, new CombatAccumulator(model.coding, 3).add(blockA, covariatesA).statistics());
 * // throws IncompatibleStatisticsError: batch siteA is already in the model; give statistics of new batches only
 * ```
 */
export function estimateBatchesFromStatistics(model: CombatModel, statistics: CombatStatistics, options: EstimateOptions = {}): { model: CombatModel; warnings: CombatWarning[] } {
  requireModel(model, 'estimateBatchesFromStatistics');
  refuseCovbat(model, 'estimateBatchesFromStatistics');
  requireStatistics(statistics, 'estimateBatchesFromStatistics');
  checkEstimateOptions(options, 'estimateBatchesFromStatistics');
  if (statistics.features !== model.features) {
    throw new IncompatibleStatisticsError(`statistics have ${statistics.features} features; the model has ${model.features}`);
  }
  const known = statistics.batches.find((batch) => model.batches.has(batch.batch));
  if (known !== undefined) throw new IncompatibleStatisticsError(`batch ${known.batch} is already in the model; give statistics of new batches only`);
  const united = uniteCodings(model.coding, statistics.coding);
  if (united.columns.length !== model.coding.columns.length || united.columns.some((column, k) => column !== model.coding.columns[k])) {
    throw new IncompatibleStatisticsError(`statistics have covariate levels the model does not know: columns ${united.columns.filter((c) => !model.coding.columns.includes(c)).join(', ')}`);
  }
  const map = mapColumns(statistics.coding, model.coding);
  const q = statistics.coding.columns.length;
  const batches = statistics.batches.map((batch) => (map === null ? batch : recodeBatch(batch, map, q, model.features)));
  return extend(model, { ...statistics, coding: model.coding, batches }, options);
}

/** Refuses a CovBat model: its score adjustments are fitted with the training batches only. */
function refuseCovbat(model: CombatModel, fn: string): void {
  if (model.covbat !== undefined) refuseArgument(`${fn}: model`, 'a model without CovBat (new batches of a CovBat model cannot be estimated yet)', model);
}

/** Estimates the batches of `rows` the model does not have (rows already checked). */
export function estimateFromRows(model: CombatModel, matrix: DataMatrix, rows: EncodedRows, options: EstimateOptions): { model: CombatModel; warnings: CombatWarning[] } {
  const unseen = rows.batch.flatMap((label, i) => (model.batches.has(label) ? [] : [i]));
  if (unseen.length === 0) return { model, warnings: [] };
  const V = model.features;
  const q = model.coding.columns.length;
  const data = new Float64Array(unseen.length * V);
  const covariates = new Float64Array(unseen.length * q);
  unseen.forEach((i, j) => {
    data.set(matrix.data.subarray(i * V, (i + 1) * V), j * V);
    covariates.set(rows.covariates.subarray(i * q, (i + 1) * q), j * q);
  });
  const statistics = new CombatAccumulator(model.coding, V)
    .addEncoded({ data, samples: unseen.length, features: V }, { samples: unseen.length, batch: unseen.map((i) => rows.batch[i] as string), covariates })
    .statistics();
  return extend(model, { ...statistics, coding: model.coding }, options);
}

/** The model with the statistics' batches estimated and added. */
function extend(model: CombatModel, statistics: CombatStatistics, options: EstimateOptions): { model: CombatModel; warnings: CombatWarning[] } {
  const labels = [...model.batches.keys(), ...statistics.batches.map((batch) => batch.batch)];
  sortLevels(labels, 'batch');
  const warnings: CombatWarning[] = [];
  const missingAt = indexMissing(statistics);
  const added = statistics.batches.map((batch, b): [string, BatchEffects] => [batch.batch, estimateBatch(model, batch, missingAt[b] as Map<number, number>, options, warnings)]);
  const batches = new Map([...model.batches, ...added].sort(([a], [b]) => compareCodePoints(a, b)));
  return { model: { ...model, batches }, warnings };
}

/** One new batch's effects (section 9 of docs/combat-spec.md). */
function estimateBatch(model: CombatModel, batch: BatchStatistics, missingAt: Map<number, number>, options: EstimateOptions, warnings: CombatWarning[]): BatchEffects {
  if (batch.samples < 2) {
    throw new TooFewSamplesError(`new batch ${batch.batch} has 1 sample; estimating a new batch needs at least 2`);
  }
  const V = model.features;
  const q = model.coding.columns.length;
  const { eb, parametric, meanOnly } = model.options;
  const finiteCount = new Float64Array(V);
  const s1 = new Float64Array(V);
  const s2 = new Float64Array(V);
  const gammaHat = new Float64Array(V).fill(NaN);
  const deltaHat = new Float64Array(V).fill(NaN);
  const adjusted = new Uint8Array(V);
  const reasons: { feature: number; cause: UnadjustedCause }[] = [];
  const sum = new Float64Array(q);
  const cross = new Float64Array(q * q);
  const coef = new Float64Array(q);
  const products = new Float64Array(3);
  for (let v = 0; v < V; v++) {
    const m = finiteDesignSums(batch, missingAt.get(v), sum, cross);
    finiteCount[v] = m;
    if (model.adjusted[v] !== 1) continue;
    let cause = screenBatchFeature(batch, v, m, meanOnly);
    if (cause === null) {
      // Sums of r = y - grandMean - c.beta over the finite cells, from the batch's mean and the sums around it.
      const e = (batch.mean[v] as number) - (model.grandMean[v] as number);
      for (let k = 0; k < q; k++) coef[k] = model.beta[k * V + v] as number;
      sumCovariateProducts(batch, v, sum, cross, coef, products);
      const variance = model.varPooled[v] as number;
      const deviations = batch.deviationSum[v] as number;
      const r1 = sumResiduals(e, m, deviations, products[0] as number);
      const r2 = sumSquaredResiduals(e, m, deviations, batch.squares[v] as number, products[0] as number, products[1] as number, products[2] as number);
      s1[v] = r1 / Math.sqrt(variance);
      s2[v] = r2 / variance;
      gammaHat[v] = (s1[v] as number) / m;
      deltaHat[v] = meanOnly ? 1 : ((s2[v] as number) - ((s1[v] as number) * (s1[v] as number)) / m) / (m - 1);
      if (!Number.isFinite(s1[v]) || !Number.isFinite(s2[v])) cause = 'overflow';
      // Residuals within the batch of zero variance to rounding: its scale factor would amplify noise.
      else if (!meanOnly && !(r2 - (r1 * r1) / m > NOISE_FLOOR * ((batch.squares[v] as number) + m * e * e))) cause = 'zero-variance-in-batch';
    }
    // Estimates whose squares overflow would make the priors across features NaN: out, on their own.
    if (cause === null && !(Number.isFinite(gammaHat[v]! * gammaHat[v]!) && Number.isFinite(deltaHat[v]! * deltaHat[v]!))) cause = 'overflow';
    if (cause === null) adjusted[v] = 1;
    else reasons.push({ feature: v, cause });
  }
  const kept = Int32Array.from(Array.from(adjusted).flatMap((flag, v) => (flag === 1 ? [v] : [])));
  if (eb && kept.length < 2) {
    // The model's options decide empirical Bayes: no option of this call avoids it, so no remedy.
    throw new TooFewFeaturesError(`empirical Bayes (the model's) needs at least 2 features new batch ${batch.batch} can estimate, to estimate its priors; found ${kept.length}`);
  }
  const maxIterations = options.maxIterations ?? 1000;
  const shrunk = shrinkBatch(kept, { finiteCount, s1, s2, gammaHat, deltaHat }, { eb, parametric, meanOnly, reference: false, maxIterations });
  if (!shrunk.converged) {
    warnings.push({
      code: 'not-converged',
      batch: batch.batch,
      change: shrunk.change,
      message: `parametric EB for new batch ${batch.batch} stopped after ${maxIterations} iterations with relative change ${shrunk.change} (> 1e-4)`,
    });
  }
  const effects: BatchEffects = {
    samples: batch.samples,
    training: false,
    gammaHat,
    deltaHat,
    gammaStar: shrunk.gammaStar,
    deltaStar: shrunk.deltaStar,
    ...shrunk.priors,
    adjusted,
  };
  for (const v of kept) if (!hasUsableEstimates(effects, v)) reasons.push({ feature: v, cause: 'overflow' });
  const failed = new Set(reasons.map((reason) => reason.feature));
  for (let v = 0; v < V; v++) {
    if (adjusted[v] === 1 && !failed.has(v)) continue;
    adjusted[v] = 0;
    for (const a of [gammaHat, deltaHat, effects.gammaStar, effects.deltaStar]) a[v] = NaN;
  }
  if (reasons.length > 0) {
    reasons.sort((x, y) => x.feature - y.feature);
    const features = reasons.map((reason) => reason.feature);
    const list: UnadjustedReason[] = reasons.map(({ cause }) => ({ cause, batch: batch.batch }));
    warnings.push({
      code: 'unadjusted-features',
      features,
      reasons: list,
      batch: batch.batch,
      message: `${features.length} feature(s) left unadjusted for new batch ${batch.batch}: ${describeUnadjusted(features, list)}`,
    });
  }
  return effects;
}

/** Options absent or `{ maxIterations? }`, a positive integer. */
export function checkEstimateOptions(options: unknown, fn: string): void {
  const given = checkOptions(options, `${fn}: options`, 'an object { maxIterations? }');
  if (given.maxIterations !== undefined) checkInteger(given.maxIterations, `${fn}: options.maxIterations`, 1);
}
