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
  readonly sample?: number;
  readonly feature?: number;
  readonly remedy?: Readonly<Record<string, unknown>>;

  constructor(detail: string, context: ErrorContext = {}) {
    super(formatMessage(detail, context));
    this.detail = detail;
    if (context.sample !== undefined) this.sample = context.sample;
    if (context.feature !== undefined) this.feature = context.feature;
    if (context.remedy !== undefined) this.remedy = context.remedy;
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
 * The design matrix is rank deficient; the message names the columns involved.
 *
 * @example
 * ```ts
 * harmonize(matrix, { batch: ['a', 'a', 'b', 'b'], categorical: { scanner: ['x', 'x', 'y', 'y'] } });
 * // throws ConfoundedDesignError: the covariate is confounded with batch (columns: scanner:y)
 * ```
 */
export class ConfoundedDesignError extends CombatError {
  readonly code = 'CONFOUNDED_DESIGN' as const;
  constructor(
    message: string,
    /** Design columns involved in the rank deficiency. */
    readonly columns: readonly string[],
  ) {
    super(message);
  }
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
 * A serialized model that cannot be read: unknown format version or missing parts.
 *
 * @example
 * ```ts
 * deserializeModel({ formatVersion: 99, meta, arrays }); // throws ModelFormatError
 * ```
 */
export class ModelFormatError extends CombatError {
  readonly code = 'MODEL_FORMAT' as const;
}
