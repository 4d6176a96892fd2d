import { checkObject } from '@combat/base/internal';
import { checkFitOptions } from './arguments.js';
import { accumulateColumns } from './accumulator.js';
import { adjustColumns } from './apply.js';
import { codeDesign, encodeCovariates, type DesignCoding, type EncodedRows } from './design.js';
import { finalizeModel } from './finalize.js';
import { checkFitBatches } from './levels.js';
import { checkInputs } from './input-checks.js';
import type { CombatModel } from './model.js';
import type { CombatOptions, CombatWarning, Covariates, DataMatrix } from './types.js';

/**
 * The result of {@link harmonize}: the harmonized data (a new Float64Array in the input's
 * sample-major layout), the fitted model, and warnings.
 *
 * @example
 * ```ts
 * const { data, model, warnings }: HarmonizeResult = harmonize(matrix, covariates);
 * data.length; // 24
 * model.batches.get('siteA')!.samples; // 4
 * warnings.length; // 0
 * ```
 */
export interface HarmonizeResult {
  readonly data: Float64Array;
  readonly model: CombatModel;
  readonly warnings: CombatWarning[];
}

/**
 * ComBat harmonization of a samples x features matrix, with sva::ComBat's semantics: code the
 * design, accumulate the sufficient statistics once, finalize the model, adjust. Inputs are never
 * modified.
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind.
 * @throws {@link ShapeMismatchError} when the data are not `samples x features` values, or a
 * covariate column's length is not the number of samples.
 * @throws {@link EmptyInputError} when there are no samples or no features.
 * @throws {@link InvalidValueError} when a data value is infinite (missing cells are NaN), a label
 * is missing, or a continuous covariate is not finite or too large for float64 squares.
 * @throws {@link TooFewBatchesError} when there are fewer than two batches.
 * @throws {@link UnknownBatchError} when `options.refBatch` is not one of the batches.
 * @throws {@link CovariateNameError} when covariate names would give a design column twice, or
 * two labels differ only in spaces or Unicode form.
 * @throws {@link ConfoundedDesignError} when a covariate is confounded with batch or with the
 * other covariates.
 * @throws {@link TooFewFeaturesError} when empirical Bayes has fewer than two adjustable features.
 *
 * @example
 * ```ts
 * import { harmonize } from '@combat/core';
 *
 * const { data, model, warnings } = harmonize(
 *   { data: Float64Array.of(2.61, 2.48, 2.55, 2.4, 2.83, 2.71, 2.95, 2.66), samples: 4, features: 2 },
 *   { batch: ['siteA', 'siteA', 'siteB', 'siteB'] },
 *   { eb: false },
 * );
 * [...model.batches.keys()]; // ['siteA', 'siteB']
 * // Each site's mean of a feature moves to its mean over all samples, (2.61 + 2.55 + 2.83 + 2.95) / 4.
 * Math.abs((data[0] + data[2]) / 2 - 2.735) < 1e-12; // true
 * ```
 */
export function harmonize(matrix: DataMatrix, covariates: Covariates, options: CombatOptions = {}): HarmonizeResult {
  const { coding, rows, fitOptions } = prepareHarmonize(matrix, covariates, options);
  const { model, warnings } = finalizeModel(accumulateColumns(coding, matrix, rows, 0, matrix.features), fitOptions);
  const data = new Float64Array(matrix.samples * matrix.features);
  adjustColumns(model, matrix, rows, data, 0);
  return { data, model, warnings };
}

/**
 * What {@link harmonize} does before it reads the data: checks the arguments, codes the design,
 * encodes the rows and checks the batches; and the options of the fit (the splines are in the
 * coding then). Infinite data values are found as the data are accumulated (`accumulateColumns`). Shared with the threaded harmonization, so both refuse the same inputs alike.
 */
export function prepareHarmonize(matrix: DataMatrix, covariates: Covariates, options: CombatOptions): { coding: DesignCoding; rows: EncodedRows; fitOptions: CombatOptions } {
  checkObject(matrix, 'harmonize: matrix', 'an object { data, samples, features }');
  checkInputs(matrix, covariates, matrix.features, 'harmonize');
  checkFitOptions(options, 'harmonize');
  const coding = codeDesign(covariates, options.splines === undefined ? {} : { splines: options.splines });
  checkFitBatches(covariates.batch, options.refBatch ?? null);
  const rows = encodeCovariates(coding, covariates);
  const { splines: _coded, ...fitOptions } = options;
  return { coding, rows, fitOptions };
}
