import { refuseArgument } from '@combat/base/internal';
import { encodeCovariates, type EncodedRows } from './design.js';
import { InvalidValueError, ShapeMismatchError } from './errors.js';
import { checkEncodedRows, checkInputs, checkMatrix, checkNoInfinity } from './input-checks.js';
import type { CombatModel } from './model.js';
import { requireModel } from './model-checks.js';
import type { Covariates, DataMatrix } from './types.js';

/**
 * Adjusts samples with a fitted model (sections 5 and 7 of docs/combat-spec.md). Each sample's
 * standardization mean comes from **its own** covariates; its batch must be one of the training
 * batches and its categorical levels ones seen in training. Reference-batch samples, unadjusted
 * features and missing cells pass through unchanged. Applied to the training samples it
 * reproduces the training output. Returns a new Float64Array; the input is not modified. The
 * model is checked the first time it is used, as {@link deserializeModel} checks one.
 *
 * @throws {@link InvalidArgumentError} when an argument is not of the right kind.
 * @throws {@link ModelFormatError} when `model` is not one a fit produces (naming the field).
 * @throws {@link ShapeMismatchError} when the data are not `samples x features` values of the
 * model's feature count, or a covariate column has another length.
 * @throws {@link EmptyInputError} when `matrix.samples` is not a positive integer.
 * @throws {@link InvalidValueError} when a data value is infinite (missing cells are NaN) or
 * adjusts to a value beyond float64, a label is missing, or a continuous covariate is not finite.
 * @throws {@link UnknownBatchError} when a sample's batch was not in training.
 * @throws {@link UnknownCovariateError} when a categorical level was not in training, or the
 * covariates are not the model's.
 *
 * @example
 * ```ts
 * // One new sample of siteB.
 * const scan = { data: Float64Array.of(2.9, 2.7, 3.4), samples: 1, features: 3 };
 * const adjusted = applyCombat(model, scan, { batch: ['siteB'], categorical: { sex: ['F'] }, continuous: { age: [63] } });
 * adjusted.length; // 3
 * applyCombat(model, scan, { batch: ['siteC'], categorical: { sex: ['F'] }, continuous: { age: [63] } });
 * // throws UnknownBatchError: sample 0: batch "siteC" was not seen in training (known: siteA, siteB)
 * ```
 */
export function applyCombat(model: CombatModel, matrix: DataMatrix, covariates: Covariates): Float64Array {
  requireModel(model, 'applyCombat');
  checkInputs(matrix, covariates, model.features, 'applyCombat');
  return applyEncoded(model, matrix, encodeCovariates(model.coding, covariates));
}

/**
 * {@link applyCombat} for covariates already encoded with the model's coding (by
 * {@link encodeCovariates}), writing into `out` (a new array by default; pass a buffer to reuse
 * memory when streaming blocks). The arguments and the data are checked before the first value
 * is written, but a value that adjusts beyond float64 is only found once it is computed: after
 * that {@link InvalidValueError}, `out` may be partly written.
 *
 * @throws {@link InvalidArgumentError} when an argument is not of the right kind.
 * @throws {@link ModelFormatError} when `model` is not one a fit produces (naming the field).
 * @throws {@link ShapeMismatchError} when the data are not `samples x features` values of the
 * model's feature count, or `rows` or `out` are of another size.
 * @throws {@link EmptyInputError} when `matrix.samples` is not a positive integer.
 * @throws {@link InvalidValueError} when a data value is infinite or adjusts to a value beyond
 * float64, or `rows` hold a batch index out of range or a covariate value that is not finite.
 *
 * @example
 * ```ts
 * const rows = encodeCovariates(model.coding, covariates);
 * const out = new Float64Array(matrix.samples * matrix.features);
 * applyEncoded(model, matrix, rows, out) === out; // true
 * out; // applyCombat(model, matrix, covariates)
 * ```
 */
export function applyEncoded(model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out?: Float64Array): Float64Array {
  requireModel(model, 'applyEncoded');
  const V = model.features;
  checkMatrix(matrix, V, 'applyEncoded');
  const { data, samples } = matrix;
  checkEncodedRows(rows, samples, model.coding, 'applyEncoded');
  if (out !== undefined && !(out instanceof Float64Array)) {
    refuseArgument('applyEncoded: out', 'a Float64Array of samples x features values', out);
  }
  if (out !== undefined && out.length !== samples * V) {
    throw new ShapeMismatchError(`output buffer has ${out.length} values; expected samples x features = ${samples} x ${V} = ${samples * V}`);
  }
  checkNoInfinity(matrix);
  return adjust(model, data, samples, rows, out ?? new Float64Array(samples * V));
}

/** Spec section 5 for every sample and feature, into `out` (inputs already checked). */
function adjust(model: CombatModel, data: Float64Array | Float32Array, samples: number, rows: EncodedRows, out: Float64Array): Float64Array {
  const V = model.features;
  const B = model.batches.length;
  const q = model.coding.columns.length - B;
  const ref = model.coding.refBatch === null ? -1 : model.batches.indexOf(model.coding.refBatch);
  const { offset, scale } = getBatchAdjustments(model);
  const { grandMean, beta } = model;
  // The covariates of the sample that are not zero, and where their coefficients start.
  const nonZero = new Float64Array(q);
  const nonZeroAt = new Int32Array(q);
  for (let i = 0; i < samples; i++) {
    const b = rows.batchIndex[i];
    const row = i * V;
    if (b === ref) {
      for (let v = 0; v < V; v++) out[row + v] = data[row + v];
      continue;
    }
    let used = 0;
    for (let k = 0; k < q; k++) {
      if (rows.covariates[i * q + k] === 0) continue;
      nonZero[used] = rows.covariates[i * q + k];
      nonZeroAt[used++] = (B + k) * V;
    }
    const bv = b * V;
    for (let v = 0; v < V; v++) {
      let stand = grandMean[v];
      for (let k = 0; k < used; k++) stand += nonZero[k] * beta[nonZeroAt[k] + v];
      out[row + v] = stand + (data[row + v] - stand - offset[bv + v]) * scale[bv + v];
    }
  }
  for (let v = 0; v < V; v++) {
    if (model.adjusted[v] === 1) continue;
    for (let i = 0; i < samples; i++) out[i * V + v] = data[i * V + v];
  }
  checkNoOverflow(data, out, V);
  return out;
}

/** A finite value must adjust to a finite value; values near the float64 limit can overflow. */
function checkNoOverflow(data: ArrayLike<number>, out: Float64Array, features: number): void {
  for (let at = 0; at < out.length; at++) {
    const y = out[at] as number;
    if (y - y === 0 || (data[at] as number) - (data[at] as number) !== 0) continue;
    throw new InvalidValueError(`data value ${data[at]} adjusts to ${y}: it is too large for float64 arithmetic with this model; expected values well inside the float64 range`, {
      sample: Math.floor(at / features),
      feature: at % features,
    });
  }
}

/**
 * y* = stand + (y - stand - sd * gammaStar) / sqrt(deltaStar), with per batch and feature
 * `offset = sd * gammaStar` and `scale = 1 / sqrt(deltaStar)`: computed once per model, since a
 * streaming caller applies the same model to one sample at a time.
 */
function getBatchAdjustments(model: CombatModel): { offset: Float64Array; scale: Float64Array } {
  let adjustments = ADJUSTMENTS.get(model);
  if (adjustments === undefined) {
    const V = model.features;
    const offset = new Float64Array(model.gammaStar.length);
    const scale = new Float64Array(model.deltaStar.length);
    for (let at = 0; at < offset.length; at++) {
      offset[at] = Math.sqrt(model.varPooled[at % V]) * model.gammaStar[at];
      scale[at] = 1 / Math.sqrt(model.deltaStar[at]);
    }
    adjustments = { offset, scale };
    ADJUSTMENTS.set(model, adjustments);
  }
  return adjustments;
}

const ADJUSTMENTS = new WeakMap<CombatModel, { offset: Float64Array; scale: Float64Array }>();
