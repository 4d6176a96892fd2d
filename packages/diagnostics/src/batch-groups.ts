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
 * One feature's finite values by batch (batches without one left out, as R's `factor` drops empty
 * levels), in buffers reused from feature to feature so that a whole-matrix run allocates nothing
 * per feature: `values` holds group g (batch `codes[g]`) at `starts[g]` to `starts[g + 1]`, in
 * sample order. What several tests share is computed once per feature, on first use: each group
 * sorted (`sorted`), its median, the absolute deviations from it (`deviations`, sorted too), and
 * the merge of sorted groups into one ascending order for the rank tests.
 */
export class FeatureGroups {
  /** Groups (batches with a finite value) and finite values of the feature loaded. */
  k = 0;
  n = 0;
  readonly starts: Int32Array;
  readonly codes: Int32Array;
  readonly values: Float64Array;
  readonly medians: Float64Array;
  /** After {@link merge}: the merged values, ascending, and each one's group. */
  readonly merged: Float64Array;
  readonly tags: Int32Array;
  /** Scratch for the tests: one number per value, and two per group. */
  readonly scratch: Float64Array;
  readonly sums: Float64Array;
  readonly corrections: Float64Array;
  /** Tables a test keeps by the number of values (Fligner-Killeen's normal scores of ranks). */
  readonly tables = new Map<number, Float64Array>();
  readonly #sorted: Float64Array;
  readonly #deviations: Float64Array;
  readonly #sortedDeviations: Float64Array;
  readonly #counts: Int32Array;
  readonly #heads: Int32Array;
  #ready = 0;

  constructor(readonly index: BatchIndex) {
    const samples = index.codes.length;
    const batches = index.labels.length;
    this.starts = new Int32Array(batches + 1);
    this.codes = new Int32Array(batches);
    this.medians = new Float64Array(batches);
    this.#counts = new Int32Array(batches);
    this.#heads = new Int32Array(batches);
    this.values = new Float64Array(samples);
    this.merged = new Float64Array(samples);
    this.tags = new Int32Array(samples);
    this.scratch = new Float64Array(samples);
    this.sums = new Float64Array(batches);
    this.corrections = new Float64Array(batches);
    this.#sorted = new Float64Array(samples);
    this.#deviations = new Float64Array(samples);
    this.#sortedDeviations = new Float64Array(samples);
  }

  /**
   * Reads a feature from `data` at `offset + i * stride` for sample i.
   *
   * @throws {@link InvalidValueError} for a value that is neither finite nor NaN.
   */
  load(data: ArrayLike<number>, offset: number, stride: number, where: FeatureWhere): this {
    const { codes: batchOf, labels } = this.index;
    const samples = batchOf.length;
    const counts = this.#counts;
    counts.fill(0);
    for (let i = 0; i < samples; i++) {
      const x = data[offset + i * stride] as number;
      if (Number.isNaN(x)) continue;
      if (!Number.isFinite(x)) {
        throw new InvalidValueError(`${named(where)}value is ${x}; expected a finite number or NaN for a missing value`, { sample: i, ...context(where) });
      }
      counts[batchOf[i] as number]++;
    }
    // counts become each batch's next slot in values (-1: no group).
    let k = 0;
    let n = 0;
    for (let b = 0; b < labels.length; b++) {
      const count = counts[b] as number;
      if (count === 0) {
        counts[b] = -1;
        continue;
      }
      this.codes[k] = b;
      this.starts[k++] = n;
      counts[b] = n;
      n += count;
    }
    this.starts[k] = n;
    this.k = k;
    this.n = n;
    for (let i = 0; i < samples; i++) {
      const x = data[offset + i * stride] as number;
      if (!Number.isNaN(x)) this.values[counts[batchOf[i] as number]++] = x;
    }
    this.#ready = 0;
    return this;
  }

  /** The number of values of group g. */
  size(g: number): number {
    return (this.starts[g + 1] as number) - (this.starts[g] as number);
  }

  /** The batch label of group g. */
  label(g: number): string {
    return this.index.labels[this.codes[g] as number] as string;
  }

  /** Group g's values, as a copy. */
  group(g: number): Float64Array {
    return this.values.slice(this.starts[g], this.starts[g + 1]);
  }

  /** Each group's values ascending (and the groups' medians filled in). */
  sorted(): Float64Array {
    if ((this.#ready & SORTED) === 0) {
      sortGroups(this.values, this.#sorted, this.starts, this.k);
      for (let g = 0; g < this.k; g++) this.medians[g] = sortedMedian(this.#sorted, this.starts[g] as number, this.starts[g + 1] as number);
      this.#ready |= SORTED;
    }
    return this.#sorted;
  }

  /** Each value's absolute deviation from its group's median, in the order of `values`. */
  deviations(): Float64Array {
    if ((this.#ready & DEVIATIONS) === 0) {
      this.sorted();
      for (let g = 0; g < this.k; g++) {
        const centre = this.medians[g] as number;
        for (let i = this.starts[g] as number; i < (this.starts[g + 1] as number); i++) this.#deviations[i] = Math.abs((this.values[i] as number) - centre);
      }
      this.#ready |= DEVIATIONS;
    }
    return this.#deviations;
  }

  /**
   * The deviations with each group's ascending: no sort, since the sorted group's deviations
   * fall to its median and rise after it, so two runs merged (|x - median| as `deviations` computes it).
   */
  sortedDeviations(): Float64Array {
    if ((this.#ready & SORTED_DEVIATIONS) === 0) {
      const sorted = this.sorted();
      const out = this.#sortedDeviations;
      for (let g = 0; g < this.k; g++) {
        const start = this.starts[g] as number;
        const end = this.starts[g + 1] as number;
        const centre = this.medians[g] as number;
        let right = start;
        while (right < end && (sorted[right] as number) < centre) right++;
        let left = right - 1;
        for (let o = start; o < end; o++) {
          const below = left >= start ? Math.abs((sorted[left] as number) - centre) : Infinity;
          const above = right < end ? Math.abs((sorted[right] as number) - centre) : Infinity;
          if (below <= above) {
            out[o] = below;
            left--;
          } else {
            out[o] = above;
            right++;
          }
        }
      }
      this.#ready |= SORTED_DEVIATIONS;
    }
    return this.#sortedDeviations;
  }

  /**
   * Merges groups sorted each (`sorted()` or `sortedDeviations()`) into `merged`, ascending, with
   * each value's group in `tags`: the one order the rank tests rank by.
   */
  merge(sorted: Float64Array): void {
    const { k, n, starts, merged, tags } = this;
    const heads = this.#heads;
    for (let g = 0; g < k; g++) heads[g] = starts[g] as number;
    for (let r = 0; r < n; r++) {
      let best = -1;
      let smallest = Infinity;
      for (let g = 0; g < k; g++) {
        const head = heads[g] as number;
        if (head < (starts[g + 1] as number) && (best < 0 || (sorted[head] as number) < smallest)) {
          best = g;
          smallest = sorted[head] as number;
        }
      }
      merged[r] = smallest;
      tags[r] = best;
      heads[best]++;
    }
  }
}

const SORTED = 1;
const DEVIATIONS = 2;
const SORTED_DEVIATIONS = 4;

/** Copies `from` to `to` and sorts each group's stretch of it (natively, as typed arrays sort). */
function sortGroups(from: Float64Array, to: Float64Array, starts: Int32Array, k: number): void {
  to.set(from.subarray(0, starts[k]));
  for (let g = 0; g < k; g++) to.subarray(starts[g], starts[g + 1]).sort();
}

/** The median of ascending values from `start` to `end` (not inclusive). */
function sortedMedian(sorted: Float64Array, start: number, end: number): number {
  const n = end - start;
  const half = start + (n >> 1);
  return n % 2 === 1 ? (sorted[half] as number) : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
}

/**
 * A feature's finite values by batch, read from `data` at `offset + i * stride` for sample i, with
 * the checks of a single-feature test.
 *
 * @throws {@link InvalidValueError} for a value that is neither finite nor NaN.
 * @throws {@link TooFewBatchesError} when fewer than two batches have a finite value.
 * @throws {@link TooFewSamplesError} when `least` is given and a batch has fewer finite values.
 */
export function groupValues(data: ArrayLike<number>, offset: number, stride: number, index: BatchIndex, where: FeatureWhere, test: string, least = 1): FeatureGroups {
  const groups = new FeatureGroups(index).load(data, offset, stride, where);
  if (groups.k < 2) {
    const found = Array.from({ length: groups.k }, (_, g) => JSON.stringify(groups.label(g)));
    throw new TooFewBatchesError(`${named(where)}expected finite values in at least 2 batches for the ${test}; found ${groups.k}${found.length > 0 ? ` (${found.join(', ')})` : ''}`, context(where));
  }
  for (let g = 0; g < groups.k; g++) {
    const size = groups.size(g);
    if (size < least) {
      throw new TooFewSamplesError(`${named(where)}batch ${JSON.stringify(groups.label(g))} has ${size} finite value${size === 1 ? '' : 's'}; expected at least ${least} in every batch for the ${test}`, context(where));
    }
  }
  return groups;
}

/** The error context of a feature. */
export function context(where: FeatureWhere): { feature?: number } {
  return where.feature === undefined ? {} : { feature: where.feature };
}

/** The feature's name as a message prefix (`lh_thickness: `), or nothing. */
export function named(where: FeatureWhere): string {
  return where.name === undefined ? '' : `${where.name}: `;
}
