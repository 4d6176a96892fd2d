import { checkOneOf, checkOptions, refuseArgument } from '@combat/base/internal';
import { adjustCovbat } from './covbat-adjust.js';
import { listNonZero } from './design-matrix.js';
import { encodeCovariates, type EncodedRows } from './design.js';
import { InvalidValueError, ShapeMismatchError, UnknownBatchError } from './errors.js';
import { checkComplete, checkEncodedRows, checkInputs, checkMatrix, checkNoInfinity } from './input-checks.js';
import type { BatchEffects, CombatModel } from './model.js';
import { requireModel } from './model-checks.js';
import { checkEstimateOptions, estimateFromRows, type EstimateOptions } from './new-batches.js';
import { rangeWarnings } from './ranges.js';
import type { CombatWarning, Covariates, DataMatrix } from './types.js';

/**
 * Options of {@link applyCombat}: what to do with samples of a batch the model has not seen, an
 * error (`'error'`, the default) or estimating the batch from them first (`'estimate'`, see
 * {@link estimateBatches}); and the cap on the parametric solver's iterations when estimating.
 *
 * @example
 * ```ts
 * const options: ApplyOptions = { newBatches: 'estimate' };
 * applyCombat(model, newSite, newSiteCovariates, options).model.batches.has('siteC'); // true
 * ```
 */
export interface ApplyOptions extends EstimateOptions {
  readonly newBatches?: 'error' | 'estimate';
}

/**
 * What {@link applyCombat} returns: the adjusted data (a new Float64Array in the input's layout),
 * the model that adjusted them (the one given, extended with any batch estimated), and warnings.
 *
 * @example
 * ```ts
 * const { data, model: used, warnings }: ApplyResult = applyCombat(model, matrix, covariates);
 * data.length; // 24
 * used === model; // true
 * warnings; // []
 * ```
 */
export interface ApplyResult {
  readonly data: Float64Array;
  readonly model: CombatModel;
  readonly warnings: CombatWarning[];
}

/**
 * Adjusts samples with a fitted model (sections 5, 7 and 9 of docs/combat-spec.md). Each sample's
 * standardization mean comes from **its own** covariates; its categorical levels must be ones
 * seen in training. A sample of a batch the model has not seen is an error, unless
 * `options.newBatches` is `'estimate'`: then each such batch is first estimated from its samples
 * here (two or more), as {@link estimateBatches} does. Reference-batch samples, unadjusted
 * features and missing cells pass through unchanged. Applied to the training samples it
 * reproduces the training output. Warns about continuous covariates outside their training range.
 * A CovBat model ({@link harmonizeCovbat}) then adjusts each sample's covariance part too (see
 * {@link CovbatModel}); its samples need complete data, and its new batches cannot be estimated
 * (`newBatches: 'estimate'` is accepted while every batch is a training one).
 * The input is not modified. The model is checked the first time it is used, as
 * {@link deserializeModel} checks one.
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind.
 * @throws {@link ModelFormatError} when `model` is not one a fit produces (naming the field).
 * @throws {@link ShapeMismatchError} when the data are not `samples x features` values of the
 * model's feature count, or a covariate column has another length.
 * @throws {@link EmptyInputError} when `matrix.samples` is not a positive integer.
 * @throws {@link InvalidValueError} when a data value is infinite (missing cells are NaN; with a
 * CovBat model, missing too) or adjusts to a value beyond float64, a label is missing, or a
 * continuous covariate is not finite.
 * @throws {@link UnknownBatchError} when a sample's batch is not the model's and new batches are
 * not estimated, or cannot be (a CovBat model).
 * @throws {@link UnknownCovariateError} when a categorical level was not in training, or the
 * covariates are not the model's.
 * @throws {@link TooFewSamplesError} and {@link TooFewFeaturesError} when a new batch cannot be
 * estimated (see {@link estimateBatches}).
 *
 * @example
 * ```ts
 * // One new sample of siteB.
 * const scan = { data: Float64Array.of(2.9, 2.7, 3.4), samples: 1, features: 3 };
 * applyCombat(model, scan, { batch: ['siteB'], categorical: { sex: ['F'] }, continuous: { age: [63] } }).data.length; // 3
 * applyCombat(model, scan, { batch: ['siteC'], categorical: { sex: ['F'] }, continuous: { age: [63] } });
 * // throws UnknownBatchError: sample 0: batch "siteC" was not seen in training (known: siteA, siteB); use { newBatches: "estimate" }
 *
 * // A new site's samples: its batch is estimated, then every sample adjusted.
 * const { model: extended } = applyCombat(model, newSite, newSiteCovariates, { newBatches: 'estimate' });
 * extended.batches.get('siteC')!.samples; // 3
 * ```
 */
export function applyCombat(model: CombatModel, matrix: DataMatrix, covariates: Covariates, options: ApplyOptions = {}): ApplyResult {
  const { model: used, rows, warnings } = prepareApply(model, matrix, covariates, options);
  const effects = findBatches(used, rows, true);
  const data = adjust(used, effects, matrix.data, rows, new Float64Array(matrix.samples * model.features), model.features, 0, 0, model.features);
  adjustCovbat(used, rows, data, 0, matrix.samples);
  return { data, model: used, warnings };
}

/**
 * What {@link applyCombat} does before it adjusts: checks the arguments and the data, encodes the
 * rows, warns about covariates outside their training range and estimates new batches when asked
 * to; every batch of the rows is then the returned model's. Shared with the threaded application.
 */
export function prepareApply(model: CombatModel, matrix: DataMatrix, covariates: Covariates, options: ApplyOptions): { model: CombatModel; rows: EncodedRows; warnings: CombatWarning[] } {
  requireModel(model, 'applyCombat');
  checkInputs(matrix, covariates, model.features, 'applyCombat');
  const given = checkOptions(options, 'applyCombat: options', 'an object { newBatches?, maxIterations? }');
  if (given.newBatches !== undefined) checkOneOf(given.newBatches, 'applyCombat: options.newBatches', ['error', 'estimate']);
  checkEstimateOptions({ maxIterations: given.maxIterations }, 'applyCombat');
  const rows = encodeCovariates(model.coding, covariates);
  checkNoInfinity(matrix);
  if (model.covbat !== undefined) checkComplete(matrix);
  const warnings = rangeWarnings(model.coding, covariates);
  let used = model;
  // New batches of a CovBat model cannot be estimated: findBatches refuses them, saying so.
  if (options.newBatches === 'estimate' && model.covbat === undefined) {
    const estimated = estimateFromRows(model, matrix, rows, options);
    used = estimated.model;
    warnings.push(...estimated.warnings);
  }
  findBatches(used, rows, true, options.newBatches === 'estimate');
  return { model: used, rows, warnings };
}

/**
 * {@link applyCombat} for covariates already encoded with the model's coding (by
 * {@link encodeCovariates}), writing into `out` (a new array by default; pass a buffer to reuse
 * memory when streaming blocks). Every batch must be the model's. The arguments and the data are
 * checked before the first value is written, but a value that adjusts beyond float64 is only
 * found once it is computed: after that {@link InvalidValueError}, `out` may be partly written.
 *
 * @throws {@link InvalidArgumentError} when an argument is not of the right kind.
 * @throws {@link ModelFormatError} when `model` is not one a fit produces (naming the field).
 * @throws {@link ShapeMismatchError} when the data are not `samples x features` values of the
 * model's feature count, or `rows` or `out` are of another size.
 * @throws {@link EmptyInputError} when `matrix.samples` is not a positive integer.
 * @throws {@link InvalidValueError} when a data value is infinite or adjusts to a value beyond
 * float64, or `rows` hold a missing batch label or a covariate value that is not finite.
 * @throws {@link UnknownBatchError} when a sample's batch is not the model's.
 *
 * @example
 * ```ts
 * const rows = encodeCovariates(model.coding, covariates);
 * const out = new Float64Array(matrix.samples * matrix.features);
 * applyEncoded(model, matrix, rows, out) === out; // true
 * out; // applyCombat(model, matrix, covariates).data
 * ```
 */
export function applyEncoded(model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out?: Float64Array): Float64Array {
  checkEncodedApply(model, matrix, rows);
  const V = model.features;
  const { data, samples } = matrix;
  if (out !== undefined && !(out instanceof Float64Array)) {
    refuseArgument('applyEncoded: out', 'a Float64Array of samples x features values', out);
  }
  if (out !== undefined && out.length !== samples * V) {
    throw new ShapeMismatchError(`output buffer has ${out.length} values; expected samples x features = ${samples} x ${V} = ${samples * V}`);
  }
  checkNoInfinity(matrix);
  if (model.covbat !== undefined) checkComplete(matrix);
  const adjusted = adjust(model, findBatches(model, rows, false), data, rows, out ?? new Float64Array(samples * V), V, 0, 0, V);
  adjustCovbat(model, rows, adjusted, 0, samples);
  return adjusted;
}

/** The checks of {@link applyEncoded} of its model, matrix and rows (shared with the threaded application). */
export function checkEncodedApply(model: CombatModel, matrix: DataMatrix, rows: EncodedRows): void {
  requireModel(model, 'applyEncoded');
  checkMatrix(matrix, model.features, 'applyEncoded');
  checkEncodedRows(rows, matrix.samples, model.coding, 'applyEncoded');
}

/**
 * {@link applyEncoded} of features `from` to `to` (exclusive) of a model, which are columns
 * `offset + from` to `offset + to` of a checked sample-major matrix of `matrix.features` columns
 * (a model of a range of the matrix's columns starts at `offset`),
 * written into the same columns of `out` (the matrix's shape): what a worker adjusts for its range
 * of features, bit for bit the values adjusting the whole matrix gives. An error about a feature
 * names its column in the whole matrix.
 */
export function adjustColumns(model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, offset: number, from = 0, to = model.features): void {
  if (model.covbat !== undefined) refuseArgument('adjustColumns: model', 'a model without CovBat (CovBat adjusts whole samples: use applyCombat or applyEncoded)', model);
  adjust(model, findBatches(model, rows, false), matrix.data, rows, out, matrix.features, offset, from, to);
}

/**
 * Each sample's batch effects; an unknown batch is an error naming the first such sample (with the
 * option that estimates it as the remedy when `suggest`, unless the model is CovBat's, whose new
 * batches cannot be estimated: when `estimating` asked for that, the message says so). Exported
 * (internal) for the apps that check a table's batches before adjusting it, in the library's words.
 */
export function findBatches(model: CombatModel, rows: EncodedRows, suggest: boolean, estimating = false): BatchEffects[] {
  return rows.batch.map((label, i) => {
    const effects = model.batches.get(label);
    if (effects !== undefined) return effects;
    const cannot = estimating && model.covbat !== undefined ? ', and new batches of a CovBat model cannot be estimated yet' : '';
    throw new UnknownBatchError(`batch ${JSON.stringify(label)} was not seen in training (known: ${[...model.batches.keys()].join(', ')})${cannot}`, {
      sample: i,
      ...(suggest && model.covbat === undefined ? { remedy: { newBatches: 'estimate' } } : {}),
    });
  });
}

/**
 * Spec section 5 for every sample and the model's features `start` to `end` (exclusive), into
 * `out` (inputs already checked; `effects` each sample's batch). The model's feature v is column
 * `first + v` of `data` and `out`, sample-major with `stride` columns. The features are taken in
 * tiles of {@link TILE}, each through every sample, so the model's values of a tile stay in
 * cache; every value's arithmetic is the same whatever the tiles.
 */
function adjust(
  model: CombatModel,
  effects: readonly BatchEffects[],
  data: Float64Array | Float32Array,
  rows: EncodedRows,
  out: Float64Array,
  stride: number,
  first: number,
  start: number,
  end: number,
): Float64Array {
  const V = model.features;
  const q = model.coding.columns.length;
  const { grandMean, beta } = model;
  const samples = rows.samples;
  // Per sample: its batch's adjustments (null for the reference batch); the covariates that are
  // not zero and where their coefficients start (`width` slots, at least the two the loops below
  // write out).
  const byBatch = new Map<BatchEffects, BatchAdjustments>();
  const adjustments = effects.map((batch, i) => {
    if (rows.batch[i] === model.refBatch) return null;
    let found = byBatch.get(batch);
    if (found === undefined) byBatch.set(batch, (found = getBatchAdjustments(batch, model.varPooled, start, end)));
    return found;
  });
  const width = Math.max(q, 2);
  const used = new Int32Array(samples);
  const nonZero = new Float64Array(samples * width);
  const nonZeroAt = new Int32Array(samples * width);
  for (let i = 0; i < samples; i++) {
    used[i] = listNonZero(rows.covariates.subarray(i * q, (i + 1) * q), V, nonZero.subarray(i * width, (i + 1) * width), nonZeroAt.subarray(i * width, (i + 1) * width));
  }
  // Whether a finite value adjusted to one that is not (found exactly, in row-major order, below).
  let overflow = false;
  for (let from = start; from < end; from += TILE) {
    const to = Math.min(end, from + TILE);
    for (let i = 0; i < samples; i++) {
      const row = i * stride + first;
      const batch = adjustments[i] as BatchAdjustments | null;
      if (batch === null) {
        for (let v = from; v < to; v++) out[row + v] = data[row + v] as number;
        continue;
      }
      const { offset, scale, passThrough } = batch;
      const k = i * width;
      const n0 = nonZero[k] as number;
      const n1 = nonZero[k + 1] as number;
      const a0 = nonZeroAt[k] as number;
      const a1 = nonZeroAt[k + 1] as number;
      // A value that is not finite where the data's is (it overflowed, or its feature passes through below).
      let suspect = false;
      switch (used[i]) {
        case 0:
          for (let v = from; v < to; v++) {
            const stand = grandMean[v] as number;
            const x = data[row + v] as number;
            const y = stand + (x - stand - (offset[v] as number)) * (scale[v] as number);
            out[row + v] = y;
            if (y - y !== 0 && x === x) suspect = true;
          }
          break;
        case 1:
          for (let v = from; v < to; v++) {
            const stand = (grandMean[v] as number) + n0 * (beta[a0 + v] as number);
            const x = data[row + v] as number;
            const y = stand + (x - stand - (offset[v] as number)) * (scale[v] as number);
            out[row + v] = y;
            if (y - y !== 0 && x === x) suspect = true;
          }
          break;
        case 2:
          for (let v = from; v < to; v++) {
            const stand = (grandMean[v] as number) + n0 * (beta[a0 + v] as number) + n1 * (beta[a1 + v] as number);
            const x = data[row + v] as number;
            const y = stand + (x - stand - (offset[v] as number)) * (scale[v] as number);
            out[row + v] = y;
            if (y - y !== 0 && x === x) suspect = true;
          }
          break;
        default:
          for (let v = from; v < to; v++) {
            let stand = grandMean[v] as number;
            for (let j = 0; j < (used[i] as number); j++) stand += (nonZero[k + j] as number) * (beta[(nonZeroAt[k + j] as number) + v] as number);
            const x = data[row + v] as number;
            const y = stand + (x - stand - (offset[v] as number)) * (scale[v] as number);
            out[row + v] = y;
            if (y - y !== 0 && x === x) suspect = true;
          }
      }
      for (let j = findFirstAtLeast(passThrough, from); j < passThrough.length && (passThrough[j] as number) < to; j++) {
        const v = passThrough[j] as number;
        out[row + v] = data[row + v] as number;
      }
      if (suspect) for (let v = from; v < to && !overflow; v++) overflow = isOverflow(data[row + v] as number, out[row + v] as number);
    }
  }
  if (overflow) checkNoOverflow(data, out, samples, stride, first + start, first + end);
  return out;
}

/** Features in a tile of {@link adjust}: the model's values of a tile (a few arrays of them) fit in a core's cache. */
const TILE = 2048;

/** The first index of a sorted array whose value is at least `value` (the length when none is). */
export function findFirstAtLeast(sorted: Int32Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Whether finite `x` adjusted to `y`, which is not finite. */
const isOverflow = (x: number, y: number): boolean => y - y !== 0 && x - x === 0;

/** A finite value must adjust to a finite value; values near the float64 limit can overflow. Throws at the first that does not, in row-major order. */
function checkNoOverflow(data: ArrayLike<number>, out: Float64Array, samples: number, stride: number, from: number, to: number): void {
  for (let i = 0; i < samples; i++) {
    for (let at = i * stride + from, end = i * stride + to; at < end; at++) {
      const y = out[at] as number;
      if (!isOverflow(data[at] as number, y)) continue;
      throw new InvalidValueError(`data value ${data[at]} adjusts to ${y}: it is too large for float64 arithmetic with this model; expected values well inside the float64 range`, {
        sample: i,
        feature: at - i * stride,
      });
    }
  }
}

/** What adjusting a batch's samples takes: see {@link getBatchAdjustments}. */
interface BatchAdjustments {
  readonly offset: Float64Array;
  readonly scale: Float64Array;
  /** The features its samples pass through unchanged. */
  readonly passThrough: Int32Array;
}

/**
 * y* = stand + (y - stand - sd * gammaStar) / sqrt(deltaStar), with per feature `offset = sd *
 * gammaStar` and `scale = 1 / sqrt(deltaStar)`, for features `from` to `to` (indexed as the
 * model's): computed once per batch for the whole model, since a streaming caller applies the
 * same model to one sample at a time; for a range (a worker's), each time.
 */
function getBatchAdjustments(batch: BatchEffects, varPooled: Float64Array, from: number, to: number): BatchAdjustments {
  const whole = from === 0 && to === varPooled.length;
  let adjustments = whole ? ADJUSTMENTS.get(batch) : undefined;
  if (adjustments === undefined) {
    const offset = new Float64Array(varPooled.length);
    const scale = new Float64Array(varPooled.length);
    for (let v = from; v < to; v++) {
      offset[v] = Math.sqrt(varPooled[v] as number) * (batch.gammaStar[v] as number);
      scale[v] = 1 / Math.sqrt(batch.deltaStar[v] as number);
    }
    let count = 0;
    for (let v = from; v < to; v++) if (batch.adjusted[v] !== 1) count++;
    const passThrough = new Int32Array(count);
    for (let v = from, k = 0; v < to; v++) if (batch.adjusted[v] !== 1) passThrough[k++] = v;
    adjustments = { offset, scale, passThrough };
    if (whole) ADJUSTMENTS.set(batch, adjustments);
  }
  return adjustments;
}

const ADJUSTMENTS = new WeakMap<BatchEffects, BatchAdjustments>();
