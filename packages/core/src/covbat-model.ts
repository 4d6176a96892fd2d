import { describeValue, isRecord } from '@combat/base/internal';
import type { Fail } from './coding-checks.js';

/**
 * The CovBat part of a model (Chen et al. 2022; see {@link harmonizeCovbat}): what adjusting a
 * sample's covariance across features needs after ComBat. The ComBat output's residual r (the
 * harmonized value minus the sample's covariate mean, `grandMean` plus covariate effects) is
 * standardized per feature, `z = (r - center) / sd`; its scores on the leading `components`
 * principal components are `s = z * loadings'`; each score is moved by its batch's location and
 * scale, `mean + (s - mean - location) / scale` (the score ComBat without empirical Bayes or
 * covariates), and the change is added back through the loadings and `sd`.
 *
 * - `components` (K) and `variance`: the number of leading components harmonized and the share of
 *   the residuals' variance (after scaling every feature to unit variance) they explain.
 * - `center`, `sd` (V each): the residuals' mean and standard deviation (n - 1) per feature.
 * - `loadings` (K x V, component-major: `loadings[k * features + v]`): unit vectors; the sign
 *   of each is arbitrary and the output does not depend on it.
 * - `mean` (K): the scores' mean over the training batches (weighted by their sizes).
 * - `batches`: per training batch, `location` and `scale` of its scores (K each), as ComBat's
 *   `sqrt(varPooled) * gammaHat` and `sqrt(deltaHat)`; a component the score fit could not
 *   adjust (its scores constant within a batch) has location 0 and scale 1 there.
 *
 * @example
 * ```ts
 * const { model } = harmonizeCovbat(matrix, covariates, { components: 2 });
 * const covbat: CovbatModel = model.covbat!;
 * covbat.components; // 2
 * covbat.loadings.length; // 2 * model.features
 * covbat.batches.get('siteA')!.scale.length; // 2
 * ```
 */
export interface CovbatModel {
  readonly components: number;
  readonly variance: number;
  readonly center: Float64Array;
  readonly sd: Float64Array;
  readonly loadings: Float64Array;
  readonly mean: Float64Array;
  readonly batches: ReadonlyMap<string, CovbatBatch>;
}

/**
 * One batch's adjustment of the principal-component scores in a {@link CovbatModel}: a score s
 * of component k becomes `mean[k] + (s - mean[k] - location[k]) / scale[k]`.
 *
 * @example
 * ```ts
 * const { model } = harmonizeCovbat(matrix, covariates, { components: 2 });
 * const siteB: CovbatBatch = model.covbat!.batches.get('siteB')!;
 * siteB.location.length; // 2
 * ```
 */
export interface CovbatBatch {
  readonly location: Float64Array;
  readonly scale: Float64Array;
}

/** The metadata of a model's CovBat part as serialized (the arrays travel beside it). */
export interface CovbatMeta {
  readonly components: number;
  readonly variance: number;
}

/** Checks CovBat metadata: `components` a positive integer at most `features`, `variance` in (0, 1]. */
export function checkCovbatMeta(value: unknown, features: number, fail: Fail): CovbatMeta {
  if (!isRecord(value)) return fail(`covbat is ${describeValue(value)}; expected { components, variance }`);
  const { components, variance } = value;
  if (!(typeof components === 'number' && Number.isSafeInteger(components) && components >= 1 && components <= features)) {
    fail(`covbat.components is ${describeValue(components)}; expected an integer from 1 to the number of features (${features})`);
  }
  if (!(typeof variance === 'number' && variance > 0 && variance <= 1)) fail(`covbat.variance is ${describeValue(variance)}; expected a share of variance in (0, 1]`);
  return { components: components as number, variance: variance as number };
}

/**
 * Checks a model's CovBat part against the rest of the model: its metadata, arrays of their
 * types and lengths with finite values (positive `sd`s and `scale`s), a model without a reference batch
 * whose batches are all training batches that adjust every feature, and score adjustments for
 * exactly those batches.
 */
export function checkCovbat(
  value: unknown,
  model: { readonly features: number; readonly refBatch: string | null; readonly adjusted: Uint8Array; readonly batches: ReadonlyMap<string, { readonly training: boolean }> },
  fail: Fail,
): asserts value is CovbatModel {
  if (!isRecord(value)) return fail(`covbat is ${describeValue(value)}; expected the CovBat part of a model`);
  const V = model.features;
  const { components: K } = checkCovbatMeta(value, V, fail);
  if (model.refBatch !== null) fail(`refBatch is ${describeValue(model.refBatch)} in a CovBat model; expected null (CovBat has no reference batch)`);
  const untrained = [...model.batches].find(([, batch]) => !batch.training);
  if (untrained !== undefined) fail(`batch ${untrained[0]} of a CovBat model is not a training batch; expected only training batches (new batches cannot be added to a CovBat model)`);
  const unadjusted = model.adjusted.indexOf(0);
  if (unadjusted >= 0) fail('adjusted is 0 in a CovBat model; expected every feature fitted', { feature: unadjusted });
  const finite = (array: unknown, name: string, length: number, positive: boolean): void => {
    if (!(array instanceof Float64Array) || array.length !== length) return fail(`${name} is ${describeValue(array)}; expected a Float64Array of length ${length}`);
    for (let k = 0; k < length; k++) {
      const x = array[k] as number;
      if (positive ? !(x > 0 && x < Infinity) : !Number.isFinite(x)) fail(`${name}[${k}] is ${x}; expected a ${positive ? 'positive' : 'finite'} number`);
    }
  };
  finite(value.center, 'covbat.center', V, false);
  finite(value.sd, 'covbat.sd', V, true);
  finite(value.loadings, 'covbat.loadings', K * V, false);
  finite(value.mean, 'covbat.mean', K, false);
  const batches = value.batches;
  if (!(batches instanceof Map)) return fail(`covbat.batches is ${describeValue(batches)}; expected a Map from batch label to its score adjustments`);
  const labels = [...model.batches.keys()];
  const given = [...(batches as Map<unknown, unknown>).keys()];
  if (given.length !== labels.length || given.some((label, b) => label !== labels[b])) {
    fail(`covbat.batches has ${describeValue(given)}; expected the model's batches in order (${labels.join(', ')})`);
  }
  for (const [label, batch] of batches as Map<string, unknown>) {
    if (!isRecord(batch)) return fail(`covbat.batches.get(${JSON.stringify(label)}) is ${describeValue(batch)}; expected { location, scale }`);
    finite(batch.location, `covbat.batches.get(${JSON.stringify(label)}).location`, K, false);
    finite(batch.scale, `covbat.batches.get(${JSON.stringify(label)}).scale`, K, true);
  }
}
