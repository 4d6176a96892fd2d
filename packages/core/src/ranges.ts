import { checkCovariates, requireCoding } from './covariate-checks.js';
import type { DesignCoding } from './design.js';
import type { CombatWarning, Covariates } from './types.js';

/**
 * The `outside-training-range` warnings for covariates a model is applied to: one per continuous
 * covariate with values outside its term's range (none for a term whose range is unknown), naming
 * the covariate, the range, and the samples (0-based). The covariate's effect is extrapolated for
 * those samples. Covariates are checked as `encodeCovariates` checks them before this is asked.
 *
 * @throws {@link InvalidArgumentError} when `coding` or `covariates` is not of the right kind.
 *
 * @example
 * ```ts
 * const [warning] = rangeWarnings(model.coding, { batch: ['siteA', 'siteB'], categorical: { sex: ['F', 'M'] }, continuous: { age: [25, 70] } });
 * warning.message; // '2 samples have age outside the training range [29, 62] (samples 0, 1): the covariate effects are extrapolated there'
 * ```
 */
export function rangeWarnings(coding: DesignCoding, covariates: Covariates): CombatWarning[] {
  requireCoding(coding, 'rangeWarnings');
  checkCovariates(covariates, 'rangeWarnings');
  const warnings: CombatWarning[] = [];
  for (const term of coding.terms) {
    if (term.kind === 'categorical' || term.range === null) continue;
    const values = covariates.continuous?.[term.name];
    if (values === undefined) continue;
    const [low, high] = term.range;
    const samples: number[] = [];
    for (let i = 0; i < values.length; i++) if (!((values[i] as number) >= low && (values[i] as number) <= high)) samples.push(i);
    if (samples.length === 0) continue;
    const listed = `${samples.slice(0, 10).join(', ')}${samples.length > 10 ? `, ... (${samples.length})` : ''}`;
    warnings.push({
      code: 'outside-training-range',
      covariate: term.name,
      range: [low, high],
      samples,
      message: `${samples.length} sample${samples.length === 1 ? ' has' : 's have'} ${term.name} outside the training range [${low}, ${high}] (sample${samples.length === 1 ? '' : 's'} ${listed}): the covariate effects are extrapolated there`,
    });
  }
  return warnings;
}
