import { checkObject, refuseArgument } from '@combat/base/internal';
import { allocateLocal, type Allocate } from './allocate.js';
import { BatchSums } from './batch-sums.js';
import { requireCoding } from './covariate-checks.js';
import { encodeCovariates, type CovariateTerm, type DesignCoding, type EncodedRows } from './design.js';
import { countColumns } from './design-names.js';
import { EmptyInputError } from './errors.js';
import { checkEncodedRows, checkInputs, checkMatrix, checkNoInfinity } from './input-checks.js';
import { compareCodePoints } from './code-point-order.js';
import { STATISTICS_VERSION, packBatch, requireStatistics, unpackBatch, type CombatStatistics } from './statistics.js';
import type { Covariates, DataMatrix } from './types.js';

/**
 * Builds {@link CombatStatistics}: add samples one at a time or in blocks, in any order, then take
 * the statistics (to finalize, merge or send elsewhere). Batches appear as their samples do. The
 * statistics' coding is the accumulator's, with each recorded continuous range widened to cover
 * the values added (a range declared null stays null). It
 * holds about B x (q + 3) x V float64 values (B batches, q covariate columns, V features), plus
 * 1 + q + q^2 per batch for each feature with a missing cell: its size does not depend on the
 * number of samples.
 *
 * @example
 * ```ts
 * // Each site accumulates its own samples; the merged statistics give the fit of all of them.
 * const siteA = new CombatAccumulator(model.coding, 3).add(blockA, covariatesA).statistics();
 * const siteB = new CombatAccumulator(model.coding, 3).add(blockB, covariatesB).statistics();
 * const { model: pooled } = finalizeModel(mergeStatistics(siteA, siteB));
 * pooled.batches.get('siteB')!.gammaStar; // model.batches.get('siteB')!.gammaStar
 * ```
 */
export class CombatAccumulator {
  /** Per batch label, its sums so far. */
  private readonly sums = new Map<string, BatchSums>();
  /** A block's sums before they are merged into its batch's. */
  private scratch: BatchSums | null = null;
  /** Each continuous term's range (null: not recorded), widened to cover every value added. */
  private readonly ranges: ([number, number] | null)[];
  /** The memory of each batch's per-feature sums (shared memory for {@link accumulateColumns} on a worker). */
  private allocate: Allocate = allocateLocal;

  /**
   * An empty accumulator for samples of a design coding (from {@link codeDesign} or
   * {@link declareDesign}) with `features` values each.
   *
   * @throws {@link InvalidArgumentError} when `coding` is not a design coding, or `features` is
   * not a number.
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
    this.ranges = coding.terms.map((term) => (term.kind !== 'categorical' && term.range !== null ? [term.range[0], term.range[1]] : null));
  }

  /**
   * An accumulator that continues from statistics (copied): add more samples, then take the
   * statistics again.
   *
   * @throws {@link InvalidArgumentError} when `statistics` is not statistics an accumulator
   * makes, naming the field.
   *
   * @example
   * ```ts
   * const siteA = new CombatAccumulator(model.coding, 3).add(blockA, covariatesA).statistics();
   * const both = CombatAccumulator.fromStatistics(siteA).add(blockB, covariatesB).statistics();
   * both.batches.map((batch) => batch.samples); // [4, 4]
   * ```
   */
  static fromStatistics(statistics: CombatStatistics): CombatAccumulator {
    requireStatistics(statistics, 'CombatAccumulator.fromStatistics');
    const accumulator = new CombatAccumulator(statistics.coding, statistics.features);
    const q = statistics.coding.columns.length;
    for (const batch of statistics.batches) accumulator.sums.set(batch.batch, unpackBatch(batch, q, statistics.features));
    return accumulator;
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
   * @throws {@link UnknownCovariateError} when the covariates do not fit the coding (a level it
   * does not know, a covariate it lacks or does not have).
   *
   * @example
   * ```ts
   * // One sample at a time, as a stream delivers them.
   * const accumulator = new CombatAccumulator(model.coding, 3);
   * for (let i = 0; i < matrix.samples; i++) {
   *   const sample = { data: matrix.data.subarray(i * 3, i * 3 + 3), samples: 1, features: 3 };
   *   accumulator.add(sample, { batch: [covariates.batch[i]], categorical: { sex: [covariates.categorical.sex[i]] }, continuous: { age: [covariates.continuous.age[i]] } });
   * }
   * accumulator.statistics().batches.map((batch) => batch.samples); // [4, 4]
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
   * @throws {@link InvalidValueError} when a data value is infinite, or `rows` hold a missing
   * batch label, or a covariate value that is not finite.
   *
   * @example
   * ```ts
   * const rows = encodeCovariates(model.coding, covariates);
   * new CombatAccumulator(model.coding, 3).addEncoded(matrix, rows).statistics().batches[1].samples; // 4
   * ```
   */
  addEncoded(matrix: DataMatrix, rows: EncodedRows): this {
    checkMatrix(matrix, this.features, 'addEncoded');
    checkEncodedRows(rows, matrix.samples, this.coding, 'addEncoded');
    checkNoInfinity(matrix);
    this.addColumns(matrix.data, this.features, 0, rows);
    return this;
  }

  /**
   * Adds columns `offset` to `offset + features` of rows of a sample-major matrix of `stride`
   * columns (inputs checked by the caller): the sums {@link addEncoded} would make of those
   * columns alone.
   */
  private addColumns(data: Float64Array | Float32Array, stride: number, offset: number, rows: EncodedRows): void {
    widenRanges(this.coding, rows, this.ranges);
    const byBatch = new Map<string, number[]>();
    rows.batch.forEach((label, i) => {
      const list = byBatch.get(label);
      if (list === undefined) byBatch.set(label, [i]);
      else list.push(i);
    });
    const q = this.coding.columns.length;
    for (const [label, indices] of byBatch) {
      let target = this.sums.get(label);
      if (target === undefined) {
        target = new BatchSums(q, this.features, this.allocate);
        this.sums.set(label, target);
      }
      if (indices.length === 1) {
        const i = indices[0] as number;
        target.addRow(data.subarray(i * stride + offset, i * stride + offset + this.features), rows.covariates.subarray(i * q, (i + 1) * q));
        continue;
      }
      if (target.samples === 0) {
        // Merged into nothing, a block's sums are themselves: summed in place.
        target.sumRows(data, stride, offset, rows.covariates, indices);
        continue;
      }
      const block = (this.scratch ??= new BatchSums(q, this.features));
      block.reset();
      block.sumRows(data, stride, offset, rows.covariates, indices);
      target.merge(block);
    }
  }

  /**
   * The statistics of every sample added so far (a copy: adding more later does not change it).
   *
   * @example
   * ```ts
   * const statistics = new CombatAccumulator(model.coding, 3).add(matrix, covariates).statistics();
   * statistics.features; // 3
   * finalizeModel(statistics).model.batches.get('siteA')!.gammaStar; // model.batches.get('siteA')!.gammaStar
   * ```
   */
  statistics(): CombatStatistics {
    return this.pack(true);
  }

  /** The statistics, with copies of the sums or (for {@link accumulateColumns}, whose accumulator is not used again) the sums themselves. */
  private pack(copy: boolean): CombatStatistics {
    const labels = [...this.sums.keys()].sort(compareCodePoints);
    const terms = this.coding.terms.map((term, t): CovariateTerm => {
      const range = this.ranges[t];
      return term.kind !== 'categorical' && range !== null && range !== undefined ? { ...term, range: [range[0], range[1]] } : term;
    });
    return {
      version: STATISTICS_VERSION,
      features: this.features,
      coding: { terms, columns: this.coding.columns },
      batches: labels.map((label) => packBatch(label, this.sums.get(label) as BatchSums, copy)),
    };
  }
}

/**
 * The checks of {@link CombatAccumulator.addEncoded} on a new accumulator of the matrix's features,
 * but for infinite values, which {@link accumulateColumns} finds (shared with the threaded
 * accumulation).
 */
export function checkEncodedBlock(coding: DesignCoding, matrix: DataMatrix, rows: EncodedRows): void {
  checkObject(matrix, 'addEncoded: matrix', 'an object { data, samples, features }');
  const { features } = new CombatAccumulator(coding, matrix.features);
  checkMatrix(matrix, features, 'addEncoded');
  checkEncodedRows(rows, matrix.samples, coding, 'addEncoded');
}

/**
 * The statistics of columns `from` to `to` (exclusive) of a checked sample-major matrix with
 * rows encoded by `coding`: the part of the statistics of the whole matrix for those features,
 * bit for bit (see {@link joinStatistics}). What a worker computes for its range of features.
 * An infinite value in those columns is found in the same pass (it leaves a sum that is not
 * finite), then located: the error names the first in row-major order, as {@link checkNoInfinity}.
 * `allocate` gives the memory of the per-feature sums.
 *
 * @throws {@link InvalidValueError} when a value in those columns is infinite.
 */
export function accumulateColumns(coding: DesignCoding, matrix: DataMatrix, rows: EncodedRows, from: number, to: number, allocate: Allocate = allocateLocal): CombatStatistics {
  const accumulator = new CombatAccumulator(coding, to - from);
  accumulator['allocate'] = allocate;
  accumulator['addColumns'](matrix.data, matrix.features, from, rows);
  for (const sums of accumulator['sums'].values()) if (!sums.hasFiniteMeans()) checkNoInfinity(matrix, from, to);
  return accumulator['pack'](false);
}

/**
 * Widens each recorded range (continuous terms whose range is not null) to cover the rows'
 * values: the statistics' coding then gives the range the fit covers, which applying a model
 * warns outside of.
 */
function widenRanges(coding: DesignCoding, rows: EncodedRows, ranges: ([number, number] | null)[]): void {
  const q = coding.columns.length;
  let offset = 0;
  coding.terms.forEach((term, t) => {
    const range = ranges[t];
    if (term.kind !== 'categorical' && range !== null && range !== undefined) {
      // A continuous term's column, and a spline's first, is the covariate's value.
      for (let i = 0; i < rows.samples; i++) {
        const x = rows.covariates[i * q + offset] as number;
        if (x < range[0]) range[0] = x;
        if (x > range[1]) range[1] = x;
      }
    }
    offset += countColumns(term);
  });
}
