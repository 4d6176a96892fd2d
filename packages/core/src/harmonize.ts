import { checkOptions, requireRecord } from './arguments.js';
import { CombatAccumulator } from './accumulator.js';
import { applyEncoded } from './apply.js';
import { codeDesign, encodeCovariates } from './design.js';
import { finalizeModel } from './finalize.js';
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
 * ```
 */
export interface HarmonizeResult {
  readonly data: Float64Array;
  readonly model: CombatModel;
  readonly warnings: CombatWarning[];
}

/**
 * ComBat harmonization of a samples x features matrix, with sva::ComBat's semantics: accumulate
 * the sufficient statistics once, finalize the model, adjust. Inputs are never modified.
 *
 * @example
 * ```ts
 * import { harmonize } from '@combat/core';
 * const { data, model, warnings } = harmonize(
 *   { data: thickness, samples: 120, features: 68 },
 *   { batch: sites, categorical: { sex }, continuous: { age } },
 *   { parametric: true },
 * );
 * ```
 */
export function harmonize(matrix: DataMatrix, covariates: Covariates, options: CombatOptions = {}): HarmonizeResult {
  requireRecord(matrix, 'harmonize', 'matrix', 'an object { data, samples, features }');
  checkInputs(matrix, covariates, matrix.features, 'harmonize');
  checkOptions(options, 'harmonize');
  const coding = codeDesign(covariates, { refBatch: options.refBatch ?? null });
  const rows = encodeCovariates(coding, covariates);
  const accumulator = new CombatAccumulator(coding, matrix.features).addEncoded(matrix, rows);
  const { model, warnings } = finalizeModel(accumulator, options);
  return { data: applyEncoded(model, matrix, rows), model, warnings };
}
