import type { DesignCoding } from './design.js';
import { ModelFormatError } from './errors.js';
import type { CombatModel } from './model.js';

/**
 * Version of the serialized model layout; bumped on any incompatible change.
 *
 * @example
 * ```ts
 * serializeModel(model).formatVersion === MODEL_FORMAT_VERSION; // true
 * ```
 */
export const MODEL_FORMAT_VERSION = 1;

const FLOAT_ARRAYS = ['beta', 'varPooled', 'grandMean', 'gammaHat', 'deltaHat', 'gammaStar', 'deltaStar', 'gammaBar', 't2', 'aPrior', 'bPrior'] as const;

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
  readonly meta: {
    readonly features: number;
    readonly coding: DesignCoding;
    readonly batchSizes: readonly number[];
    readonly options: CombatModel['options'];
  };
  readonly arrays: Readonly<Record<(typeof FLOAT_ARRAYS)[number], Float64Array>> & { readonly adjusted: Uint8Array };
}

/**
 * Splits a model into metadata and typed arrays (copies, so the result does not alias the model).
 *
 * @example
 * ```ts
 * const restored = deserializeModel(serializeModel(model)); // equal to model, bit for bit
 * ```
 */
export function serializeModel(model: CombatModel): SerializedModel {
  const arrays = Object.fromEntries(FLOAT_ARRAYS.map((name) => [name, model[name].slice()])) as Record<(typeof FLOAT_ARRAYS)[number], Float64Array>;
  return {
    formatVersion: MODEL_FORMAT_VERSION,
    meta: { features: model.features, coding: model.coding, batchSizes: [...model.batchSizes], options: { ...model.options } },
    arrays: { ...arrays, adjusted: model.adjusted.slice() },
  };
}

/**
 * Rebuilds a model from {@link serializeModel}'s output, checking the format version and every
 * array's length.
 *
 * @example
 * ```ts
 * const { formatVersion, meta, arrays } = serializeModel(model);
 * const restored = deserializeModel({ formatVersion, meta: JSON.parse(JSON.stringify(meta)), arrays });
 * ```
 */
export function deserializeModel(serialized: SerializedModel): CombatModel {
  if (serialized.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(`model format version ${serialized.formatVersion} is not supported; expected ${MODEL_FORMAT_VERSION}`);
  }
  const { features: V, coding, batchSizes, options } = serialized.meta;
  const B = coding.batches.length;
  const expected: Record<string, number> = { beta: coding.columns.length * V, varPooled: V, grandMean: V, gammaBar: B, t2: B, aPrior: B, bPrior: B };
  for (const name of ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar']) expected[name] = B * V;
  for (const name of FLOAT_ARRAYS) {
    const array = serialized.arrays[name];
    if (!(array instanceof Float64Array) || array.length !== expected[name]) {
      throw new ModelFormatError(`model array "${name}" should be a Float64Array of length ${expected[name]}; found ${describe(array)}`);
    }
  }
  const adjusted = serialized.arrays.adjusted;
  if (!(adjusted instanceof Uint8Array) || adjusted.length !== V) {
    throw new ModelFormatError(`model array "adjusted" should be a Uint8Array of length ${V}; found ${describe(adjusted)}`);
  }
  const arrays = Object.fromEntries(FLOAT_ARRAYS.map((name) => [name, serialized.arrays[name].slice()])) as Record<(typeof FLOAT_ARRAYS)[number], Float64Array>;
  return { features: V, coding, batches: coding.batches, batchSizes: [...batchSizes], options: { ...options }, ...arrays, adjusted: adjusted.slice() };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const length = (value as { length?: unknown }).length;
  return `${Object.prototype.toString.call(value)}${typeof length === 'number' ? ` of length ${length}` : ''}`;
}
