import type { DesignCoding } from './design.js';
import type { UnadjustedReason } from './types.js';

/**
 * A fitted ComBat model: everything needed to adjust any sample of a training batch (section 7
 * of docs/combat-spec.md), and the estimates for inspection. Per-batch arrays are B x V,
 * batch-major (`gammaStar[b * features + v]`), batches in `batches` order (code-point sorted).
 *
 * Features that could not be adjusted (see {@link UnadjustedReason}: constant within a batch, no
 * finite value in a batch, zero pooled variance, overflow, ...) have `adjusted[v] = 0`, are passed
 * through unchanged, and have NaN in every per-feature estimate. `aPrior` and `bPrior` are NaN in
 * mean-only mode, where they are unused, and Infinity for the reference batch.
 * {@link deserializeModel} says what else a model must satisfy. Treat the arrays as read-only:
 * applying a model checks it and caches values derived from it, once per model object.
 *
 * @example
 * ```ts
 * const siteB = model.batches.indexOf('siteB'); // 1
 * model.features; // 3
 * model.coding.columns; // ['batch:siteA', 'batch:siteB', 'sex:M', 'age']
 * const shiftOfFeature2 = model.gammaStar[siteB * model.features + 2];
 * ```
 */
export interface CombatModel {
  readonly features: number;
  readonly coding: DesignCoding;
  /** Batch levels in code-point order (same as `coding.batches`). */
  readonly batches: readonly string[];
  /** Training samples per batch. */
  readonly batchSizes: readonly number[];
  /** The options in force (mean-only may have been switched on by a one-sample batch). */
  readonly options: { readonly eb: boolean; readonly parametric: boolean; readonly meanOnly: boolean };
  /** Regression coefficients, one row per design column (`coding.columns`): `beta[j * features + v]`. */
  readonly beta: Float64Array;
  readonly varPooled: Float64Array;
  readonly grandMean: Float64Array;
  readonly gammaHat: Float64Array;
  readonly deltaHat: Float64Array;
  readonly gammaStar: Float64Array;
  readonly deltaStar: Float64Array;
  readonly gammaBar: Float64Array;
  readonly t2: Float64Array;
  readonly aPrior: Float64Array;
  readonly bPrior: Float64Array;
  /** 1 where the feature is adjusted, 0 where it passes through unchanged. */
  readonly adjusted: Uint8Array;
}
