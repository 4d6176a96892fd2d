import { checkObject, describeValue, isRecord } from '@combat/base/internal';
import type { Fail } from './coding-checks.js';
import { ModelFormatError } from './errors.js';
import type { CovbatBatch, CovbatModel } from './covbat-model.js';
import type { BatchEffects, CombatModel } from './model.js';
import { BATCH_ARRAYS, BATCH_PRIORS, checkMeta, checkModelFields, type ModelMeta } from './model-checks.js';
import { upgradeVersion1 } from './serialize-v1.js';

/**
 * The newest version of the serialized model layout; bumped on any incompatible change. Version 3
 * adds a CovBat part (`meta.covbat` and the `covbat*` arrays) to version 2, and
 * {@link serializeModel} writes it only for a CovBat model: a model without one is written as
 * version 2, which readers from before CovBat read. {@link deserializeModel} reads versions 3, 2
 * and 1 (models keyed by design column, before batches could be added).
 *
 * @example
 * ```ts
 * MODEL_FORMAT_VERSION; // 3
 * serializeModel(model).formatVersion; // 2
 * serializeModel(harmonizeCovbat(matrix, covariates, { components: 2 }).model).formatVersion; // 3
 * ```
 */
export const MODEL_FORMAT_VERSION = 3;

/** The version of a model without a CovBat part, as written and as read by readers from before CovBat. */
export const PLAIN_FORMAT_VERSION = 2;

/**
 * A model as JSON-safe metadata plus typed arrays: what a file format (Arrow IPC, JSON with
 * base64, a worker message) stores. Typed arrays keep NaN and every bit of every value. Per-batch
 * arrays are batch-major in `meta.batches` order (`gammaStar[b * features + v]`, `batchAdjusted`
 * likewise; `gammaBar[b]`); `beta` is q x V.
 *
 * @example
 * ```ts
 * const { formatVersion, meta, arrays }: SerializedModel = serializeModel(model);
 * const text = JSON.stringify({ formatVersion, meta }); // strings, numbers, booleans and null only
 * arrays.gammaStar.length; // 6
 * arrays.beta.length; // 6
 * ```
 */
export interface SerializedModel {
  readonly formatVersion: number;
  readonly meta: ModelMeta;
  readonly arrays: SerializedArrays;
}

/**
 * The typed arrays of a {@link SerializedModel}.
 *
 * @example
 * ```ts
 * const arrays: SerializedArrays = serializeModel(model).arrays;
 * arrays.batchAdjusted; // Uint8Array.of(1, 1, 1, 1, 1, 1)
 * ```
 */
export interface SerializedArrays {
  readonly beta: Float64Array;
  readonly grandMean: Float64Array;
  readonly varPooled: Float64Array;
  readonly adjusted: Uint8Array;
  readonly gammaHat: Float64Array;
  readonly deltaHat: Float64Array;
  readonly gammaStar: Float64Array;
  readonly deltaStar: Float64Array;
  readonly gammaBar: Float64Array;
  readonly t2: Float64Array;
  readonly aPrior: Float64Array;
  readonly bPrior: Float64Array;
  readonly batchAdjusted: Uint8Array;
  /** Version 3 (a CovBat model): the CovBat part's `center` and `scale` (V each), `loadings` (K x V). */
  readonly covbatCenter?: Float64Array;
  readonly covbatScale?: Float64Array;
  readonly covbatLoadings?: Float64Array;
  /** The scores' `mean` (K), and each batch's score `location` and `scale`, batch-major (B x K). */
  readonly covbatMean?: Float64Array;
  readonly covbatLocation?: Float64Array;
  readonly covbatScoreScale?: Float64Array;
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
 * restored.batches.get('siteB')!.gammaStar; // model.batches.get('siteB')!.gammaStar
 * const siteA = { ...model.batches.get('siteA')!, deltaStar: Float64Array.of(1, 1, -1) };
 * serializeModel({ ...model, batches: new Map([['siteA', siteA], ['siteB', model.batches.get('siteB')!]]) });
 * // throws ModelFormatError: feature 2: deltaStar[siteA] is -1; expected a positive number
 * ```
 */
export function serializeModel(model: CombatModel): SerializedModel {
  checkObject(model, 'serializeModel: model', 'a CombatModel');
  checkModelFields(model, modelFormat);
  const V = model.features;
  const labels = [...model.batches.keys()];
  const effects = labels.map((label) => model.batches.get(label) as BatchEffects);
  const stack = (name: (typeof BATCH_ARRAYS)[number]) => {
    const out = new Float64Array(effects.length * V);
    effects.forEach((batch, b) => out.set(batch[name], b * V));
    return out;
  };
  const batchAdjusted = new Uint8Array(effects.length * V);
  effects.forEach((batch, b) => batchAdjusted.set(batch.adjusted, b * V));
  const meta: ModelMeta = {
    features: V,
    coding: JSON.parse(JSON.stringify(model.coding)) as ModelMeta['coding'],
    refBatch: model.refBatch,
    options: { ...model.options },
    batches: labels.map((batch, b) => ({ batch, samples: effects[b]!.samples, training: effects[b]!.training })),
    ...(model.covbat === undefined ? {} : { covbat: { components: model.covbat.components, variance: model.covbat.variance } }),
  };
  return {
    formatVersion: model.covbat === undefined ? PLAIN_FORMAT_VERSION : MODEL_FORMAT_VERSION,
    meta,
    arrays: {
      beta: model.beta.slice(),
      grandMean: model.grandMean.slice(),
      varPooled: model.varPooled.slice(),
      adjusted: model.adjusted.slice(),
      gammaHat: stack('gammaHat'),
      deltaHat: stack('deltaHat'),
      gammaStar: stack('gammaStar'),
      deltaStar: stack('deltaStar'),
      ...(Object.fromEntries(BATCH_PRIORS.map((name) => [name, Float64Array.from(effects, (batch) => batch[name])])) as Record<(typeof BATCH_PRIORS)[number], Float64Array>),
      batchAdjusted,
      ...(model.covbat === undefined ? {} : serializeCovbat(model.covbat, labels)),
    },
  };
}

/** The arrays of a CovBat part (copies), per-batch ones stacked in `labels` order. */
function serializeCovbat(covbat: CovbatModel, labels: readonly string[]): Pick<SerializedArrays, 'covbatCenter' | 'covbatScale' | 'covbatLoadings' | 'covbatMean' | 'covbatLocation' | 'covbatScoreScale'> {
  const K = covbat.components;
  const stack = (name: keyof CovbatBatch): Float64Array => {
    const out = new Float64Array(labels.length * K);
    labels.forEach((label, b) => out.set((covbat.batches.get(label) as CovbatBatch)[name], b * K));
    return out;
  };
  return {
    covbatCenter: covbat.center.slice(),
    covbatScale: covbat.sd.slice(),
    covbatLoadings: covbat.loadings.slice(),
    covbatMean: covbat.mean.slice(),
    covbatLocation: stack('location'),
    covbatScoreScale: stack('scale'),
  };
}

/**
 * Checks a serialized model's metadata of the current format version and returns a fresh copy:
 * what a file reader needs before it can look for the arrays the metadata implies.
 *
 * @throws {@link ModelFormatError} naming the field (e.g. `coding.terms[1].levels`, `batches[0].samples`).
 */
export function checkModelMeta(meta: unknown): ModelMeta {
  if (!isRecord(meta)) return modelFormat(`meta is ${describeValue(meta)}; expected an object { features, coding, refBatch, options, batches }`);
  return checkMeta(meta, modelFormat);
}

/**
 * Rebuilds a model from {@link serializeModel}'s output (copies, bit for bit), refusing anything
 * a fit could not have produced, so that a tampered or foreign model is an error naming the field
 * rather than wrong outputs or NaN. Version 1 (before batches could be added) is read too and
 * converted: its batches are training batches and its continuous covariates have no recorded
 * range. It checks the format version; missing or ill-typed parts; the coding exactly as
 * {@link codeDesign} makes one; the batches (labels in code-point order, positive sample counts,
 * at least two training batches, the reference one of them); arrays typed and of their lengths;
 * and the values a fit produces for every feature a batch adjusts (see {@link CombatModel}). A
 * model that deserializes gives finite outputs for finite inputs.
 *
 * @throws {@link ModelFormatError} naming the first field that is wrong (with `feature` set for a
 * value of one feature).
 *
 * @example
 * ```ts
 * const { formatVersion, meta, arrays } = serializeModel(model);
 * const restored = deserializeModel({ formatVersion, meta: JSON.parse(JSON.stringify(meta)), arrays });
 * [...restored.batches.keys()]; // ['siteA', 'siteB']
 * deserializeModel({ formatVersion: 99, meta, arrays });
 * // throws ModelFormatError: formatVersion is a number (99); expected 3, 2 or 1
 * ```
 */
export function deserializeModel(serialized: SerializedModel): CombatModel {
  if (!isRecord(serialized)) return modelFormat(`serialized model is ${describeValue(serialized)}; expected an object { formatVersion, meta, arrays }`);
  const { formatVersion } = serialized;
  if (formatVersion !== MODEL_FORMAT_VERSION && formatVersion !== PLAIN_FORMAT_VERSION && formatVersion !== 1) {
    modelFormat(`formatVersion is ${describeValue(formatVersion)}; expected ${MODEL_FORMAT_VERSION}, ${PLAIN_FORMAT_VERSION} or 1`);
  }
  const given: unknown = serialized.arrays;
  if (!isRecord(given)) return modelFormat(`arrays is ${describeValue(given)}; expected an object of typed arrays`);
  const { meta, arrays } = formatVersion === 1 ? upgradeVersion1(serialized.meta, given, modelFormat) : { meta: checkModelMeta(serialized.meta), arrays: given };
  if ((meta.covbat !== undefined) !== (formatVersion === MODEL_FORMAT_VERSION)) {
    modelFormat(meta.covbat === undefined ? `meta.covbat is missing; expected it in format version ${MODEL_FORMAT_VERSION} (a CovBat model)` : `meta.covbat is present in format version ${formatVersion as number}; expected format version ${MODEL_FORMAT_VERSION} for a CovBat model`);
  }
  const V = meta.features;
  const B = meta.batches.length;
  const expect = <T extends Float64Array | Uint8Array>(name: string, type: new (n: number) => T, length: number): T => {
    const value = arrays[name];
    if (!(value instanceof type) || value.length !== length) return modelFormat(`arrays.${name} is ${describeValue(value)}; expected a ${type.name} of length ${length}`);
    return value.slice() as T;
  };
  const beta = expect('beta', Float64Array, meta.coding.columns.length * V);
  const grandMean = expect('grandMean', Float64Array, V);
  const varPooled = expect('varPooled', Float64Array, V);
  const adjusted = expect('adjusted', Uint8Array, V);
  const perBatch = Object.fromEntries(BATCH_ARRAYS.map((name) => [name, expect(name, Float64Array, B * V)])) as Record<(typeof BATCH_ARRAYS)[number], Float64Array>;
  const priors = Object.fromEntries(BATCH_PRIORS.map((name) => [name, expect(name, Float64Array, B)])) as Record<(typeof BATCH_PRIORS)[number], Float64Array>;
  const batchAdjusted = expect('batchAdjusted', Uint8Array, B * V);
  const batches = new Map(
    meta.batches.map(({ batch, samples, training }, b): [string, BatchEffects] => {
      const row = <T extends Float64Array | Uint8Array>(array: T): T => array.slice(b * V, (b + 1) * V) as T;
      return [
        batch,
        {
          samples,
          training,
          gammaHat: row(perBatch.gammaHat),
          deltaHat: row(perBatch.deltaHat),
          gammaStar: row(perBatch.gammaStar),
          deltaStar: row(perBatch.deltaStar),
          gammaBar: priors.gammaBar[b]!,
          t2: priors.t2[b]!,
          aPrior: priors.aPrior[b]!,
          bPrior: priors.bPrior[b]!,
          adjusted: row(batchAdjusted),
        },
      ];
    }),
  );
  const covbat = meta.covbat === undefined ? undefined : readCovbat(meta.covbat.components, meta.covbat.variance, meta.batches.map(({ batch }) => batch), V, expect);
  const model: CombatModel = { features: V, coding: meta.coding, refBatch: meta.refBatch, options: meta.options, beta, grandMean, varPooled, adjusted, batches, ...(covbat === undefined ? {} : { covbat }) };
  checkModelFields(model, modelFormat);
  return model;
}

/** A CovBat part from its serialized arrays (copies, each checked by `expect` for its type and length; the values are checked with the model). */
function readCovbat(
  components: number,
  variance: number,
  labels: readonly string[],
  V: number,
  expect: (name: string, type: new (n: number) => Float64Array, length: number) => Float64Array,
): CovbatModel {
  const K = components;
  const location = expect('covbatLocation', Float64Array, labels.length * K);
  const scale = expect('covbatScoreScale', Float64Array, labels.length * K);
  return {
    components,
    variance,
    center: expect('covbatCenter', Float64Array, V),
    sd: expect('covbatScale', Float64Array, V),
    loadings: expect('covbatLoadings', Float64Array, K * V),
    mean: expect('covbatMean', Float64Array, K),
    batches: new Map(labels.map((label, b): [string, CovbatBatch] => [label, { location: location.slice(b * K, (b + 1) * K), scale: scale.slice(b * K, (b + 1) * K) }])),
  };
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
