import { checkObject, describeValue, isRecord } from '@combat/base/internal';
import type { Fail } from './coding-checks.js';
import { ModelFormatError } from './errors.js';
import type { CombatModel } from './model.js';
import { FLOAT_ARRAYS, checkMeta, checkModelFields, type ModelMeta } from './model-checks.js';

/**
 * Version of the serialized model layout; bumped on any incompatible change.
 *
 * @example
 * ```ts
 * MODEL_FORMAT_VERSION; // 1
 * serializeModel(model).formatVersion; // 1
 * ```
 */
export const MODEL_FORMAT_VERSION = 1;

/**
 * A model as JSON-safe metadata plus typed arrays: what a file format (Arrow IPC, JSON with
 * base64, a worker message) stores. Typed arrays keep NaN and every bit of every value.
 *
 * @example
 * ```ts
 * const { formatVersion, meta, arrays }: SerializedModel = serializeModel(model);
 * const text = JSON.stringify({ formatVersion, meta }); // strings, integers and booleans only
 * arrays.gammaStar.length; // 6
 * ```
 */
export interface SerializedModel {
  readonly formatVersion: number;
  readonly meta: ModelMeta;
  readonly arrays: Readonly<Record<(typeof FLOAT_ARRAYS)[number], Float64Array>> & { readonly adjusted: Uint8Array };
}

const modelFormat: Fail = (detail, context) => {
  throw new ModelFormatError(detail, context);
};

/**
 * Splits a model into metadata and typed arrays (copies, so the result does not alias the model),
 * after checking it as {@link deserializeModel} does: a model that would not load again is
 * refused here, when it is written, rather than when it is read.
 *
 * @throws {@link InvalidArgumentError} when `model` is not an object.
 * @throws {@link ModelFormatError} when `model` is not one a fit produces, naming the field.
 *
 * @example
 * ```ts
 * const restored = deserializeModel(serializeModel(model)); // equal to model, bit for bit
 * restored.gammaStar; // model.gammaStar
 * serializeModel({ ...model, deltaStar: Float64Array.of(1, 1, -1, 1, 1, 1) });
 * // throws ModelFormatError: feature 2: deltaStar[siteA] is -1; expected a positive number
 * ```
 */
export function serializeModel(model: CombatModel): SerializedModel {
  checkObject(model, 'serializeModel: model', 'a CombatModel');
  checkModelFields(model, modelFormat);
  const arrays = Object.fromEntries(FLOAT_ARRAYS.map((name) => [name, model[name].slice()])) as Record<(typeof FLOAT_ARRAYS)[number], Float64Array>;
  return {
    formatVersion: MODEL_FORMAT_VERSION,
    meta: checkMeta(model as unknown as Record<string, unknown>, modelFormat),
    arrays: { ...arrays, adjusted: model.adjusted.slice() },
  };
}

/**
 * Checks a serialized model's metadata (format version aside) and returns a fresh copy: what a
 * file reader needs before it can look for the arrays the coding implies.
 *
 * @throws {@link ModelFormatError} naming the field (e.g. `coding.batches[1]`, `batchSizes[0]`).
 */
export function checkModelMeta(meta: unknown): ModelMeta {
  if (!isRecord(meta)) return modelFormat(`meta is ${describeValue(meta)}; expected an object { features, coding, batchSizes, options }`);
  return checkMeta(meta, modelFormat);
}

/**
 * Rebuilds a model from {@link serializeModel}'s output (copies, bit for bit), refusing anything
 * a fit could not have produced, so that a tampered or foreign model is an error naming the field
 * rather than wrong outputs or NaN. It checks another format version; missing or ill-typed parts;
 * the design coding exactly as {@link codeDesign} makes one (batches unique non-empty strings in
 * code-point order, `refBatch` null or one of them, each categorical's levels unique and sorted
 * with `dropped` the first, names unique, `columns` exactly the list the coding implies);
 * `batchSizes` one positive integer per batch (mean-only when one is 1, at least as many samples
 * as design columns); `options` three booleans; arrays typed and of their lengths; `adjusted` 0
 * or 1; and for every adjusted feature finite estimates with positive `varPooled`, `deltaHat` and
 * `deltaStar`, the reference batch's `gammaStar` 0 and `deltaStar` 1, deltas 1 in mean-only mode,
 * and star values equal to hat values without empirical Bayes. The priors may be NaN or infinite
 * (see {@link CombatModel}) and the values of unadjusted features are not used, so neither is
 * checked beyond its type. A model that deserializes gives finite outputs for finite inputs.
 *
 * @throws {@link ModelFormatError} naming the first field that is wrong (with `feature` set for a
 * value of one feature).
 *
 * @example
 * ```ts
 * const { formatVersion, meta, arrays } = serializeModel(model);
 * const restored = deserializeModel({ formatVersion, meta: JSON.parse(JSON.stringify(meta)), arrays });
 * restored.batches; // ['siteA', 'siteB']
 * deserializeModel({ formatVersion: 99, meta, arrays });
 * // throws ModelFormatError: formatVersion is a number (99); expected 1
 * ```
 */
export function deserializeModel(serialized: SerializedModel): CombatModel {
  if (!isRecord(serialized)) return modelFormat(`serialized model is ${describeValue(serialized)}; expected an object { formatVersion, meta, arrays }`);
  if (serialized.formatVersion !== MODEL_FORMAT_VERSION) {
    modelFormat(`formatVersion is ${describeValue(serialized.formatVersion)}; expected ${MODEL_FORMAT_VERSION}`);
  }
  const meta = checkModelMeta(serialized.meta);
  const arrays: unknown = serialized.arrays;
  if (!isRecord(arrays)) return modelFormat(`arrays is ${describeValue(arrays)}; expected an object of typed arrays`);
  const copy = (value: unknown) => (value instanceof Float64Array || value instanceof Uint8Array ? value.slice() : value);
  const model = {
    ...meta,
    batches: meta.coding.batches,
    ...Object.fromEntries(FLOAT_ARRAYS.map((name) => [name, copy(arrays[name])])),
    adjusted: copy(arrays.adjusted),
  };
  checkModelFields(model, modelFormat);
  return model;
}

/**
 * Checks that a value is a model a fit could have produced, as {@link deserializeModel} checks
 * the model it rebuilds, and throws {@link ModelFormatError} naming the first field that is not.
 *
 * @throws {@link ModelFormatError} naming the first field that is wrong.
 */
export function checkModel(model: unknown): asserts model is CombatModel {
  checkModelFields(model, modelFormat);
}
