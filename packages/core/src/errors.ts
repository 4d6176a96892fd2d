/**
 * The errors `@combat/core` throws. Each has a literal `code`, so callers can branch on
 * `error.code` without `instanceof` across package copies, and a message that says what was
 * expected, what was found, and where.
 */

/**
 * Where an error arose in the caller's arrays, and which options would avoid it. Indices are
 * 0-based positions in the arrays the caller passed; an application that knows what they stand
 * for (a file's row, a column's name) can say so in its own words from these fields.
 *
 * @example
 * ```ts
 * const context: ErrorContext = { sample: 3, feature: 7, remedy: { eb: false } };
 * ```
 */
export interface ErrorContext {
  /** The sample (row of the data matrix, entry of the covariate arrays). */
  readonly sample?: number;
  /** The feature (column of the data matrix). */
  readonly feature?: number;
  /** Options of the call that would avoid or accept the condition, e.g. `{ eb: false }`. */
  readonly remedy?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every error thrown by the `@combat/*` packages. `message` is `detail` prefixed with
 * the location (`sample 3, feature 7: `) and followed by the remedy (`; use { eb: false }`);
 * the parts are kept as fields for applications that word them differently.
 *
 * @example
 * ```ts
 * try { harmonize(matrix, covariates); }
 * catch (e) { if (e instanceof CombatError) console.error(e.code, e.sample, e.detail); }
 * ```
 */
export abstract class CombatError extends Error {
  abstract readonly code: string;
  /** What went wrong, without the location and the remedy. */
  readonly detail: string;
  // Declared only, so an error without a location has no `sample` property at all.
  declare readonly sample?: number;
  declare readonly feature?: number;
  declare readonly remedy?: Readonly<Record<string, unknown>>;

  constructor(detail: string, context: ErrorContext = {}) {
    super(formatMessage(detail, context));
    this.detail = detail;
    if (context.sample !== undefined) Object.defineProperty(this, 'sample', { value: context.sample, enumerable: true });
    if (context.feature !== undefined) Object.defineProperty(this, 'feature', { value: context.feature, enumerable: true });
    if (context.remedy !== undefined) Object.defineProperty(this, 'remedy', { value: context.remedy, enumerable: true });
  }

  override get name(): string {
    return this.constructor.name;
  }
}

function formatMessage(detail: string, { sample, feature, remedy }: ErrorContext): string {
  const where = [sample === undefined ? '' : `sample ${sample}`, feature === undefined ? '' : `feature ${feature}`].filter(Boolean).join(', ');
  const options = remedy === undefined ? '' : Object.entries(remedy).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ');
  return `${where === '' ? '' : `${where}: `}${detail}${options === '' ? '' : `; use { ${options} }`}`;
}

/**
 * Lengths that do not agree: data length vs samples x features, labels vs samples, a covariate
 * column vs samples, a block's features vs the accumulator's.
 *
 * @example
 * ```ts
 * harmonize({ data: new Float64Array(5), samples: 2, features: 3 }, covariates);
 * // throws ShapeMismatchError: data has 5 values; expected samples x features = 2 x 3 = 6
 * ```
 */
export class ShapeMismatchError extends CombatError {
  readonly code = 'SHAPE_MISMATCH' as const;
}

/**
 * No samples or no features.
 *
 * @example
 * ```ts
 * harmonize({ data: new Float64Array(0), samples: 0, features: 10 }, { batch: [] });
 * // throws EmptyInputError
 * ```
 */
export class EmptyInputError extends CombatError {
  readonly code = 'EMPTY_INPUT' as const;
}

/**
 * A value that cannot be used: a missing batch label or categorical value, a non-finite
 * continuous covariate, an infinite data value (missing cells must be NaN).
 *
 * @example
 * ```ts
 * harmonize(matrix, { batch, continuous: { age: [30, NaN, 41] } });
 * // throws InvalidValueError: continuous covariate "age" at sample 1 is NaN; expected a finite number
 * ```
 */
export class InvalidValueError extends CombatError {
  readonly code = 'INVALID_VALUE' as const;
}

/**
 * Fewer than two batches.
 *
 * @example
 * ```ts
 * harmonize(matrix, { batch: ['a', 'a', 'a'] }); // throws TooFewBatchesError
 * ```
 */
export class TooFewBatchesError extends CombatError {
  readonly code = 'TOO_FEW_BATCHES' as const;
}

/**
 * A batch that the design or the model does not know: an unknown reference batch, or a new
 * sample from a batch unseen in training.
 *
 * @example
 * ```ts
 * harmonize(matrix, covariates, { refBatch: 'siteZ' }); // throws UnknownBatchError
 * ```
 */
export class UnknownBatchError extends CombatError {
  readonly code = 'UNKNOWN_BATCH' as const;
}

/**
 * A categorical level unseen in training, or a covariate the model does not know or misses.
 *
 * @example
 * ```ts
 * applyCombat(model, matrix, { batch, categorical: { sex: ['X'] } }); // throws UnknownCovariateError
 * ```
 */
export class UnknownCovariateError extends CombatError {
  readonly code = 'UNKNOWN_COVARIATE' as const;
}

/**
 * The design matrix is rank deficient. The message gives sva's case, what the per-batch counts
 * show exactly where they can (a categorical level that occurs only in some batches and in all of
 * their samples, a level that occurs in no sample, a continuous covariate constant within every
 * batch), and the columns involved. `columns` and `batches` do not depend on the order of the
 * samples or on the reference batch.
 *
 * @example
 * ```ts
 * harmonize(matrix, { batch: ['a', 'a', 'b', 'b'], categorical: { scanner: ['x', 'x', 'y', 'y'] } });
 * // throws ConfoundedDesignError: the covariate is confounded with batch: level y of scanner occurs
 * // only in batch b, and in all of its samples (column scanner:y); remove it
 * ```
 */
export class ConfoundedDesignError extends CombatError {
  readonly code = 'CONFOUNDED_DESIGN' as const;
  constructor(
    detail: string,
    /** Covariate columns of the design involved in the rank deficiency, in design order. */
    readonly columns: readonly string[],
    /** Batches involved, in code-point order (empty when the covariates are confounded among themselves). */
    readonly batches: readonly string[] = [],
  ) {
    super(detail);
  }
}

/**
 * Covariate names that cannot be coded: two sources that would give the same design column (a
 * categorical covariate named `batch` with a level equal to a batch label, a continuous covariate
 * named `sex:M` beside a categorical `sex` with level `M`), a name used as both categorical and
 * continuous, an empty name.
 *
 * @example
 * ```ts
 * codeDesign({ batch: ['A', 'B'], categorical: { batch: ['A', 'B'] } });
 * // throws CovariateNameError: design column "batch:B" would come from batch "B" and from level "B" of categorical covariate "batch"; rename one of them
 * ```
 */
export class CovariateNameError extends CombatError {
  readonly code = 'COVARIATE_NAME' as const;
}

/**
 * An argument of the wrong kind: undefined or null where an object or array is needed, a value of
 * the wrong type, an option that is not one of its allowed values. The message names the function
 * and the argument.
 *
 * @example
 * ```ts
 * harmonize(matrix, null as never);
 * // throws InvalidArgumentError: harmonize: covariates is null; expected an object { batch, categorical?, continuous? }
 * ```
 */
export class InvalidArgumentError extends CombatError {
  readonly code = 'INVALID_ARGUMENT' as const;
}

/**
 * Two accumulators that cannot be merged (different design coding or feature count).
 *
 * @example
 * ```ts
 * accA.merge(accB); // throws IncompatibleAccumulatorError when their designs differ
 * ```
 */
export class IncompatibleAccumulatorError extends CombatError {
  readonly code = 'INCOMPATIBLE_ACCUMULATOR' as const;
}

/**
 * Empirical Bayes needs at least two adjustable features to estimate its priors.
 *
 * @example
 * ```ts
 * harmonize({ data, samples, features: 1 }, covariates); // throws TooFewFeaturesError; use { eb: false }
 * ```
 */
export class TooFewFeaturesError extends CombatError {
  readonly code = 'TOO_FEW_FEATURES' as const;
}

/**
 * A model that cannot be used: a serialized model or model file of another format version, with
 * missing or ill-typed parts, an inconsistent design coding, or values no fit produces (a negative
 * deltaStar, a NaN pooled variance of an adjusted feature). The message names the field; `feature`
 * is set for a value of one feature.
 *
 * @example
 * ```ts
 * deserializeModel({ formatVersion: 99, meta, arrays }); // throws ModelFormatError
 * ```
 */
export class ModelFormatError extends CombatError {
  readonly code = 'MODEL_FORMAT' as const;
}
