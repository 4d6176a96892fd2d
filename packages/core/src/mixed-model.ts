import { CholeskyDecomposition, Matrix, pseudoInverse } from 'ml-matrix';
import { findNullSpace } from './design-matrix.js';

/**
 * A linear mixed model with a random intercept per subject, fitted by REML, one feature at a time
 * (what lme4's `lmer(y ~ X + (1 | subject), REML = TRUE)` fits; docs in the package README,
 * "Longitudinal ComBat"). With `theta` the variance ratio (random-intercept variance / residual
 * variance), a subject of n scans has the covariance `sigma^2 (I + theta 1 1')`, whose inverse is
 * `I - 1 1' / n + w 1 1' / n` with `w = 1 / (1 + n theta)`. So, with x~ and y~ the scans' values
 * less their subject's mean and xbar, ybar the subjects' means:
 *
 * - `X'V^-1 X = sum x~ x~' + sum_subjects w n xbar xbar'`, and the same of y: the within-subject
 *   sums are fixed, and the between-subject ones are grouped by subject size, so each evaluation
 *   of the profile costs O(rows x columns) (the residuals) plus p x p work per distinct size;
 * - the profiled REML criterion (minus twice the log likelihood, sigma^2 profiled out, constants
 *   dropped) is `(N - p) log(r'V^-1 r) + sum log(1 + n theta) + log det(X'V^-1 X)`, r = y - X beta;
 * - its derivative in theta is `tr(P G) - (N - p) (sum (w n rbar)^2) / r'V^-1 r`, with
 *   `tr(P G) = sum w n - tr((X'V^-1 X)^-1 sum w^2 n^2 xbar xbar')` (G = Z Z').
 *
 * The search runs on the random-intercept share `rho = theta / (1 + theta)` in [0, 1): the
 * criterion at rho = 0 and on a grid of theta from 1e-3 to 1e6, a quarter decade apart (extended
 * while the criterion still falls at its end), each point O(p^3 + subjects x p) with the within
 * sums expanded; then Brent's root finder on the derivative in the bracket around the grid's best
 * point, each step with the residuals computed row by row, to the last bits of rho. At rho = 0 with
 * a non-negative derivative (the criterion rising into the interior) the optimum is the boundary,
 * as under lme4's bound theta >= 0. The grid makes the optimum the best of the grid's basins where
 * the criterion has several local minima (lme4 finds the one nearest its start, theta = 1).
 */

/** The design of a fit, shared by every feature: rows grouped by subject, and the sums that do not depend on y. */
export interface SubjectDesign {
  /** Rows (scans) N and fixed-effect columns p. */
  readonly rows: number;
  readonly columns: number;
  /** The fixed-effect design, N x p row-major. */
  readonly x: Float64Array;
  /** Each row's subject, 0-based. */
  readonly subject: Int32Array;
  /** Scans per subject. */
  readonly size: Int32Array;
  /** The distinct subject sizes, and each subject's index among them. */
  readonly sizes: Int32Array;
  readonly sizeIndex: Int32Array;
  /** Subjects of each distinct size. */
  readonly sizeCount: Float64Array;
  /** Each subject's mean of the columns (S x p), each row's columns less its subject's mean (N x p). */
  readonly means: Float64Array;
  readonly centred: Float64Array;
  /** sum x~ x~' (p x p), and per distinct size k, sum over its subjects of k xbar xbar' (K x p x p). */
  readonly within: Float64Array;
  readonly between: Float64Array;
  /** The rank of the within sums (the columns that vary within subjects), and their pseudo-inverse. */
  readonly withinRank: number;
  readonly withinInverse: Float64Array;
}

/** One feature's REML fit. */
export interface MixedFit {
  /** The fixed effects (p). */
  readonly beta: Float64Array;
  /** Each subject's predicted (BLUP) intercept (S). */
  readonly intercepts: Float64Array;
  /** The residual standard deviation (REML). */
  readonly sigma: number;
  /**
   * The variance ratio theta = random-intercept variance / residual variance (0 at the boundary);
   * Infinity when there is no fit to make (see {@link fitMixedModel}), NaN when no optimum was found.
   */
  readonly ratio: number;
}

/**
 * The subject design of fixed-effect rows `x` (N x p) and each row's subject (0-based, every
 * subject present).
 */
export function buildSubjectDesign(x: Float64Array, columns: number, subject: Int32Array, subjects: number): SubjectDesign {
  const N = subject.length;
  const p = columns;
  const size = new Int32Array(subjects);
  for (let i = 0; i < N; i++) size[subject[i] as number]! += 1;
  const sizes = Int32Array.from([...new Set(size)].sort((a, b) => a - b));
  const sizeIndex = Int32Array.from(size, (n) => sizes.indexOf(n));
  const sizeCount = new Float64Array(sizes.length);
  for (let s = 0; s < subjects; s++) sizeCount[sizeIndex[s] as number]! += 1;
  const means = subjectMeans(x, p, subject, size);
  const centred = new Float64Array(N * p);
  const within = new Float64Array(p * p);
  for (let i = 0; i < N; i++) {
    const s = subject[i] as number;
    for (let j = 0; j < p; j++) centred[i * p + j] = (x[i * p + j] as number) - (means[s * p + j] as number);
    for (let j = 0; j < p; j++) for (let l = 0; l <= j; l++) within[j * p + l]! += (centred[i * p + j] as number) * (centred[i * p + l] as number);
  }
  const between = new Float64Array(sizes.length * p * p);
  for (let s = 0; s < subjects; s++) {
    const at = (sizeIndex[s] as number) * p * p;
    const n = size[s] as number;
    for (let j = 0; j < p; j++) for (let l = 0; l <= j; l++) between[at + j * p + l]! += n * (means[s * p + j] as number) * (means[s * p + l] as number);
  }
  mirror(within, p, 1);
  mirror(between, p, sizes.length);
  const withinInverse = Float64Array.from(pseudoInverse(Matrix.from1DArray(p, p, Array.from(within))).to1DArray());
  const withinRank = p - findNullSpace(within, p).length;
  return { rows: N, columns: p, x, subject, size, sizes, sizeIndex, sizeCount, means, centred, within, between, withinRank, withinInverse };
}

/**
 * The REML fit of one feature's values `y` (N, complete) on a subject design. Throws nothing. When
 * the fixed effects fit each subject's values exactly (the within regression leaves a share of the
 * within-subject sum of squares at rounding level, or there is none), the criterion falls without
 * bound as the ratio grows; when it still falls at a ratio of {@link LARGEST_RATIO}, the residual
 * variance is at rounding level of the random intercept's. Then no fit is made, and the ratio is
 * Infinity; when the optimum cannot be located (no sign change of the criterion's derivative
 * around the grid's best point, or a derivative that is not a number), it is NaN. The caller
 * refuses both.
 */
export function fitMixedModel(design: SubjectDesign, y: Float64Array): MixedFit {
  const profile = new Profile(design, y);
  const { rows: N, columns: p, size } = design;
  const noFit = (ratio: number): MixedFit => ({ beta: new Float64Array(p).fill(NaN), intercepts: new Float64Array(size.length).fill(NaN), sigma: NaN, ratio });
  const withinUnexplained = profile.withinUnexplained();
  if (!(withinUnexplained > WITHIN_FLOOR)) return noFit(Infinity);
  const rho = profile.optimum();
  if (!(rho < 1)) return noFit(rho === 1 ? Infinity : NaN);
  profile.evaluate(rho);
  const intercepts = new Float64Array(size.length);
  for (let s = 0; s < size.length; s++) {
    const n = size[s] as number;
    intercepts[s] = ((n * rho) / (1 - rho + n * rho)) * (profile.meanResidual[s] as number);
  }
  return { beta: profile.beta.slice(), intercepts, sigma: Math.sqrt(profile.quadratic / (N - p)), ratio: rho / (1 - rho) };
}

/** A within-subject residual share under which it is rounding: the scans of each subject are fitted exactly. */
const WITHIN_FLOOR = 1e-12;

/**
 * The profiled REML criterion of one feature and its derivative in theta, at the random-intercept
 * share `rho` (in [0, 1)); for the property tests of the optimum.
 */
export function profileAt(design: SubjectDesign, y: Float64Array, rho: number): { criterion: number; slope: number } {
  const profile = new Profile(design, y);
  profile.evaluate(rho);
  return { criterion: profile.criterion, slope: profile.slope };
}

/** The search's grid of theta: 10^(k / 4) for k from -12 to 24, after theta = 0. */
const GRID = [0, ...Array.from({ length: 37 }, (_, k) => 10 ** ((k - 12) / 4))];

/** Beyond this theta, the criterion still falling, the search stops widening its grid. */
const LARGEST_RATIO = 1e15;

/** The profile of one feature: the y sums fixed, evaluated at any rho. */
class Profile {
  readonly beta: Float64Array;
  readonly meanResidual: Float64Array;
  criterion = NaN;
  slope = NaN;
  quadratic = NaN;
  private readonly yMean: Float64Array;
  private readonly yCentred: Float64Array;
  private readonly withinY: Float64Array;
  private readonly withinYY: number;
  private readonly betweenY: Float64Array;
  private readonly weight: Float64Array;
  private readonly system: Matrix;
  private readonly rhs: Matrix;

  constructor(
    private readonly design: SubjectDesign,
    y: Float64Array,
  ) {
    const { rows: N, columns: p, subject, size, sizes, sizeIndex, means, centred } = design;
    const S = size.length;
    this.yMean = subjectMeans(y, 1, subject, size);
    this.yCentred = new Float64Array(N);
    this.withinY = new Float64Array(p);
    let withinYY = 0;
    for (let i = 0; i < N; i++) {
      const d = (y[i] as number) - (this.yMean[subject[i] as number] as number);
      this.yCentred[i] = d;
      withinYY += d * d;
      for (let j = 0; j < p; j++) this.withinY[j]! += (centred[i * p + j] as number) * d;
    }
    this.withinYY = withinYY;
    this.betweenY = new Float64Array(sizes.length * p);
    for (let s = 0; s < S; s++) {
      const at = (sizeIndex[s] as number) * p;
      const ny = (size[s] as number) * (this.yMean[s] as number);
      for (let j = 0; j < p; j++) this.betweenY[at + j]! += ny * (means[s * p + j] as number);
    }
    this.beta = new Float64Array(p);
    this.meanResidual = new Float64Array(S);
    this.weight = new Float64Array(sizes.length);
    this.system = new Matrix(p, p);
    this.rhs = new Matrix(p, p + 1);
  }

  /**
   * The within-subject residual sum of squares of the within regression (the fixed effects fitted
   * to the values less their subject's mean, by the pseudo-inverse of the within sums, the residuals
   * computed row by row), over the within-subject sum of squares.
   */
  withinUnexplained(): number {
    const { rows: N, columns: p, centred, withinInverse } = this.design;
    const beta = new Float64Array(p);
    for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) beta[j]! += (withinInverse[j * p + l] as number) * (this.withinY[l] as number);
    let squares = 0;
    for (let i = 0; i < N; i++) {
      let r = this.yCentred[i] as number;
      for (let j = 0; j < p; j++) r -= (centred[i * p + j] as number) * (beta[j] as number);
      squares += r * r;
    }
    return squares / this.withinYY;
  }

  /**
   * Sets `criterion`, `slope` (in theta), `beta`, `quadratic` (r'V^-1 r) and each subject's mean
   * residual at `rho`. The within-subject residuals' sum of squares is computed row by row, or,
   * when `rough`, expanded from the within sums (O(p^2), with the expansion's cancellation: for
   * locating the optimum, not for its last bits).
   */
  evaluate(rho: number, rough = false): void {
    const { rows: N, columns: p, sizes, sizeCount, sizeIndex, size, within, between, means, centred } = this.design;
    const K = sizes.length;
    const rest = 1 - rho;
    let logDetV = 0;
    let traceVG = 0;
    for (let k = 0; k < K; k++) {
      const n = sizes[k] as number;
      const w = rest / (rest + n * rho);
      this.weight[k] = w;
      logDetV -= (sizeCount[k] as number) * Math.log(w);
      traceVG += (sizeCount[k] as number) * n * w;
    }
    // X'V^-1 X, and beside it X'V^-1 y and sum w^2 n^2 xbar xbar' (= sum_k w_k^2 k B_k).
    for (let j = 0; j < p; j++) {
      let c = this.withinY[j] as number;
      for (let k = 0; k < K; k++) c += (this.weight[k] as number) * (this.betweenY[k * p + j] as number);
      this.rhs.set(j, 0, c);
      for (let l = 0; l < p; l++) {
        let a = within[j * p + l] as number;
        let m = 0;
        for (let k = 0; k < K; k++) {
          const w = this.weight[k] as number;
          const b = between[(k * p + j) * p + l] as number;
          a += w * b;
          m += w * w * (sizes[k] as number) * b;
        }
        this.system.set(j, l, a);
        this.rhs.set(j, l + 1, m);
      }
    }
    const cholesky = new CholeskyDecomposition(this.system);
    const solved = cholesky.solve(this.rhs);
    const lower = cholesky.lowerTriangularMatrix;
    let logDetA = 0;
    let traceAM = 0;
    for (let j = 0; j < p; j++) {
      logDetA += 2 * Math.log(lower.get(j, j));
      this.beta[j] = solved.get(j, 0);
      traceAM += solved.get(j, j + 1);
    }
    // The residuals: within subjects row by row, between from the subjects' means.
    const { beta, meanResidual, yCentred, yMean } = this;
    let quadratic = 0;
    if (rough) {
      quadratic = this.withinYY;
      for (let j = 0; j < p; j++) {
        let xb = 0;
        for (let l = 0; l < p; l++) xb += (within[j * p + l] as number) * (beta[l] as number);
        quadratic += (beta[j] as number) * (xb - 2 * (this.withinY[j] as number));
      }
      quadratic = Math.max(quadratic, 0);
    } else {
      for (let i = 0; i < N; i++) {
        let r = yCentred[i] as number;
        for (let j = 0; j < p; j++) r -= (centred[i * p + j] as number) * (beta[j] as number);
        quadratic += r * r;
      }
    }
    let scatter = 0;
    for (let s = 0; s < size.length; s++) {
      let r = yMean[s] as number;
      for (let j = 0; j < p; j++) r -= (means[s * p + j] as number) * (beta[j] as number);
      meanResidual[s] = r;
      const n = size[s] as number;
      const wn = (this.weight[sizeIndex[s] as number] as number) * n;
      quadratic += wn * r * r;
      scatter += wn * wn * r * r;
    }
    this.quadratic = quadratic;
    this.criterion = (N - p) * Math.log(quadratic) + logDetV + logDetA;
    this.slope = traceVG - traceAM - ((N - p) * scatter) / quadratic;
  }

  /**
   * The random-intercept share at the REML optimum: the grid's best point, then the root of the
   * derivative in the bracket around it (the boundary 0 when the derivative there is not negative);
   * 1 when the criterion still falls at the grid's end ({@link LARGEST_RATIO}), NaN when the root
   * cannot be bracketed. Never an unrefined grid point.
   */
  optimum(): number {
    const grid = GRID.map((theta) => theta / (1 + theta));
    let best = 0;
    let bestValue = Infinity;
    for (let g = 0; g < grid.length; g++) {
      this.evaluate(grid[g] as number, true);
      if (this.criterion < bestValue) {
        best = g;
        bestValue = this.criterion;
      }
      // Still falling at the grid's end: a decade further.
      const theta = (grid[g] as number) / (1 - (grid[g] as number));
      if (g === grid.length - 1 && best === g && theta < LARGEST_RATIO) grid.push((10 * theta) / (1 + 10 * theta));
    }
    const slopeAt = (rho: number): number => {
      this.evaluate(rho);
      return this.slope;
    };
    if (best === grid.length - 1) return 1;
    if (best === 0) {
      const slope = slopeAt(0);
      if (slope >= 0) return 0;
      if (!(slope < 0)) return NaN;
    }
    const low = best === 0 ? 0 : (grid[best - 1] as number);
    return findRoot(slopeAt, low, grid[best + 1] as number, grid[best] as number);
  }
}

/**
 * A root of `f` in [a, c] by Brent's method (zeroin), to the last bits of the argument, from a
 * bracket around the minimum of the criterion whose derivative `f` is: f(a) < 0 < f(c) is
 * established first by moving the ends towards `b`, the best point found (golden-section steps
 * that keep the minimum inside). NaN when no such bracket is found (the ends close in on `b`
 * where `f` is not 0: a maximum, or a derivative that is not a number).
 */
function findRoot(f: (x: number) => number, a: number, c: number, b: number): number {
  let fa = f(a);
  let fc = f(c);
  // The ends' slopes point into the bracket unless the criterion wiggles between them: narrow towards b.
  for (let step = 0; step < 200 && !(fa < 0 && fc > 0); step++) {
    if (!(fa < 0)) {
      a = a + 0.382 * (b - a);
      fa = f(a);
    }
    if (!(fc > 0)) {
      c = c - 0.382 * (c - b);
      fc = f(c);
    }
    if (!(c - a > 4 * Number.EPSILON * Math.abs(b))) return f(b) === 0 ? b : NaN;
  }
  if (!(fa < 0 && fc > 0)) return NaN;
  // Brent (1973), zeroin, as Numerical Recipes' zbrent: bisection, secant and inverse quadratic
  // interpolation; b is the best estimate, [b, c] brackets the root.
  b = c;
  let fb = fc;
  let d = c - a;
  let e = d;
  for (let iteration = 0; iteration < 200; iteration++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolerance = 2 * Number.EPSILON * Math.abs(b) + Number.MIN_VALUE;
    const middle = 0.5 * (c - b);
    if (Math.abs(middle) <= tolerance || fb === 0) return b;
    if (Math.abs(e) >= tolerance && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let P: number;
      let Q: number;
      if (a === c) {
        P = 2 * middle * s;
        Q = 1 - s;
      } else {
        const q = fa / fc;
        const r = fb / fc;
        P = s * (2 * middle * q * (q - r) - (b - a) * (r - 1));
        Q = (q - 1) * (r - 1) * (s - 1);
      }
      if (P > 0) Q = -Q;
      P = Math.abs(P);
      if (2 * P < Math.min(3 * middle * Q - Math.abs(tolerance * Q), Math.abs(e * Q))) {
        e = d;
        d = P / Q;
      } else {
        d = middle;
        e = d;
      }
    } else {
      d = middle;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tolerance ? d : middle > 0 ? tolerance : -tolerance;
    fb = f(b);
  }
  return b;
}

/** Each subject's mean of the `columns` columns of row-major `values`. */
function subjectMeans(values: Float64Array, columns: number, subject: Int32Array, size: Int32Array): Float64Array {
  const means = new Float64Array(size.length * columns);
  for (let i = 0; i < subject.length; i++) {
    const s = subject[i] as number;
    for (let j = 0; j < columns; j++) means[s * columns + j]! += values[i * columns + j] as number;
  }
  for (let s = 0; s < size.length; s++) for (let j = 0; j < columns; j++) means[s * columns + j]! /= size[s] as number;
  return means;
}

/** Copies the lower triangle of `count` stacked p x p matrices onto their upper triangle. */
function mirror(matrices: Float64Array, p: number, count: number): void {
  for (let at = 0; at < count * p * p; at += p * p) for (let j = 0; j < p; j++) for (let l = 0; l < j; l++) matrices[at + l * p + j] = matrices[at + j * p + l] as number;
}
