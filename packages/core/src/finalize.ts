import { refuseArgument } from '@combat/base/internal';
import { checkFitOptions } from './arguments.js';
import { CONVERGENCE } from './empirical-bayes.js';
import {
  allocateModel,
  assembleModel,
  estimateFitPriors,
  findKept,
  finishRange,
  fitRange,
  fitWarnings,
  iterateRange,
  iteratesBatch,
  planFit,
  shrinkRange,
  type Outcome,
} from './fit-phases.js';
import type { CombatModel } from './model.js';
import { requireStatistics, type CombatStatistics } from './statistics.js';
import type { CombatOptions, CombatWarning } from './types.js';

/**
 * Fits a model from sufficient statistics (of every training sample): checks the design, fits the
 * regression, screens the features (those that cannot be adjusted pass through, with a reason),
 * estimates the batch effects, shrinks them (parametric, non-parametric or no EB, optionally
 * mean-only) and aligns them to the reference batch when `options.refBatch` names one. The
 * statistics are not modified.
 *
 * @throws {@link InvalidArgumentError} when `statistics` is not statistics as an accumulator makes
 * them, or an option is of the wrong type.
 * @throws {@link TooFewBatchesError} when the statistics hold fewer than two batches.
 * @throws {@link UnknownBatchError} when `options.refBatch` is not one of the batches.
 * @throws {@link CovariateNameError} when two batch labels differ only in spaces or Unicode form.
 * @throws {@link ConfoundedDesignError} when the design is rank deficient (a covariate confounded
 * with batch or with the other covariates).
 * @throws {@link InvalidValueError} when a covariate's values are too large for float64 squares.
 * @throws {@link TooFewFeaturesError} when empirical Bayes has fewer than two adjustable features.
 *
 * @example
 * ```ts
 * const statistics = new CombatAccumulator(codeDesign(covariates), 3).add(matrix, covariates).statistics();
 * const { model: fitted, warnings } = finalizeModel(statistics, { parametric: true });
 * warnings; // []
 * fitted.batches.get('siteA')!.gammaStar; // model.batches.get('siteA')!.gammaStar
 * finalizeModel(new CombatAccumulator(codeDesign(covariates), 3).add(blockA, covariatesA).statistics());
 * // throws TooFewBatchesError: expected at least 2 batches; found 1 ("siteA")
 * ```
 */
export function finalizeModel(statistics: CombatStatistics, options: CombatOptions = {}): { model: CombatModel; warnings: CombatWarning[] } {
  requireStatistics(statistics, 'finalizeModel');
  checkFitOptions(options, 'finalizeModel');
  if (options.splines !== undefined) {
    refuseArgument('finalizeModel: options.splines', 'undefined: statistics carry their coding, splines included (code them with codeDesign)', options.splines);
  }
  // The phases of a fit split by features, over one range: every feature.
  const plan = planFit(statistics, options);
  const arrays = allocateModel(plan, statistics.features);
  const fit = fitRange(plan, statistics, 0, arrays);
  const kept = findKept(fit.screen);
  const priors = estimateFitPriors(plan, fit.screen, kept, arrays);
  shrinkRange(plan, fit, kept, 0, kept.length, priors, arrays);
  const steps = plan.labels.map((_, b) => (iteratesBatch(plan, b) ? { done: 0, limit: plan.maxIterations, untilConverged: true } : null));
  const outcomes = iterateRange(fit, kept, 0, kept.length, priors, arrays, steps).map((changes, b): Outcome => {
    const change = steps[b] === null ? 0 : (changes.at(-1) ?? Infinity);
    return { converged: change <= CONVERGENCE, change };
  });
  finishRange(plan, fit, arrays);
  return { model: assembleModel(plan, arrays, priors), warnings: fitWarnings(plan, fit.screen, outcomes) };
}
