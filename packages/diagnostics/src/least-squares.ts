import { Matrix, QrDecomposition } from 'ml-matrix';

/**
 * Least squares on one design (rows x columns, full column rank checked) by Householder QR
 * (ml-matrix), as R's `lm.fit` solves it. The thin Q and R are kept as plain arrays, so each
 * feature is fitted by loops over them: Q'y, the residuals y - Q Q'y, and the coefficients by back
 * substitution in R. A column whose diagonal entry of R is at most 1e-7 of its norm (R's
 * tolerance) adds nothing to the columns before it, and is reported in `deficient`.
 */
export class LeastSquares {
  readonly rows: number;
  readonly columns: number;
  /** Indices of the design's columns that depend on the columns before them (empty: full rank). */
  readonly deficient: readonly number[];
  /** Thin Q, column-major: q[j * rows + i]. */
  readonly #q: Float64Array;
  /** R, row-major: r[j * columns + k]. */
  readonly #r: Float64Array;
  readonly #qty: Float64Array;

  constructor(design: Matrix) {
    this.rows = design.rows;
    this.columns = design.columns;
    const qr = new QrDecomposition(design);
    const q = qr.orthogonalMatrix;
    const r = qr.upperTriangularMatrix;
    this.#q = new Float64Array(this.rows * this.columns);
    this.#r = new Float64Array(this.columns * this.columns);
    const deficient: number[] = [];
    for (let j = 0; j < this.columns; j++) {
      let norm = 0;
      for (let i = 0; i < this.rows; i++) {
        norm += design.get(i, j) ** 2;
        this.#q[j * this.rows + i] = q.get(i, j);
      }
      for (let k = 0; k < this.columns; k++) this.#r[j * this.columns + k] = r.get(j, k);
      if (!(Math.abs(r.get(j, j)) > RANK_TOLERANCE * Math.sqrt(norm))) deficient.push(j);
    }
    this.deficient = deficient;
    this.#qty = new Float64Array(this.columns);
  }

  /**
   * Fits y (one value per row): writes the residuals to `residuals` and, when given, the
   * coefficients to `coefficients`; returns the residual sum of squares.
   */
  fit(y: Float64Array, residuals: Float64Array, coefficients?: Float64Array): number {
    const { rows, columns } = this;
    const q = this.#q;
    const qty = this.#qty;
    for (let j = 0; j < columns; j++) {
      let dot = 0;
      const offset = j * rows;
      for (let i = 0; i < rows; i++) dot += (q[offset + i] as number) * (y[i] as number);
      qty[j] = dot;
    }
    residuals.set(y.subarray(0, rows));
    for (let j = 0; j < columns; j++) {
      const c = qty[j] as number;
      const offset = j * rows;
      for (let i = 0; i < rows; i++) residuals[i] -= c * (q[offset + i] as number);
    }
    let rss = 0;
    for (let i = 0; i < rows; i++) rss += (residuals[i] as number) ** 2;
    if (coefficients !== undefined) {
      const r = this.#r;
      for (let j = columns - 1; j >= 0; j--) {
        let sum = qty[j] as number;
        for (let k = j + 1; k < columns; k++) sum -= (r[j * columns + k] as number) * (coefficients[k] as number);
        coefficients[j] = sum / (r[j * columns + j] as number);
      }
    }
    return rss;
  }
}

/** R's `lm.fit` tolerance on the diagonal of R relative to the column norm. */
const RANK_TOLERANCE = 1e-7;
