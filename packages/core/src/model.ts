import type { CovbatModel } from './covbat-model.js';
import type { DesignCoding } from './design.js';

/**
 * A batch's effects in a fitted model (sections 3, 4 and 7 of docs/combat-spec.md), one value per
 * feature: the location and scale estimates `gammaHat` and `deltaHat`, what the adjustment uses,
 * `gammaStar` and `deltaStar` (shrunk by empirical Bayes, or equal to the estimates without it),
 * the priors of the shrinkage, how many samples they come from, and whether the batch was part of
 * the fit (`training`) or estimated later from new samples with the fit frozen.
 *
 * A sample of the batch is adjusted in feature v when `adjusted[v]` is 1; where it is 0 (the
 * feature could not be fitted, or this batch's values of it could not be estimated) the value
 * passes through unchanged and the estimates are NaN. `aPrior` and `bPrior` are NaN in mean-only
 * mode and Infinity when the deltas have no spread; the priors are NaN without empirical Bayes for
 * a new batch, and for a reference batch its `gammaStar` is 0 and `deltaStar` 1.
 *
 * @example
 * ```ts
 * const siteB: BatchEffects = model.batches.get('siteB')!;
 * siteB.samples; // 4
 * siteB.training; // true
 * siteB.gammaStar.length; // 3
 * ```
 */
export interface BatchEffects {
  readonly samples: number;
  readonly training: boolean;
  readonly gammaHat: Float64Array;
  readonly deltaHat: Float64Array;
  readonly gammaStar: Float64Array;
  readonly deltaStar: Float64Array;
  readonly gammaBar: number;
  readonly t2: number;
  readonly aPrior: number;
  readonly bPrior: number;
  readonly adjusted: Uint8Array;
}

/**
 * A fitted ComBat model: the covariate part, fitted once on the training samples, and the effects
 * of each batch by label. Adjusting a sample of batch b in feature v (section 5 of
 * docs/combat-spec.md) takes `stand = grandMean[v] + sum_k c_k beta[k * features + v]` from the
 * sample's own covariate columns c, then `stand + (y - stand - sqrt(varPooled[v]) gammaStar) /
 * sqrt(deltaStar)` with b's effects. Adding a batch (see {@link estimateBatches}) never changes the
 * covariate part.
 *
 * The covariate part: the coding (terms with their levels and training ranges, and the covariate
 * columns), the coefficients of those columns (`beta`, q x V), the grand mean (the training
 * batches' intercepts weighted by their sizes, or the reference batch's intercept) and the pooled
 * variance (of the reference batch alone when there is one), `adjusted` (1 where the feature was
 * fitted, 0 where it passes through for every batch, with NaN estimates), and the options in force
 * (mean-only may have been switched on by a one-sample batch). Batches come in code-point order.
 * A model fitted by {@link harmonizeCovbat} also has `covbat`, the CovBat step applied after
 * ComBat's (see {@link CovbatModel}); other models have none.
 * Treat the arrays as read-only: applying a model checks it and caches values derived from it,
 * once per model object.
 *
 * @example
 * ```ts
 * model.features; // 3
 * model.coding.columns; // ['sex:M', 'age']
 * [...model.batches.keys()]; // ['siteA', 'siteB']
 * model.refBatch; // null
 * const ageEffectOfFeature2 = model.beta[1 * model.features + 2];
 * ```
 */
export interface CombatModel {
  readonly features: number;
  readonly coding: DesignCoding;
  readonly refBatch: string | null;
  readonly options: { readonly eb: boolean; readonly parametric: boolean; readonly meanOnly: boolean };
  /** Covariate coefficients, one row per covariate column (`coding.columns`): `beta[k * features + v]`. */
  readonly beta: Float64Array;
  readonly grandMean: Float64Array;
  readonly varPooled: Float64Array;
  readonly adjusted: Uint8Array;
  readonly batches: ReadonlyMap<string, BatchEffects>;
  readonly covbat?: CovbatModel;
}
