import { checkObject, describeValue, isRecord } from '@combat/base/internal';
import { checkCoding, type Fail } from './coding-checks.js';
import type { DesignCoding } from './design.js';
import { ModelFormatError } from './errors.js';
import type { CombatModel } from './model.js';

/**
 * Everything in a model that is not a per-feature array: what {@link serializeModel} puts in
 * `meta`, as JSON-safe values (strings, integers and booleans).
 *
 * @example
 * ```ts
 * const meta: ModelMeta = serializeModel(model).meta;
 * meta.batchSizes; // [4, 4]
 * meta.options; // { eb: true, parametric: true, meanOnly: false }
 * meta.coding.columns; // ['batch:siteA', 'batch:siteB', 'sex:M', 'age']
 * ```
 */
export interface ModelMeta {
  readonly features: number;
  readonly coding: DesignCoding;
  readonly batchSizes: readonly number[];
  readonly options: CombatModel['options'];
}

/** The model's Float64Array fields, in the order they are checked and serialized. */
export const FLOAT_ARRAYS = ['beta', 'varPooled', 'grandMean', 'gammaHat', 'deltaHat', 'gammaStar', 'deltaStar', 'gammaBar', 't2', 'aPrior', 'bPrior'] as const;

/**
 * Checks a model's metadata and returns a fresh copy: `features` a positive integer, a coding as
 * {@link checkCoding} requires, `batchSizes` one positive integer per batch, `options` three booleans,
 * mean-only when a batch has a single sample (the fit switches to it), and at least as many
 * samples as design columns (a full-rank design needs them).
 */
export function checkMeta(value: Record<string, unknown>, fail: Fail): ModelMeta {
  const { features, batchSizes, options } = value;
  if (!(typeof features === 'number' && Number.isSafeInteger(features) && features >= 1)) fail(`features is ${describeValue(features)}; expected a positive integer`);
  const coding = checkCoding(value.coding, 'coding', fail);
  const B = coding.batches.length;
  if (!Array.isArray(batchSizes) || batchSizes.length !== B) {
    fail(`batchSizes is ${describeValue(batchSizes)}; expected an array of ${B} sample counts, one per batch (${coding.batches.join(', ')})`);
  }
  const sizes = (batchSizes as unknown[]).map((size, b) => {
    if (!(typeof size === 'number' && Number.isSafeInteger(size) && size >= 1)) fail(`batchSizes[${b}] (batch ${coding.batches[b]}) is ${describeValue(size)}; expected a positive integer`);
    return size as number;
  });
  if (!isRecord(options)) return fail(`options is ${describeValue(options)}; expected { eb, parametric, meanOnly }`);
  for (const key of ['eb', 'parametric', 'meanOnly']) {
    if (typeof options[key] !== 'boolean') fail(`options.${key} is ${describeValue(options[key])}; expected true or false`);
  }
  const single = coding.batches.filter((_, b) => sizes[b] === 1);
  if (single.length > 0 && options.meanOnly !== true) fail(`options.meanOnly is false but batch ${single.join(', ')} has a single sample; a fit switches to mean-only then`);
  const samples = sizes.reduce((a, n) => a + n, 0);
  if (samples < coding.columns.length) fail(`batchSizes add up to ${samples} samples; a full-rank design of ${coding.columns.length} columns needs at least as many`);
  return {
    features: features as number,
    coding,
    batchSizes: sizes,
    options: { eb: options.eb as boolean, parametric: options.parametric as boolean, meanOnly: options.meanOnly as boolean },
  };
}

/**
 * Checks that a value is a usable model: metadata as {@link checkMeta} requires, `batches` equal
 * to the coding's, every array typed and of its length, `adjusted` 0 or 1, and for every adjusted
 * feature the values a fit produces: positive finite `varPooled`; finite `grandMean`, `beta`,
 * `gammaHat` and `gammaStar`; positive finite `deltaHat` and `deltaStar`; for the reference batch
 * `gammaStar` 0 and `deltaStar` 1; in mean-only mode `deltaHat` and `deltaStar` 1; without
 * empirical Bayes the star values equal the hat values (other batches than the reference). The
 * priors may be NaN or infinite (see `CombatModel`), and unadjusted features' values are not used,
 * so neither is checked beyond its type.
 */
export function checkModelFields(model: unknown, fail: Fail): asserts model is CombatModel {
  if (!isRecord(model)) return fail(`model is ${describeValue(model)}; expected a CombatModel object`);
  const { features: V, coding, options } = checkMeta(model, fail);
  const B = coding.batches.length;
  const batches = model.batches;
  if (!Array.isArray(batches) || batches.length !== B || batches.some((b, k) => b !== coding.batches[k])) {
    fail(`batches is ${describeValue(batches)}; expected the coding's batches (${coding.batches.join(', ')})`);
  }
  const lengths: Record<(typeof FLOAT_ARRAYS)[number], number> = {
    beta: coding.columns.length * V,
    varPooled: V,
    grandMean: V,
    gammaHat: B * V,
    deltaHat: B * V,
    gammaStar: B * V,
    deltaStar: B * V,
    gammaBar: B,
    t2: B,
    aPrior: B,
    bPrior: B,
  };
  for (const name of FLOAT_ARRAYS) {
    const array = model[name];
    if (!(array instanceof Float64Array) || array.length !== lengths[name]) fail(`${name} is ${describeValue(array)}; expected a Float64Array of length ${lengths[name]}`);
  }
  const adjusted = model.adjusted;
  if (!(adjusted instanceof Uint8Array) || adjusted.length !== V) fail(`adjusted is ${describeValue(adjusted)}; expected a Uint8Array of length ${V}`);
  checkValues(model as unknown as CombatModel, coding, options, fail);
}

/** The per-feature values of adjusted features (see {@link checkModelFields}); messages are built only on failure. */
function checkValues(model: CombatModel, coding: DesignCoding, options: CombatModel['options'], fail: Fail): void {
  const V = model.features;
  const B = coding.batches.length;
  const ref = coding.refBatch === null ? -1 : coding.batches.indexOf(coding.refBatch);
  const { adjusted, beta, varPooled, grandMean, gammaHat, deltaHat, gammaStar, deltaStar } = model;
  const bad = (field: string, value: number, expected: string, feature: number): never => fail(`${field} is ${value}; expected ${expected}`, { feature });
  for (let v = 0; v < V; v++) {
    if (adjusted[v] !== 1) {
      if (adjusted[v] !== 0) fail(`adjusted is ${adjusted[v]}; expected 0 or 1`, { feature: v });
      continue;
    }
    if (!(varPooled[v] > 0 && varPooled[v] < Infinity)) bad('varPooled', varPooled[v], 'a positive number', v);
    if (!Number.isFinite(grandMean[v])) bad('grandMean', grandMean[v], 'a finite number', v);
    for (let j = 0; j < coding.columns.length; j++) {
      if (!Number.isFinite(beta[j * V + v])) bad(`beta[${coding.columns[j]}]`, beta[j * V + v], 'a finite number', v);
    }
    for (let b = 0; b < B; b++) {
      const at = b * V + v;
      const batch = coding.batches[b];
      const gh = gammaHat[at];
      const dh = deltaHat[at];
      const gs = gammaStar[at];
      const ds = deltaStar[at];
      if (!Number.isFinite(gh)) bad(`gammaHat[${batch}]`, gh, 'a finite number', v);
      if (!(dh > 0 && dh < Infinity)) bad(`deltaHat[${batch}]`, dh, 'a positive number', v);
      if (!Number.isFinite(gs)) bad(`gammaStar[${batch}]`, gs, 'a finite number', v);
      if (!(ds > 0 && ds < Infinity)) bad(`deltaStar[${batch}]`, ds, 'a positive number', v);
      if (b === ref) {
        if (gs !== 0) bad(`gammaStar[${batch}]`, gs, '0 for the reference batch', v);
        if (ds !== 1) bad(`deltaStar[${batch}]`, ds, '1 for the reference batch', v);
      } else if (!options.eb) {
        if (!Object.is(gs, gh)) bad(`gammaStar[${batch}]`, gs, `gammaHat[${batch}] (${gh}) without empirical Bayes`, v);
        if (!Object.is(ds, dh)) bad(`deltaStar[${batch}]`, ds, `deltaHat[${batch}] (${dh}) without empirical Bayes`, v);
      }
      if (options.meanOnly && (dh !== 1 || ds !== 1)) bad(dh !== 1 ? `deltaHat[${batch}]` : `deltaStar[${batch}]`, dh !== 1 ? dh : ds, '1 in mean-only mode', v);
    }
  }
}

/**
 * Checks a model argument: {@link InvalidArgumentError} when it is not an object, else as
 * {@link checkModelFields} does with {@link ModelFormatError}, once per model object (models are
 * read-only, and a streaming caller applies the same one to one sample at a time).
 *
 * @throws {@link InvalidArgumentError} when `model` is not an object.
 * @throws {@link ModelFormatError} naming the first field that is wrong.
 */
export function requireModel(model: unknown, fn: string): asserts model is CombatModel {
  checkObject(model, `${fn}: model`, 'a CombatModel');
  if (CHECKED_MODELS.has(model as object)) return;
  checkModelFields(model, (detail, context) => {
    throw new ModelFormatError(detail, context);
  });
  CHECKED_MODELS.add(model as object);
}

const CHECKED_MODELS = new WeakSet<object>();
