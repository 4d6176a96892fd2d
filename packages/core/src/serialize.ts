import { describeValue, isRecord, requireRecord } from './arguments.js';
import type { Fail } from './coding-checks.js';
import { ModelFormatError } from './errors.js';
import type { CombatModel } from './model.js';
import { FLOAT_ARRAYS, checkMeta, checkModelFields, type ModelMeta } from './model-checks.js';

/**
 * Version of the serialized model layout; bumped on any incompatible change.
 *
 * @example
 * ```ts
 * serializeModel(model).formatVersion === MODEL_FORMAT_VERSION; // true
 * ```
 */
export const MODEL_FORMAT_VERSION = 1;

/**
 * A model as JSON-safe metadata plus typed arrays: what a file format (Arrow IPC, JSON with
 * base64, a worker message) stores. Typed arrays keep NaN and every bit of every value.
 *
 * @example
 * ```ts
 * const { formatVersion, meta, arrays } = serializeModel(model);
 * JSON.stringify(meta); // safe: strings, integers and booleans only
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
 * after checking it as {@link checkModel} does: a model that would not load again is refused
 * here, when it is written, rather than when it is read.
 *
 * @example
 * ```ts
 * const restored = deserializeModel(serializeModel(model)); // equal to model, bit for bit
 * ```
 */
export function serializeModel(model: CombatModel): SerializedModel {
  requireRecord(model, 'serializeModel', 'model', 'a CombatModel');
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
 * file reader needs before it can look for the arrays the coding implies. Throws
 * {@link ModelFormatError} naming the field (e.g. `coding.batches[1]`, `batchSizes[0]`).
 *
 * @example
 * ```ts
 * const meta = checkModelMeta(JSON.parse(text));
 * meta.coding.columns; // the design columns whose beta the file must hold
 * ```
 */
export function checkModelMeta(meta: unknown): ModelMeta {
  if (!isRecord(meta)) return modelFormat(`meta is ${describeValue(meta)}; expected an object { features, coding, batchSizes, options }`);
  return checkMeta(meta, modelFormat);
}

/**
 * Rebuilds a model from {@link serializeModel}'s output (copies, bit for bit), refusing with
 * {@link ModelFormatError} anything else: another format version, missing or ill-typed parts, and
 * every inconsistency {@link checkModel} looks for. A model that deserializes gives finite
 * outputs for finite inputs.
 *
 * @example
 * ```ts
 * const { formatVersion, meta, arrays } = serializeModel(model);
 * const restored = deserializeModel({ formatVersion, meta: JSON.parse(JSON.stringify(meta)), arrays });
 * ```
 */
export function deserializeModel(serialized: SerializedModel): CombatModel {
  if (!isRecord(serialized)) return modelFormat(`serialized model is ${describeValue(serialized)}; expected an object { formatVersion, meta, arrays }`);
  if (serialized.formatVersion !== MODEL_FORMAT_VERSION) {
    modelFormat(`model format version ${describeValue(serialized.formatVersion)} is not supported; expected ${MODEL_FORMAT_VERSION}`);
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
 * Checks that a value is a model a fit could have produced, and throws {@link ModelFormatError}
 * naming the first field that is not (with `feature` set for a per-feature value): the design
 * coding exactly as `codeDesign` makes one, batch sizes, options, array types and lengths, and
 * for every adjusted feature finite estimates with positive variances and deltas (the reference
 * batch's gammaStar 0 and deltaStar 1; deltas 1 in mean-only mode; star equal to hat values
 * without empirical Bayes). `applyCombat` and `serializeModel` check their model this way.
 *
 * @example
 * ```ts
 * checkModel(JSON.parse(text)); // throws ModelFormatError: coding.batches[1] is "a" after "b"; ...
 * ```
 */
export function checkModel(model: unknown): asserts model is CombatModel {
  checkModelFields(model, modelFormat);
}
