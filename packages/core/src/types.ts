/**
 * A matrix of samples by features, sample-major: the value of feature `v` for sample `i` is
 * `data[i * features + v]`. Missing cells are NaN.
 *
 * @example
 * ```ts
 * const matrix: DataMatrix = { data: new Float64Array([1, 2, 3, 4, 5, 6]), samples: 2, features: 3 };
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
 *   batch: ['siteA', 'siteA', 'siteB', 'siteB'],
 *   categorical: { sex: ['F', 'M', 'M', 'F'] },
 *   continuous: { age: [34, 51, 47, 29] },
 * };
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
}

/**
 * A condition worth telling the user that did not stop the fit.
 *
 * @example
 * ```ts
 * const { warnings } = harmonize(matrix, covariates);
 * for (const w of warnings) console.warn(`${w.code}: ${w.message}`);
 * ```
 */
export type CombatWarning =
  | { readonly code: 'singleton-batch'; readonly message: string; readonly batches: readonly string[] }
  | { readonly code: 'unadjusted-features'; readonly message: string; readonly features: readonly number[] }
  | { readonly code: 'not-converged'; readonly message: string; readonly batch: string; readonly change: number };
