/**
 * The errors `@combat/core` throws, besides `@combat/base`'s `InvalidArgumentError`. Each has a
 * literal `name` and `code` and a message that says what was expected, what was found, and where.
 */
import { CombatError } from '@combat/base';

/**
 * Lengths that do not agree: data length vs samples x features, labels vs samples, a covariate
 * column vs samples, a block's features vs the accumulator's.
 *
 * @example
 * ```ts
 * harmonize({ data: new Float64Array(5), samples: 2, features: 3 }, { batch: ['siteA', 'siteB'] });
 * // throws ShapeMismatchError: data has 5 values; expected samples x features = 2 x 3 = 6
 * harmonize(matrix, { ...covariates, continuous: { age: [34, 51, 47] } });
 * // throws ShapeMismatchError: continuous covariate "age" has 3 values; expected one per sample (8)
 * ```
 */
export class ShapeMismatchError extends CombatError {
  override readonly name = 'ShapeMismatchError' as const;
  readonly code = 'SHAPE_MISMATCH' as const;
}

/**
 * No samples or no features.
 *
 * @example
 * ```ts
 * harmonize({ data: new Float64Array(0), samples: 0, features: 10 }, { batch: [] });
 * // throws EmptyInputError: expected at least one sample and one feature; found samples = 0, features = 10
 * ```
 */
export class EmptyInputError extends CombatError {
  override readonly name = 'EmptyInputError' as const;
  readonly code = 'EMPTY_INPUT' as const;
}

/**
 * A value that cannot be used: a missing batch label or categorical value, a non-finite
 * continuous covariate, an infinite data value (missing cells must be NaN), a value too large for
 * float64 arithmetic. `sample` and `feature` say where, when the value is a cell or a sample's.
 *
 * @example
 * ```ts
 * harmonize(matrix, { ...covariates, continuous: { age: [34, NaN, 47, 29, 62, 45, 38, 56] } });
 * // throws InvalidValueError: sample 1: continuous covariate "age" is NaN; expected a finite number
 * const data = matrix.data.slice();
 * data[2 * 3 + 1] = Infinity;
 * harmonize({ ...matrix, data }, covariates);
 * // throws InvalidValueError: sample 2, feature 1: data value is Infinity; expected a finite number or NaN for a missing cell
 * ```
 */
export class InvalidValueError extends CombatError {
  override readonly name = 'InvalidValueError' as const;
  readonly code = 'INVALID_VALUE' as const;
}

/**
 * Fewer than two batches.
 *
 * @example
 * ```ts
 * harmonize(matrix, { batch: covariates.batch.map(() => 'siteA') });
 * // throws TooFewBatchesError: expected at least 2 batches; found 1 ("siteA")
 * ```
 */
export class TooFewBatchesError extends CombatError {
  override readonly name = 'TooFewBatchesError' as const;
  readonly code = 'TOO_FEW_BATCHES' as const;
}

/**
 * A batch that the design or the model does not know: an unknown reference batch, or a new
 * sample from a batch unseen in training.
 *
 * @example
 * ```ts
 * harmonize(matrix, covariates, { refBatch: 'siteZ' });
 * // throws UnknownBatchError: reference batch "siteZ" is not among the batches (siteA, siteB)
 * ```
 */
export class UnknownBatchError extends CombatError {
  override readonly name = 'UnknownBatchError' as const;
  readonly code = 'UNKNOWN_BATCH' as const;
}

/**
 * A categorical level unseen in training, or a covariate the model does not know or misses.
 *
 * @example
 * ```ts
 * const scan = { data: Float64Array.of(2.9, 2.7, 3.4), samples: 1, features: 3 };
 * applyCombat(model, scan, { batch: ['siteB'], categorical: { sex: ['X'] }, continuous: { age: [63] } });
 * // throws UnknownCovariateError: sample 0: categorical covariate "sex" has level "X", unseen in training (known: F, M)
 * ```
 */
export class UnknownCovariateError extends CombatError {
  override readonly name = 'UnknownCovariateError' as const;
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
 * const scanner = covariates.batch.map((batch) => (batch === 'siteB' ? 'prisma' : 'trio'));
 * harmonize(matrix, { batch: covariates.batch, categorical: { scanner } });
 * // throws ConfoundedDesignError: the covariate is confounded with batch: level prisma of scanner
 * // occurs only in batch siteB, and in all of its samples (column scanner:trio; batch siteB); remove it
 * ```
 */
export class ConfoundedDesignError extends CombatError {
  override readonly name = 'ConfoundedDesignError' as const;
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
 * continuous covariate named `sex:M` beside a categorical `sex` with level `M`), a name used as
 * both categorical and continuous, an empty name; or two labels that differ only in spaces or
 * Unicode form.
 *
 * @example
 * ```ts
 * codeDesign({ batch: ['A', 'B'], categorical: { sex: ['F', 'M'] }, continuous: { 'sex:M': [1, 2] } });
 * // throws CovariateNameError: design column "sex:M" would come from level "M" of categorical
 * // covariate "sex" and from continuous covariate "sex:M"; rename one of them
 * ```
 */
export class CovariateNameError extends CombatError {
  override readonly name = 'CovariateNameError' as const;
  readonly code = 'COVARIATE_NAME' as const;
}

/**
 * Two statistics that cannot be merged: another feature count, or other covariates (by name and
 * kind). Statistics that differ only in their batches or categorical levels do merge.
 *
 * @example
 * ```ts
 * const ages = new CombatAccumulator(codeDesign({ batch: covariatesA.batch, continuous: covariatesA.continuous }), 3)
 *   .add(blockA, { batch: covariatesA.batch, continuous: covariatesA.continuous }).statistics();
 * mergeStatistics(ages, new CombatAccumulator(model.coding, 3).add(blockB, covariatesB).statistics());
 * // throws IncompatibleStatisticsError: cannot merge statistics of different covariates: continuous "age" vs categorical "sex", continuous "age"
 * ```
 */
export class IncompatibleStatisticsError extends CombatError {
  override readonly name = 'IncompatibleStatisticsError' as const;
  readonly code = 'INCOMPATIBLE_STATISTICS' as const;
}

/**
 * Too few samples for what is asked of them: a new batch estimated from a single sample (its scale
 * cannot be estimated, and its location would be that one sample), or more CovBat components than
 * n samples give (n - 1).
 *
 * @example
 * ```ts
 * const scan = { data: Float64Array.of(2.9, 2.7, 3.4), samples: 1, features: 3 };
 * applyCombat(model, scan, { batch: ['siteC'], categorical: { sex: ['F'] }, continuous: { age: [63] } }, { newBatches: 'estimate' });
 * // throws TooFewSamplesError: new batch siteC has 1 sample; estimating a new batch needs at least 2
 * ```
 */
export class TooFewSamplesError extends CombatError {
  override readonly name = 'TooFewSamplesError' as const;
  readonly code = 'TOO_FEW_SAMPLES' as const;
}

/**
 * Too few features for what is asked of them: empirical Bayes needs at least two adjustable
 * features to estimate its priors (with exactly one, `remedy` is `{ eb: false }`: a fit without
 * empirical Bayes adjusts it), and CovBat at least as many as the components asked for.
 *
 * @example
 * ```ts
 * const first = { data: matrix.data.filter((_, k) => k % 3 === 0), samples: 8, features: 1 };
 * harmonize(first, covariates);
 * // throws TooFewFeaturesError: empirical Bayes needs at least 2 adjustable features to estimate
 * // its priors; found 1; use { eb: false }
 * harmonize(first, covariates, { eb: false }).data.length; // 8
 * ```
 */
export class TooFewFeaturesError extends CombatError {
  override readonly name = 'TooFewFeaturesError' as const;
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
 * const { formatVersion, meta, arrays } = serializeModel(model);
 * deserializeModel({ formatVersion, meta: { ...meta, refBatch: 'siteZ' }, arrays });
 * // throws ModelFormatError: refBatch is a string ("siteZ"); expected null or one of the training batches (siteA, siteB)
 * ```
 */
export class ModelFormatError extends CombatError {
  override readonly name = 'ModelFormatError' as const;
  readonly code = 'MODEL_FORMAT' as const;
}
