import { checkObject, describeValue, refuseArgument } from '@combat/base/internal';
import { checkCovariates, requireCoding } from './covariate-checks.js';
import type { DesignCoding, EncodedRows } from './design.js';
import { EmptyInputError, InvalidValueError, ShapeMismatchError } from './errors.js';
import type { Covariates, DataMatrix } from './types.js';

/**
 * Checks a data matrix argument: an object whose `data` is a Float64Array or Float32Array of
 * `samples x features` values, at least one of each, and `features` as expected. `fn` names the
 * public function in messages about the argument itself.
 *
 * @throws {@link InvalidArgumentError} when `matrix` is not an object.
 * @throws {@link ShapeMismatchError} when `data` is not a float typed array of `samples x features`
 * values, or `features` is not the expected count.
 * @throws {@link EmptyInputError} when `samples` or `features` is not a positive integer.
 */
export function checkMatrix(matrix: DataMatrix, features: number, fn = 'checkMatrix'): void {
  checkObject(matrix, `${fn}: matrix`, 'an object { data, samples, features }');
  const { data, samples } = matrix;
  if (!(data instanceof Float64Array) && !(data instanceof Float32Array)) {
    throw new ShapeMismatchError(`data must be a Float64Array or Float32Array; found ${Object.prototype.toString.call(data)}`);
  }
  if (!Number.isInteger(samples) || samples < 1 || !Number.isInteger(matrix.features) || matrix.features < 1) {
    throw new EmptyInputError(`expected at least one sample and one feature; found samples = ${samples}, features = ${matrix.features}`);
  }
  if (matrix.features !== features) {
    throw new ShapeMismatchError(`data has ${matrix.features} features; expected ${features}`);
  }
  if (data.length !== samples * features) {
    throw new ShapeMismatchError(`data has ${data.length} values; expected samples x features = ${samples} x ${features} = ${samples * features}`);
  }
}

/**
 * Checks a data matrix against the expected number of features, the shape of the covariates
 * argument, and that there is one batch label per sample.
 *
 * @throws what {@link checkMatrix} and {@link checkCovariates} throw, and
 * {@link ShapeMismatchError} when the batch labels are not one per sample.
 */
export function checkInputs(matrix: DataMatrix, covariates: Covariates, features: number, fn = 'checkInputs'): void {
  checkMatrix(matrix, features, fn);
  checkCovariates(covariates, fn);
  if (covariates.batch.length !== matrix.samples) {
    throw new ShapeMismatchError(`batch labels has ${covariates.batch.length} values; expected one per sample (${matrix.samples})`);
  }
}

/**
 * Checks that encoded rows describe `samples` samples of a coding: an array of non-empty batch
 * labels and a Float64Array of finite covariate values, q = `coding.columns.length` per sample.
 *
 * @throws {@link InvalidArgumentError} when `coding` or `rows` is not of the right kind.
 * @throws {@link ShapeMismatchError} when `rows` describe another number of samples or covariates.
 * @throws {@link InvalidValueError} when a batch label is missing or a covariate not finite.
 */
export function checkEncodedRows(rows: EncodedRows, samples: number, coding: DesignCoding, fn = 'checkEncodedRows'): void {
  requireCoding(coding, fn);
  checkObject(rows, `${fn}: rows`, 'encoded rows { samples, batch, covariates } from encodeCovariates');
  const { batch, covariates } = rows;
  if (!Array.isArray(batch)) refuseArgument(`${fn}: rows.batch`, 'an array of batch labels (from encodeCovariates)', batch);
  if (!(covariates instanceof Float64Array)) refuseArgument(`${fn}: rows.covariates`, 'a Float64Array of covariate values (from encodeCovariates)', covariates);
  const q = coding.columns.length;
  if (rows.samples !== samples || batch.length !== samples || covariates.length !== samples * q) {
    throw new ShapeMismatchError(
      `encoded covariates describe ${rows.samples} samples (${batch.length} batch labels, ${covariates.length} covariate values); expected ${samples} samples with ${q} covariate columns`,
    );
  }
  for (let i = 0; i < samples; i++) {
    const label: unknown = batch[i];
    if (typeof label !== 'string' || label === '') throw new InvalidValueError(`encoded batch label is ${describeValue(label)}; expected a non-empty string`, { sample: i });
  }
  for (let at = 0; at < covariates.length; at++) {
    if (!Number.isFinite(covariates[at])) {
      throw new InvalidValueError(`encoded covariate ${coding.columns[at % q]} is ${covariates[at]}; expected a finite number`, { sample: Math.floor(at / q) });
    }
  }
}

/**
 * Rejects infinite data values (missing cells are NaN) in columns `from` to `to` (exclusive, all
 * by default) before anything is accumulated or written, so a failed call changes nothing. The
 * error names the sample and the feature (its column in the whole matrix).
 *
 * @throws {@link InvalidValueError} at the first infinite value in row-major order.
 */
export function checkNoInfinity({ data, samples, features }: DataMatrix, from = 0, to = features): void {
  for (let i = 0; i < samples; i++) {
    for (let at = i * features + from, end = i * features + to; at < end; at++) {
      const y = data[at] as number;
      if (y - y !== 0 && y === y) {
        throw new InvalidValueError(`data value is ${y}; expected a finite number or NaN for a missing cell`, { sample: i, feature: at - i * features });
      }
    }
  }
}

/**
 * Refuses a matrix with a missing or infinite cell, for the methods that need complete data
 * (`method`, for the message: CovBat's principal components, longitudinal ComBat's mixed model).
 *
 * @throws {@link InvalidValueError} naming the first such cell's sample and feature.
 */
export function checkComplete({ data, samples, features }: DataMatrix, method = 'CovBat'): void {
  for (let at = 0; at < samples * features; at++) {
    const y = data[at] as number;
    if (Number.isFinite(y)) continue;
    const sample = Math.floor(at / features);
    const where = { sample, feature: at - sample * features };
    if (Number.isNaN(y)) throw new InvalidValueError(`data value is missing (NaN); ${method} needs complete data: impute it, or leave out the sample or the feature`, where);
    throw new InvalidValueError(`data value is ${y}; expected a finite number`, where);
  }
}
