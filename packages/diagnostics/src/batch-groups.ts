/**
 * The finite values of one feature split by batch, with the checks every test shares: lengths,
 * values that are finite or NaN, at least two batches with values, and (for the variance tests)
 * two values in each.
 */
import { checkStrings, refuseArgument } from '@combat/base/internal';
import { InvalidValueError, ShapeMismatchError, TooFewBatchesError, TooFewSamplesError } from '@combat/core';

/** Each sample's batch as an index into `labels` (in order of first appearance). */
export interface BatchIndex {
  readonly labels: readonly string[];
  readonly codes: Int32Array;
}

/** Where a feature is, for messages: its 0-based index in a matrix and its name, when known. */
export interface FeatureWhere {
  readonly feature?: number;
  readonly name?: string;
}

/** The batch labels as indices, checked to be strings. */
export function indexBatches(batch: readonly string[], what: string): BatchIndex {
  checkStrings(batch, what);
  const lookup = new Map<string, number>();
  const codes = new Int32Array(batch.length);
  batch.forEach((label, i) => {
    let code = lookup.get(label);
    if (code === undefined) lookup.set(label, (code = lookup.size));
    codes[i] = code;
  });
  return { labels: [...lookup.keys()], codes };
}

/** A feature's values as the tests take them, checked to be an array or typed array of numbers. */
export function checkValues(values: ArrayLike<number>, batch: readonly string[], fn: string): void {
  const array = Array.isArray(values) || values instanceof Float64Array || values instanceof Float32Array;
  if (!array) refuseArgument(`${fn}: values`, 'a Float64Array, Float32Array or array of numbers', values);
  if (values.length !== batch.length) throw new ShapeMismatchError(`values has ${values.length} entries; expected one per batch label (${batch.length})`);
}

/**
 * The finite values of a feature by batch (batches without one left out, as R's `factor` drops
 * empty levels), read from `data` at `offset + i * stride` for sample i.
 *
 * @throws {@link InvalidValueError} for a value that is neither finite nor NaN.
 * @throws {@link TooFewBatchesError} when fewer than two batches have a finite value.
 * @throws {@link TooFewSamplesError} when `least` is given and a batch has fewer finite values.
 */
export function groupValues(
  data: ArrayLike<number>,
  offset: number,
  stride: number,
  index: BatchIndex,
  where: FeatureWhere,
  test: string,
  least = 1,
): { groups: Float64Array[]; labels: string[] } {
  const split = splitValues(data, offset, stride, index, where);
  const { groups, labels } = split;
  if (groups.length < 2) {
    const found = labels.map((label) => JSON.stringify(label));
    throw new TooFewBatchesError(`${named(where)}expected finite values in at least 2 batches for the ${test}; found ${groups.length}${found.length > 0 ? ` (${found.join(', ')})` : ''}`, context(where));
  }
  groups.forEach((group, k) => {
    if (group.length < least) {
      throw new TooFewSamplesError(`${named(where)}batch ${JSON.stringify(labels[k])} has ${group.length} finite value${group.length === 1 ? '' : 's'}; expected at least ${least} in every batch for the ${test}`, context(where));
    }
  });
  return split;
}

/**
 * The finite values of a feature by batch, as {@link groupValues} reads them, with no check but
 * that each value is finite or NaN: there may be fewer than two groups.
 *
 * @throws {@link InvalidValueError} for a value that is neither finite nor NaN.
 */
export function splitValues(data: ArrayLike<number>, offset: number, stride: number, index: BatchIndex, where: FeatureWhere): { groups: Float64Array[]; labels: string[] } {
  const samples = index.codes.length;
  const counts = new Int32Array(index.labels.length);
  for (let i = 0; i < samples; i++) {
    const x = data[offset + i * stride] as number;
    if (Number.isNaN(x)) continue;
    if (!Number.isFinite(x)) {
      throw new InvalidValueError(`${named(where)}value is ${x}; expected a finite number or NaN for a missing value`, { sample: i, ...context(where) });
    }
    counts[index.codes[i] as number]++;
  }
  const used = [...counts.keys()].filter((b) => (counts[b] as number) > 0);
  const slot = new Int32Array(index.labels.length).fill(-1);
  used.forEach((b, k) => (slot[b] = k));
  const groups = used.map((b) => new Float64Array(counts[b] as number));
  const filled = new Int32Array(used.length);
  for (let i = 0; i < samples; i++) {
    const x = data[offset + i * stride] as number;
    if (Number.isNaN(x)) continue;
    const k = slot[index.codes[i] as number] as number;
    (groups[k] as Float64Array)[filled[k]++] = x;
  }
  return { groups, labels: used.map((b) => index.labels[b] as string) };
}

/** The error context of a feature. */
export function context(where: FeatureWhere): { feature?: number } {
  return where.feature === undefined ? {} : { feature: where.feature };
}

/** The feature's name as a message prefix (`lh_thickness: `), or nothing. */
export function named(where: FeatureWhere): string {
  return where.name === undefined ? '' : `${where.name}: `;
}
