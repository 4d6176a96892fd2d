/**
 * Least squares on one design (rows x columns, full column rank checked) by Householder QR, as R's
 * `lm.fit` solves it (LINPACK's Householder reflections, here without pivoting, on plain typed
 * arrays: a design of 200 x 3 takes microseconds, where a general matrix library's QR spends most
 * of its time in matrix objects, and the covariate fit factors a design per pattern of missing
 * cells). The thin Q and R are kept, so each feature is fitted by loops over them: Q'y, the
 * residuals y - Q Q'y, and the coefficients by back substitution in R. A column whose diagonal
 * entry of R is at most 1e-7 of its norm (R's tolerance) adds nothing to the columns before it,
 * and is reported in `deficient`.
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
  /** Q'y of the last {@link fit}: y's coordinates in the design's column space. */
  readonly qty: Float64Array;

  /** `design` is column-major: design[j * rows + i] is row i's value in column j. */
  constructor(design: Float64Array, rows: number, columns: number) {
    this.rows = rows;
    this.columns = columns;
    const a = design.slice(0, rows * columns); // reduced in place to R above the diagonal, the reflections below
    const r = new Float64Array(columns * columns);
    const reflected = new Uint8Array(columns); // whether column j has a reflection (not when a[j.., j] is all 0)
    const deficient: number[] = [];
    for (let j = 0; j < columns; j++) {
      const col = j * rows;
      let norm = 0;
      for (let i = 0; i < rows; i++) norm += (design[col + i] as number) ** 2;
      // The reflection taking a[j.., j] to (alpha, 0, ..., 0).
      let length = 0;
      for (let i = j; i < rows; i++) length += (a[col + i] as number) ** 2;
      length = Math.sqrt(length);
      const alpha = (a[col + j] as number) > 0 ? -length : length;
      if (length > 0) {
        a[col + j] = (a[col + j] as number) - alpha;
        let vv = 0;
        for (let i = j; i < rows; i++) vv += (a[col + i] as number) ** 2;
        const scale = 1 / Math.sqrt(vv);
        for (let i = j; i < rows; i++) a[col + i] = (a[col + i] as number) * scale; // unit v: H = I - 2 v v'
        for (let l = j + 1; l < columns; l++) reflect(a, col, a, l * rows, j, rows);
      }
      reflected[j] = length > 0 ? 1 : 0;
      for (let l = 0; l < j; l++) r[l * columns + j] = a[col + l] as number;
      r[j * columns + j] = alpha;
      if (!(Math.abs(alpha) > RANK_TOLERANCE * Math.sqrt(norm))) deficient.push(j);
    }
    // Thin Q: the reflections applied, last first, to the first columns of the identity.
    const q = new Float64Array(rows * columns);
    for (let c = 0; c < columns; c++) {
      q[c * rows + c] = 1;
      for (let j = columns - 1; j >= 0; j--) if (reflected[j] === 1) reflect(a, j * rows, q, c * rows, j, rows);
    }
    this.deficient = deficient;
    this.#q = q;
    this.#r = r;
    this.qty = new Float64Array(this.columns);
  }

  /** The columns `kept` of R, column-major (columns x kept): the design's columns in the coordinates of Q. */
  triangle(kept: readonly number[]): Float64Array {
    const { columns } = this;
    const out = new Float64Array(columns * kept.length);
    kept.forEach((k, c) => {
      for (let j = 0; j <= k; j++) out[c * columns + j] = this.#r[j * columns + k] as number;
    });
    return out;
  }

  /**
   * Fits y (one value per row): writes the residuals to `residuals` and, when given, the
   * coefficients to `coefficients`; returns the residual sum of squares.
   */
  fit(y: Float64Array, residuals: Float64Array, coefficients?: Float64Array): number {
    const { rows, columns } = this;
    const q = this.#q;
    const qty = this.qty;
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

/** Applies the reflection I - 2 v v' (unit v in `v` from `vAt + from` to `vAt + rows`) to the column of `x` at `xAt`, rows from `from` on. */
function reflect(v: Float64Array, vAt: number, x: Float64Array, xAt: number, from: number, rows: number): void {
  let dot = 0;
  for (let i = from; i < rows; i++) dot += (v[vAt + i] as number) * (x[xAt + i] as number);
  dot *= 2;
  for (let i = from; i < rows; i++) x[xAt + i] = (x[xAt + i] as number) - dot * (v[vAt + i] as number);
}
