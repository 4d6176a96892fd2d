import { refuseArgument } from '@combat/base/internal';
import { requireCoding } from './covariate-checks.js';
import { encodeCovariates, type DesignCoding, type EncodedRows } from './design.js';
import { EmptyInputError, IncompatibleAccumulatorError } from './errors.js';
import { checkEncodedRows, checkInputs, checkMatrix, checkNoInfinity } from './input-checks.js';
import type { Covariates, DataMatrix } from './types.js';

/**
 * The sufficient statistics of a ComBat fit (section 8 of docs/combat-spec.md), added one row or
 * block at a time in any order and merged by addition. Each batch's values of a feature are
 * accumulated relative to a shift (the first finite value that batch showed), so data far from
 * zero (e.g. offset by 1e6) keep their digits, and a batch is constant in a feature exactly when
 * its shifted sum of squares is 0.
 *
 * It holds B x (q + 3) x V float64 values (B batches, q covariate columns, V features: per batch
 * and feature the shift, the sum, the sum of squares and q covariate-by-value sums), B x (1 + q +
 * q^2) for the design, and B x (1 + q + q^2) more for each feature that has a missing cell: its
 * size does not depend on the number of samples.
 *
 * Layouts: per batch `b` and feature `v`, index `b * features + v`; covariate sums per batch
 * `b * q + k`; covariate-by-feature sums `(b * q + k) * features + v`.
 *
 * @example
 * ```ts
 * // Each site accumulates its own samples; the merged statistics give the fit of all of them.
 * const coding = codeDesign(covariates);
 * const siteA = new CombatAccumulator(coding, 3).add(blockA, covariatesA);
 * const siteB = new CombatAccumulator(coding, 3).add(blockB, covariatesB);
 * const { model: pooled } = finalizeModel(siteA.merge(siteB));
 * pooled.gammaStar.every((g, k) => Math.abs(g - model.gammaStar[k]) < 1e-12); // true
 * ```
 */
export class CombatAccumulator {
  /** Covariate columns (design columns after the batch columns). */
  readonly q: number;
  /** Samples added per batch. */
  readonly count: Float64Array;
  /** Per batch: sum of covariate rows (q) and of their outer products (q x q). */
  readonly covariateSum: Float64Array;
  readonly covariateCross: Float64Array;
  /** Per batch and feature: the value subtracted before accumulating (NaN until one is seen). */
  readonly shift: Float64Array;
  /** Per batch and feature, over finite cells: sum and sum of squares of shifted values. */
  readonly sum: Float64Array;
  readonly sumSquares: Float64Array;
  /** Per batch, covariate and feature: sum of covariate times shifted value over finite cells. */
  readonly covariateValueSum: Float64Array;
  /**
   * Features with missing cells: per batch, the count, covariate sum and covariate cross
   * products of the rows where the feature is missing (subtracted from the complete-row sums).
   */
  readonly missing = new Map<number, Float64Array>();
  /** Per batch: how many features have no shift yet (no finite value seen). */
  private readonly unsetShifts: Float64Array;

  /**
   * An empty accumulator for samples of a design coding (from {@link codeDesign}) with `features`
   * values each.
   *
   * @throws {@link InvalidArgumentError} when `coding` is not a design coding as `codeDesign`
   * makes one, or `features` is not a number.
   * @throws {@link EmptyInputError} when `features` is not a positive integer.
   */
  constructor(
    /** The design coding every added sample is encoded with. */
    readonly coding: DesignCoding,
    /** The number of values of each sample. */
    readonly features: number,
  ) {
    requireCoding(coding, 'CombatAccumulator');
    if (typeof features !== 'number') refuseArgument('CombatAccumulator: features', 'a positive integer', features);
    if (!Number.isInteger(features) || features < 1) {
      throw new EmptyInputError(`expected at least one feature; found ${features}`);
    }
    const batches = coding.batches.length;
    this.q = coding.columns.length - batches;
    this.count = new Float64Array(batches);
    this.covariateSum = new Float64Array(batches * this.q);
    this.covariateCross = new Float64Array(batches * this.q * this.q);
    this.shift = new Float64Array(batches * features).fill(NaN);
    this.unsetShifts = new Float64Array(batches).fill(features);
    this.sum = new Float64Array(batches * features);
    this.sumSquares = new Float64Array(batches * features);
    this.covariateValueSum = new Float64Array(batches * this.q * features);
  }

  /** Size of one batch's block in a {@link missing} entry: count, q sums, q x q products. */
  get missingStride(): number {
    return 1 + this.q + this.q * this.q;
  }

  /**
   * Adds a block of samples (any number, any order) with their covariates, and returns this
   * accumulator. A failed call adds nothing.
   *
   * @throws {@link InvalidArgumentError} when `matrix` or `covariates` is not of the right kind.
   * @throws {@link ShapeMismatchError} when the data are not `samples x features` values of this
   * accumulator's feature count, or a covariate column has another length.
   * @throws {@link EmptyInputError} when `matrix.samples` is not a positive integer.
   * @throws {@link InvalidValueError} when a data value is infinite, a label is missing, or a
   * continuous covariate is not finite.
   * @throws {@link UnknownBatchError} or {@link UnknownCovariateError} when the covariates do not
   * fit the coding (a batch or level it does not know, a covariate it lacks or does not have).
   *
   * @example
   * ```ts
   * // One sample at a time, as a stream delivers them.
   * const accumulator = new CombatAccumulator(model.coding, 3);
   * for (let i = 0; i < matrix.samples; i++) {
   *   const sample = { data: matrix.data.subarray(i * 3, i * 3 + 3), samples: 1, features: 3 };
   *   accumulator.add(sample, { batch: [covariates.batch[i]], categorical: { sex: [covariates.categorical.sex[i]] }, continuous: { age: [covariates.continuous.age[i]] } });
   * }
   * Array.from(accumulator.count); // [4, 4]
   * ```
   */
  add(matrix: DataMatrix, covariates: Covariates): this {
    checkInputs(matrix, covariates, this.features, 'add');
    return this.addEncoded(matrix, encodeCovariates(this.coding, covariates));
  }

  /**
   * Adds a block whose covariates are already encoded with this accumulator's coding (by
   * {@link encodeCovariates}), and returns this accumulator. A failed call adds nothing.
   *
   * @throws {@link InvalidArgumentError} when `matrix` or `rows` is not of the right kind.
   * @throws {@link ShapeMismatchError} when the data are not `samples x features` values of this
   * accumulator's feature count, or `rows` describe another number of samples or covariates.
   * @throws {@link EmptyInputError} when `matrix.samples` is not a positive integer.
   * @throws {@link InvalidValueError} when a data value is infinite, or `rows` hold a batch index
   * out of range or a covariate value that is not finite.
   *
   * @example
   * ```ts
   * const rows = encodeCovariates(model.coding, covariates);
   * new CombatAccumulator(model.coding, 3).addEncoded(matrix, rows).count[1]; // 4
   * ```
   */
  addEncoded(matrix: DataMatrix, rows: EncodedRows): this {
    checkMatrix(matrix, this.features, 'addEncoded');
    checkEncodedRows(rows, matrix.samples, this.coding, 'addEncoded');
    checkNoInfinity(matrix);
    const { data, samples } = matrix;
    const V = this.features;
    const q = this.q;
    const { shift, sum, sumSquares, covariateValueSum } = this;
    const covariates = rows.covariates;
    for (let i = 0; i < samples; i++) this.addCovariateRow(rows.batchIndex[i], covariates.subarray(i * q, i * q + q));
    this.initShifts(data, samples, rows.batchIndex);
    // The covariates of the sample that are not zero, and where their sums start.
    const nonZero = new Float64Array(q);
    const nonZeroAt = new Int32Array(q);
    for (let i = 0; i < samples; i++) {
      const b = rows.batchIndex[i];
      const row = i * V;
      const bv = b * V;
      let used = 0;
      for (let k = 0; k < q; k++) {
        if (covariates[i * q + k] === 0) continue;
        nonZero[used] = covariates[i * q + k];
        nonZeroAt[used++] = (b * q + k) * V;
      }
      for (let v = 0; v < V; v++) {
        const y = data[row + v];
        if (y === y) {
          const d = y - shift[bv + v];
          sum[bv + v] += d;
          sumSquares[bv + v] += d * d;
          for (let k = 0; k < used; k++) covariateValueSum[nonZeroAt[k] + v] += nonZero[k] * d;
        } else {
          this.addMissing(v, b, covariates.subarray(i * q, i * q + q));
        }
      }
    }
    return this;
  }

  /**
   * Adds another accumulator's statistics to this one (same coding and features) and returns
   * this one. The other is left unchanged. Merging in any order gives the same fit to rounding.
   *
   * @throws {@link InvalidArgumentError} when `other` is not a CombatAccumulator.
   * @throws {@link IncompatibleAccumulatorError} when `other` is this accumulator, or has another
   * feature count or design coding.
   *
   * @example
   * ```ts
   * const coding = codeDesign(covariates);
   * const pooled = new CombatAccumulator(coding, 3).merge(new CombatAccumulator(coding, 3).add(blockA, covariatesA));
   * Array.from(pooled.count); // [4, 0]
   * new CombatAccumulator(coding, 3).merge(new CombatAccumulator(coding, 4));
   * // throws IncompatibleAccumulatorError: cannot merge an accumulator of 4 features into one of 3
   * ```
   */
  merge(other: CombatAccumulator): this {
    if (!(other instanceof CombatAccumulator)) refuseArgument('merge: other', 'a CombatAccumulator', other);
    if (other === this) throw new IncompatibleAccumulatorError('cannot merge an accumulator into itself');
    if (other.features !== this.features) {
      throw new IncompatibleAccumulatorError(`cannot merge an accumulator of ${other.features} features into one of ${this.features}`);
    }
    if (JSON.stringify(other.coding) !== JSON.stringify(this.coding)) {
      throw new IncompatibleAccumulatorError(
        `cannot merge accumulators with different designs: ${JSON.stringify(other.coding.columns)} (ref ${other.coding.refBatch}) vs ${JSON.stringify(this.coding.columns)} (ref ${this.coding.refBatch})`,
      );
    }
    const V = this.features;
    const B = this.coding.batches.length;
    const q = this.q;
    const finiteCount = new Float64Array(B);
    const finiteCovariateSum = new Float64Array(B * q);
    for (let v = 0; v < V; v++) {
      other.countFinite(v, finiteCount, finiteCovariateSum);
      for (let b = 0; b < B; b++) {
        const at = b * V + v;
        const theirs = other.shift[at];
        if (theirs !== theirs) continue;
        if (this.shift[at] !== this.shift[at]) {
          this.shift[at] = theirs;
          this.unsetShifts[b]--;
        }
        // Their sums are around their shift; move them to ours (delta = theirs - ours).
        const delta = theirs - this.shift[at];
        const m = finiteCount[b];
        const s = other.sum[at];
        this.sum[at] += s + m * delta;
        this.sumSquares[at] += other.sumSquares[at] + 2 * delta * s + m * delta * delta;
        for (let k = 0; k < q; k++) {
          const cAt = (b * q + k) * V + v;
          this.covariateValueSum[cAt] += other.covariateValueSum[cAt] + delta * finiteCovariateSum[b * q + k];
        }
      }
    }
    addInto(this.count, other.count);
    addInto(this.covariateSum, other.covariateSum);
    addInto(this.covariateCross, other.covariateCross);
    for (const [v, entry] of other.missing) addInto(this.getMissingEntry(v), entry);
    return this;
  }

  /**
   * Writes, per batch, the number of finite cells of feature `v` into `count` (B) and the
   * covariate sums over those rows into `covariateSum` (B x q).
   */
  countFinite(v: number, count: Float64Array, covariateSum: Float64Array): void {
    count.set(this.count);
    covariateSum.set(this.covariateSum);
    const entry = this.missing.get(v);
    if (entry === undefined) return;
    const stride = this.missingStride;
    for (let b = 0; b < this.coding.batches.length; b++) {
      count[b] -= entry[b * stride];
      for (let k = 0; k < this.q; k++) covariateSum[b * this.q + k] -= entry[b * stride + 1 + k];
    }
  }

  /**
   * Feature `v`'s per-batch sums (of y, y^2 and covariate times y, over finite cells) taken
   * around one common origin rather than each batch's shift, given the finite counts and
   * covariate sums from {@link countFinite}. Writes `sum` (B), `sumSquares` (B) and
   * `covariateValueSum` (B x q).
   */
  sumAround(
    v: number,
    origin: number,
    count: Float64Array,
    covariateSum: Float64Array,
    sum: Float64Array,
    sumSquares: Float64Array,
    covariateValueSum: Float64Array,
  ): void {
    const V = this.features;
    const q = this.q;
    for (let b = 0; b < this.coding.batches.length; b++) {
      const at = b * V + v;
      const own = this.shift[at];
      // Sums around `own` moved to `origin` (delta = own - origin); an unset shift has zero sums.
      const delta = own === own ? own - origin : 0;
      const m = count[b];
      const s = this.sum[at];
      sum[b] = s + m * delta;
      sumSquares[b] = this.sumSquares[at] + 2 * delta * s + m * delta * delta;
      for (let k = 0; k < q; k++) covariateValueSum[b * q + k] = this.covariateValueSum[(b * q + k) * V + v] + delta * covariateSum[b * q + k];
    }
  }

  private initShifts(data: ArrayLike<number>, samples: number, batchIndex: Int32Array): void {
    const V = this.features;
    const shift = this.shift;
    const unset = this.unsetShifts;
    for (let i = 0; i < samples; i++) {
      const b = batchIndex[i];
      if (unset[b] === 0) continue;
      for (let v = 0; v < V; v++) {
        const y = data[i * V + v];
        if (shift[b * V + v] !== shift[b * V + v] && y === y) {
          shift[b * V + v] = y;
          unset[b]--;
        }
      }
    }
  }

  private addMissing(v: number, b: number, c: Float64Array): void {
    const entry = this.getMissingEntry(v);
    const stride = this.missingStride;
    const q = this.q;
    entry[b * stride] += 1;
    for (let k = 0; k < q; k++) {
      entry[b * stride + 1 + k] += c[k];
      for (let l = 0; l < q; l++) entry[b * stride + 1 + q + k * q + l] += c[k] * c[l];
    }
  }

  private getMissingEntry(v: number): Float64Array {
    let entry = this.missing.get(v);
    if (entry === undefined) {
      entry = new Float64Array(this.coding.batches.length * this.missingStride);
      this.missing.set(v, entry);
    }
    return entry;
  }

  private addCovariateRow(b: number, c: Float64Array): void {
    const q = this.q;
    this.count[b] += 1;
    for (let k = 0; k < q; k++) {
      this.covariateSum[b * q + k] += c[k];
      for (let l = 0; l < q; l++) this.covariateCross[(b * q + k) * q + l] += c[k] * c[l];
    }
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}
