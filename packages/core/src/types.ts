import type { DesignOptions } from './design.js';

/**
 * A matrix of samples by features, sample-major: the value of feature `v` for sample `i` is
 * `data[i * features + v]`. Missing cells are NaN.
 *
 * @example
 * ```ts
 * const matrix: DataMatrix = { data: Float64Array.of(1, 2, 3, 4, 5, 6), samples: 2, features: 3 };
 * matrix.data[1 * matrix.features + 0]; // 4
 * ```
 */
export interface DataMatrix {
  readonly data: Float64Array | Float32Array;
  readonly samples: number;
  readonly features: number;
}

/**
 * The batch (site, scanner) of every sample, and the biological covariates to preserve.
 * Categorical covariates are treatment coded (one column per level but the first in code-point
 * order); continuous covariates enter the design as given, in float64.
 *
 * @example
 * ```ts
 * const covariates: Covariates = {
 *   batch: ['siteA', 'siteA', 'siteB', 'siteB', 'siteB'],
 *   categorical: { sex: ['F', 'M', 'M', 'F', 'F'] },
 *   continuous: { age: [34, 51, 47, 29, 62] },
 * };
 * codeDesign(covariates).columns; // ['sex:M', 'age']
 * ```
 */
export interface Covariates {
  readonly batch: readonly string[];
  readonly categorical?: Readonly<Record<string, readonly string[]>>;
  readonly continuous?: Readonly<Record<string, ArrayLike<number>>>;
}

/**
 * How the model is fitted. Defaults: `eb: true`, `parametric: true`, `meanOnly: false`,
 * `refBatch: null`, `maxIterations: 1000`.
 *
 * @example
 * ```ts
 * const options: CombatOptions = { parametric: false, refBatch: 'siteA' };
 * const { data } = harmonize(matrix, covariates, options);
 * data.subarray(0, 3); // matrix.data.subarray(0, 3)
 * ```
 */
export interface CombatOptions {
  /** Empirical Bayes shrinkage of the batch effects; false uses the per-feature estimates. */
  readonly eb?: boolean;
  /** Parametric priors (sva `it.sol`); false uses the non-parametric prior (sva `int.eprior`). */
  readonly parametric?: boolean;
  /** Adjust only the location (mean) of each batch, not its scale. */
  readonly meanOnly?: boolean;
  /** A batch whose data are left unchanged and to which the others are aligned. */
  readonly refBatch?: string | null;
  /** Cap on the parametric solver's iterations (sva has none). */
  readonly maxIterations?: number;
  /**
   * Continuous covariates entered as natural splines, by name (see {@link SplineOptions}): what
   * `harmonize` codes the design with. Statistics carry their coding, so `finalizeModel` takes
   * none of it.
   */
  readonly splines?: DesignOptions['splines'];
}

/**
 * Why a feature was left unadjusted (passed through unchanged, NaN estimates, `adjusted[v] = 0`).
 * The checks run batch by batch in `batches` order, and a feature gets the first that applies:
 *
 * - `no-value-in-batch`: no finite value in `batch`.
 * - `overflow`: a sum, coefficient or standardized value is not finite in float64 (magnitudes
 *   around 1e154 and above, whose squares overflow); `batch` is set when that batch's own sums
 *   overflowed.
 * - `too-few-values-in-batch`: a single finite value in `batch`, a batch of two or more samples,
 *   so its scale cannot be estimated (not checked in mean-only mode).
 * - `constant-in-batch`: every finite value in `batch` (two or more) is the same (sva's test).
 * - `not-solvable`: the regression on the feature's finite rows is rank deficient (missing cells
 *   left a covariate level or a batch without the rows it needs).
 * - `zero-pooled-variance`: batches and covariates fit the feature exactly (zero residual variance
 *   to rounding).
 * - `zero-variance-in-batch`: the residual variance within `batch` is zero to rounding (its values
 *   are exactly explained by the covariates), so its scale factor would amplify rounding noise.
 *
 * @example
 * ```ts
 * const reason: UnadjustedReason = { cause: 'constant-in-batch', batch: 'siteB' };
 * describeUnadjusted([2], [reason]); // 'constant within batch siteB: 2'
 * ```
 */
export interface UnadjustedReason {
  readonly cause: UnadjustedCause;
  readonly batch?: string;
}

/**
 * The causes of {@link UnadjustedReason}.
 *
 * @example
 * ```ts
 * const cause: UnadjustedCause = 'overflow';
 * describeUnadjusted(['lh_x'], [{ cause, batch: 'siteA' }]); // 'values too large for float64 (a sum in batch siteA overflowed): lh_x'
 * ```
 */
export type UnadjustedCause =
  | 'no-value-in-batch'
  | 'overflow'
  | 'too-few-values-in-batch'
  | 'constant-in-batch'
  | 'not-solvable'
  | 'zero-pooled-variance'
  | 'zero-variance-in-batch';

/**
 * A condition worth telling the user that did not stop the fit.
 *
 * - `singleton-batch`: a batch of one sample switched the fit to mean-only (as sva does).
 * - `many-levels`: a categorical covariate has more coded columns (levels - 1) than a quarter of
 *   the samples, i.e. fewer than 4 samples per estimated level effect on average; usually a
 *   continuous covariate (age) or an identifier given as categorical.
 * - `not-converged`: the parametric solver hit `maxIterations` for `batch`.
 * - `unadjusted-features`: features left unadjusted, 0-based indices in `features` and, aligned
 *   with them, why in `reasons`; with `batch` set, by a new batch (its samples pass through in
 *   them), else by the fit (every sample passes through in them).
 * - `outside-training-range`: samples (0-based) whose `covariate` lies outside the training
 *   `range`; the covariate effects are extrapolated for them.
 * - `covbat-mean-only` ({@link harmonizeCovbat}): a batch of one sample made CovBat's score step
 *   mean-only, every component's scores moved by location only in every batch.
 * - `covbat-unadjusted-components` ({@link harmonizeCovbat}): principal components (0-based
 *   indices in `components`, reasons aligned with them as for `unadjusted-features`) whose scores
 *   the score step left unadjusted, in every batch.
 *
 * @example
 * ```ts
 * // The last sample alone in a batch of its own.
 * const batch = ['siteA', 'siteA', 'siteA', 'siteA', 'siteB', 'siteB', 'siteB', 'siteC'];
 * const { warnings } = harmonize(matrix, { ...covariates, batch });
 * const warning: CombatWarning = warnings[0]!;
 * warning.code; // 'singleton-batch'
 * warning.message; // 'batch siteC has a single sample: the whole fit switched to mean-only (as sva does)'
 * ```
 */
export type CombatWarning =
  | { readonly code: 'singleton-batch'; readonly message: string; readonly batches: readonly string[] }
  | { readonly code: 'many-levels'; readonly message: string; readonly covariate: string; readonly levels: number; readonly samples: number }
  | { readonly code: 'unadjusted-features'; readonly message: string; readonly features: readonly number[]; readonly reasons: readonly UnadjustedReason[]; readonly batch?: string }
  | { readonly code: 'not-converged'; readonly message: string; readonly batch: string; readonly change: number }
  | { readonly code: 'outside-training-range'; readonly message: string; readonly covariate: string; readonly range: readonly [number, number]; readonly samples: readonly number[] }
  | { readonly code: 'covbat-mean-only'; readonly message: string; readonly batches: readonly string[] }
  | { readonly code: 'covbat-unadjusted-components'; readonly message: string; readonly components: readonly number[]; readonly reasons: readonly UnadjustedReason[] };
