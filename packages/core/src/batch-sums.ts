import { allocateLocal, type Allocate } from './allocate.js';
import { listNonZero } from './design-matrix.js';

/**
 * One batch's sufficient statistics while they are built: per feature the count of finite values,
 * their mean, the sums of the deviations from it and of their squares, and per covariate column
 * the sum of the covariate times the deviation (the deviations are from the mean as stored, so
 * the sums stay exact about it even where the mean is rounded); per batch the sample count and the covariates' sums and cross
 * products; and, for features with missing cells, the count, covariate sums and cross products of
 * the rows where the feature is missing. Blocks of rows are summed around their own mean, then
 * merged (Chan, Golub and LeVeque's pairwise update), so no single observation is kept: a batch
 * of one sample is its own mean.
 */
export class BatchSums {
  samples = 0;
  readonly covariateSum: Float64Array;
  readonly covariateCross: Float64Array;
  readonly finite: Float64Array;
  readonly mean: Float64Array;
  /** Sum of the deviations from `mean` (0 but for the rounding of the mean). */
  readonly deviationSum: Float64Array;
  readonly squares: Float64Array;
  /** `k * features + v`: sum over finite cells of covariate k times (value - mean). */
  readonly covariateValueSum: Float64Array;
  /** Per feature with a missing cell: count, q covariate sums, q x q cross products of those rows. */
  readonly missing = new Map<number, Float64Array>();

  /** Zero sums of q covariate columns and `features` features; `allocate` gives the per-feature sums' memory. */
  constructor(
    readonly q: number,
    readonly features: number,
    allocate: Allocate = allocateLocal,
  ) {
    this.covariateSum = new Float64Array(q);
    this.covariateCross = new Float64Array(q * q);
    this.finite = new Float64Array(features);
    this.mean = new Float64Array(allocate(features * 8));
    this.deviationSum = new Float64Array(allocate(features * 8));
    this.squares = new Float64Array(allocate(features * 8));
    this.covariateValueSum = new Float64Array(allocate(q * features * 8));
  }

  /** Size of one {@link missing} entry. */
  get missingStride(): number {
    return 1 + this.q + this.q * this.q;
  }

  /** Whether every feature's mean is finite: an infinite value leaves one that is not (as can values near the float64 limit). */
  hasFiniteMeans(): boolean {
    const { mean } = this;
    for (let v = 0; v < mean.length; v++) if ((mean[v] as number) - (mean[v] as number) !== 0) return false;
    return true;
  }

  /** Back to no samples (a scratch reused for each block). */
  reset(): void {
    this.samples = 0;
    for (const array of [this.covariateSum, this.covariateCross, this.finite, this.mean, this.deviationSum, this.squares, this.covariateValueSum]) array.fill(0);
    this.missing.clear();
  }

  /**
   * Sums rows `rows` of `data` with their encoded covariates (q per sample), all of this batch,
   * into this (empty) object, in one pass: about each feature's first finite value of the block,
   * then moved to the block's mean (a constant feature's mean is exactly its value). The first
   * value is not kept. Row i's values are `data[i * stride + offset + v]` for this object's
   * features v: a range of the columns of a wider sample-major matrix (each feature's sums do not
   * depend on the others, so any split of the columns gives the same sums).
   */
  sumRows(data: ArrayLike<number>, stride: number, offset: number, covariates: Float64Array, rows: readonly number[]): void {
    const V = this.features;
    const q = this.q;
    const { finite, mean, deviationSum, squares, covariateValueSum } = this;
    // NaN marks a feature without a finite value yet; `mean` holds the first one meanwhile.
    mean.fill(NaN);
    // Per row (j-th of `rows`), the covariates that are not zero and where their sums start
    // (`width` slots, at least the two the loop below writes out).
    const width = Math.max(q, 2);
    const used = new Int32Array(rows.length);
    const nonZero = new Float64Array(rows.length * width);
    const nonZeroAt = new Int32Array(rows.length * width);
    rows.forEach((i, j) => {
      const c = covariates.subarray(i * q, i * q + q);
      this.addCovariateRow(c);
      used[j] = listNonZero(c, V, nonZero.subarray(j * width, (j + 1) * width), nonZeroAt.subarray(j * width, (j + 1) * width));
    });
    // The features in tiles, each through every row, so that their sums stay in cache; each
    // feature still takes the rows in order.
    for (let from = 0; from < V; from += TILE) {
      const to = Math.min(V, from + TILE);
      for (let j = 0; j < rows.length; j++) {
        const i = rows[j] as number;
        const count = used[j] as number;
        const n0 = nonZero[j * width] as number;
        const a0 = nonZeroAt[j * width] as number;
        const n1 = nonZero[j * width + 1] as number;
        const a1 = nonZeroAt[j * width + 1] as number;
        const at = i * stride + offset;
        for (let v = from; v < to; v++) {
          const y = data[at + v] as number;
          if (y === y) {
            let first = mean[v] as number;
            if (first !== first) mean[v] = first = y;
            const d = y - first;
            deviationSum[v] += d;
            squares[v] += d * d;
            if (count > 0) {
              covariateValueSum[a0 + v] += n0 * d;
              if (count > 1) {
                covariateValueSum[a1 + v] += n1 * d;
                for (let k = 2; k < count; k++) covariateValueSum[nonZeroAt[j * width + k]! + v] += nonZero[j * width + k]! * d;
              }
            }
          } else {
            this.addMissing(v, covariates.subarray(i * q, i * q + q));
          }
        }
      }
    }
    const sums = new Float64Array(q);
    for (let v = 0; v < V; v++) {
      const n = this.samples - (this.missing.size === 0 ? 0 : (this.missing.get(v)?.[0] ?? 0));
      finite[v] = n;
      if (n === 0) {
        mean[v] = 0;
        continue;
      }
      // Move the sums from the first value to the mean: d' = d - move.
      const first = mean[v] as number;
      const total = deviationSum[v] as number;
      const move = first + total / n - first;
      if (move === 0) continue;
      mean[v] = first + move;
      deviationSum[v] = total - n * move;
      squares[v] += n * move * move - 2 * move * total;
      const finiteSums = this.finiteCovariateSum(v, sums);
      for (let k = 0; k < q; k++) covariateValueSum[k * V + v] -= move * (finiteSums[k] as number);
    }
  }

  /**
   * Adds one row (`row` of V values, its encoded covariates `c`): the same arithmetic as merging a
   * block of that one row, without building the block (a stream adds one volume at a time).
   */
  addRow(row: ArrayLike<number>, c: Float64Array): void {
    const V = this.features;
    const q = this.q;
    const { finite, mean, deviationSum, squares, covariateValueSum } = this;
    const before = new Float64Array(q);
    // Without missing cells so far, every feature's finite rows are all the rows.
    const complete = this.missing.size === 0;
    for (let v = 0; v < V; v++) {
      const y = row[v] as number;
      if (y !== y) {
        this.addMissing(v, c);
        continue;
      }
      const nA = finite[v] as number;
      if (nA === 0) {
        finite[v] = 1;
        mean[v] = y;
        continue;
      }
      const sums = complete ? this.covariateSum : this.finiteCovariateSum(v, before);
      const n = nA + 1;
      const meanA = mean[v] as number;
      const merged = meanA + (y - meanA) / n;
      const moveA = meanA - merged;
      const moveB = y - merged;
      const dA = deviationSum[v] as number;
      mean[v] = merged;
      squares[v] += moveA * (2 * dA + nA * moveA) + moveB * moveB;
      deviationSum[v] = dA + nA * moveA + moveB;
      for (let k = 0, at = v; k < q; k++, at += V) covariateValueSum[at] += moveA * (sums[k] as number) + moveB * (c[k] as number);
      finite[v] = n;
    }
    this.addCovariateRow(c);
  }

  /** Adds another batch's sums (same q and features) to these; the other is not changed. */
  merge(other: BatchSums): void {
    const V = this.features;
    const q = this.q;
    const mine = new Float64Array(q);
    const theirs = new Float64Array(q);
    for (let v = 0; v < V; v++) {
      const nB = other.finite[v] as number;
      if (nB === 0) continue;
      const nA = this.finite[v] as number;
      if (nA === 0) {
        this.finite[v] = nB;
        this.mean[v] = other.mean[v] as number;
        this.deviationSum[v] = other.deviationSum[v] as number;
        this.squares[v] = other.squares[v] as number;
        for (let k = 0; k < q; k++) this.covariateValueSum[k * V + v] = other.covariateValueSum[k * V + v] as number;
        continue;
      }
      const sumsA = this.finiteCovariateSum(v, mine);
      const sumsB = other.finiteCovariateSum(v, theirs);
      const n = nA + nB;
      const meanA = this.mean[v] as number;
      const meanB = other.mean[v] as number;
      const mean = meanA + ((meanB - meanA) * nB) / n;
      // Each part's sums move from its own mean to the merged one: d' = d + move.
      const moveA = meanA - mean;
      const moveB = meanB - mean;
      const [dA, dB] = [this.deviationSum[v] as number, other.deviationSum[v] as number];
      this.mean[v] = mean;
      this.squares[v] += 2 * moveA * dA + nA * moveA * moveA + (other.squares[v] as number) + 2 * moveB * dB + nB * moveB * moveB;
      this.deviationSum[v] = dA + nA * moveA + dB + nB * moveB;
      for (let k = 0; k < q; k++) {
        this.covariateValueSum[k * V + v] += moveA * (sumsA[k] as number) + (other.covariateValueSum[k * V + v] as number) + moveB * (sumsB[k] as number);
      }
      this.finite[v] = n;
    }
    this.samples += other.samples;
    addInto(this.covariateSum, other.covariateSum);
    addInto(this.covariateCross, other.covariateCross);
    for (const [v, entry] of other.missing) addInto(this.getMissingEntry(v), entry);
  }

  /**
   * The covariate sums over the rows where feature v is finite: `covariateSum` itself when no
   * cell of v is missing, else written into `scratch`.
   */
  finiteCovariateSum(v: number, scratch: Float64Array): Float64Array {
    const entry = this.missing.size === 0 ? undefined : this.missing.get(v);
    if (entry === undefined) return this.covariateSum;
    for (let k = 0; k < this.q; k++) scratch[k] = (this.covariateSum[k] as number) - (entry[1 + k] as number);
    return scratch;
  }

  private addCovariateRow(c: Float64Array): void {
    const q = this.q;
    this.samples += 1;
    for (let k = 0; k < q; k++) {
      this.covariateSum[k] += c[k] as number;
      for (let l = 0; l < q; l++) this.covariateCross[k * q + l] += (c[k] as number) * (c[l] as number);
    }
  }

  private addMissing(v: number, c: Float64Array): void {
    const entry = this.getMissingEntry(v);
    const q = this.q;
    entry[0] += 1;
    for (let k = 0; k < q; k++) {
      entry[1 + k] += c[k] as number;
      for (let l = 0; l < q; l++) entry[1 + q + k * q + l] += (c[k] as number) * (c[l] as number);
    }
  }

  private getMissingEntry(v: number): Float64Array {
    let entry = this.missing.get(v);
    if (entry === undefined) {
      entry = new Float64Array(this.missingStride);
      this.missing.set(v, entry);
    }
    return entry;
  }
}

/** Features in a tile of {@link BatchSums.sumRows}: their sums (a few arrays of them) fit in a core's cache. */
const TILE = 2048;

export function addInto(target: Float64Array, source: ArrayLike<number>): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i] as number;
}
