import { checkObject, describeValue, isRecord } from '@combat/base/internal';
import { checkOnce } from './check-once.js';
import { checkCovbat, checkCovbatMeta, type CovbatMeta } from './covbat-model.js';
import { checkCoding, requireArray, requireNonEmptyString, requireSortedLabels, type Fail } from './coding-checks.js';
import { ModelFormatError } from './errors.js';
import type { BatchEffects, CombatModel } from './model.js';

/**
 * Everything in a model that is not a per-feature array: what {@link serializeModel} puts in
 * `meta`, as JSON-safe values (strings, finite numbers, booleans and null). `batches` lists each
 * batch's label, sample count and whether it was part of the fit, in code-point order.
 *
 * @example
 * ```ts
 * const meta: ModelMeta = serializeModel(model).meta;
 * meta.batches; // [{ batch: 'siteA', samples: 4, training: true }, { batch: 'siteB', samples: 4, training: true }]
 * meta.options; // { eb: true, parametric: true, meanOnly: false }
 * meta.coding.columns; // ['sex:M', 'age']
 * ```
 */
export interface ModelMeta {
  readonly features: number;
  readonly coding: CombatModel['coding'];
  readonly refBatch: string | null;
  readonly options: CombatModel['options'];
  readonly batches: readonly { readonly batch: string; readonly samples: number; readonly training: boolean }[];
  /** A CovBat model's number of components and the share of variance they explain (format version 3). */
  readonly covbat?: CovbatMeta;
}

/**
 * Checks a model's metadata and returns a fresh copy: `features` a positive integer, a coding as
 * `checkCoding` requires, `options` three booleans, batches with labels in code-point order, each
 * with a positive integer sample count and a `training` boolean; at least two training batches, of
 * as many samples as the design has columns (a full-rank fit needs them); mean-only when a
 * training batch has a single sample (the fit switches to it); `refBatch` null or a training batch;
 * `covbat`, when present, as `checkCovbatMeta` requires.
 */
export function checkMeta(value: Record<string, unknown>, fail: Fail): ModelMeta {
  const { features, options, refBatch } = value;
  if (!(typeof features === 'number' && Number.isSafeInteger(features) && features >= 1)) fail(`features is ${describeValue(features)}; expected a positive integer`);
  const coding = checkCoding(value.coding, 'coding', fail);
  if (!isRecord(options)) return fail(`options is ${describeValue(options)}; expected { eb, parametric, meanOnly }`);
  for (const key of ['eb', 'parametric', 'meanOnly']) {
    if (typeof options[key] !== 'boolean') fail(`options.${key} is ${describeValue(options[key])}; expected true or false`);
  }
  const entries = requireArray(value.batches, 'batches', fail);
  entries.forEach((entry, b) => {
    if (!isRecord(entry)) fail(`batches[${b}] is ${describeValue(entry)}; expected { batch, samples, training }`);
  });
  requireSortedLabels(
    entries.map((entry) => (entry as Record<string, unknown>).batch),
    'batches[].batch',
    fail,
  );
  const batches = entries.map((entry, b) => {
    const at = `batches[${b}]`;
    const { batch, samples, training } = entry as Record<string, unknown>;
    if (!(typeof samples === 'number' && Number.isSafeInteger(samples) && samples >= 1)) fail(`${at}.samples (batch ${String(batch)}) is ${describeValue(samples)}; expected a positive integer`);
    if (typeof training !== 'boolean') fail(`${at}.training (batch ${String(batch)}) is ${describeValue(training)}; expected true or false`);
    return { batch: requireNonEmptyString(batch, `${at}.batch`, fail), samples: samples as number, training: training as boolean };
  });
  const trained = batches.filter((batch) => batch.training);
  if (trained.length < 2) fail(`batches has ${trained.length} training batch(es); expected at least 2 (a fit needs them)`);
  const single = trained.filter((batch) => batch.samples === 1).map((batch) => batch.batch);
  if (single.length > 0 && options.meanOnly !== true) fail(`options.meanOnly is false but training batch ${single.join(', ')} has a single sample; a fit switches to mean-only then`);
  const samples = trained.reduce((a, batch) => a + batch.samples, 0);
  const columns = trained.length + coding.columns.length;
  if (samples < columns) fail(`the training batches add up to ${samples} samples; a full-rank design of ${columns} columns needs at least as many`);
  if (refBatch !== null && !(typeof refBatch === 'string' && trained.some((batch) => batch.batch === refBatch))) {
    fail(`refBatch is ${describeValue(refBatch)}; expected null or one of the training batches (${trained.map((batch) => batch.batch).join(', ')})`);
  }
  return {
    features: features as number,
    coding,
    refBatch: refBatch as string | null,
    options: { eb: options.eb as boolean, parametric: options.parametric as boolean, meanOnly: options.meanOnly as boolean },
    batches,
    ...(value.covbat === undefined ? {} : { covbat: checkCovbatMeta(value.covbat, features as number, fail) }),
  };
}

/** The per-batch Float64Array fields of {@link BatchEffects}. */
export const BATCH_ARRAYS = ['gammaHat', 'deltaHat', 'gammaStar', 'deltaStar'] as const;
/** The per-batch numbers of {@link BatchEffects}. */
export const BATCH_PRIORS = ['gammaBar', 't2', 'aPrior', 'bPrior'] as const;

/**
 * Checks that a value is a usable model: metadata as {@link checkMeta} requires (read from the
 * model, its `batches` a Map), every array typed and of its length, `adjusted` flags 0 or 1 (a
 * batch adjusts only fitted features, and a training batch every one), and for every feature a
 * batch adjusts the values a fit produces: positive finite `varPooled`; finite `grandMean`, `beta`,
 * `gammaHat` and `gammaStar`; positive finite `deltaHat` and `deltaStar`; for the reference batch
 * `gammaStar` 0 and `deltaStar` 1; in mean-only mode `deltaHat` and `deltaStar` 1; without
 * empirical Bayes the star values equal the hat values. The priors may be NaN or infinite, and
 * values a batch does not use are not checked beyond their type. A CovBat part, when present, is
 * checked as `checkCovbat` does.
 */
export function checkModelFields(model: unknown, fail: Fail): asserts model is CombatModel {
  if (!isRecord(model)) return fail(`model is ${describeValue(model)}; expected a CombatModel object`);
  const map = model.batches;
  if (!(map instanceof Map)) return fail(`batches is ${describeValue(map)}; expected a Map from batch label to its effects`);
  const effects = [...map.entries()].map(([batch, entry]) => {
    if (!isRecord(entry)) return fail(`batches.get(${JSON.stringify(batch)}) is ${describeValue(entry)}; expected the batch's effects`);
    return { ...entry, batch } as Record<string, unknown> & { batch: string };
  });
  const { features: V, coding, options, refBatch } = checkMeta({ ...model, batches: effects }, fail);
  const q = coding.columns.length;
  for (const [name, length] of [['beta', q * V], ['grandMean', V], ['varPooled', V]] as const) {
    const array = model[name];
    if (!(array instanceof Float64Array) || array.length !== length) fail(`${name} is ${describeValue(array)}; expected a Float64Array of length ${length}`);
  }
  const adjusted = checkFlags(model.adjusted, 'adjusted', V, fail);
  const { beta, grandMean, varPooled } = model as unknown as CombatModel;
  for (let v = 0; v < V; v++) {
    if (adjusted[v] !== 1) continue;
    if (!(varPooled[v]! > 0 && varPooled[v]! < Infinity)) fail(`varPooled is ${varPooled[v]}; expected a positive number`, { feature: v });
    if (!Number.isFinite(grandMean[v])) fail(`grandMean is ${grandMean[v]}; expected a finite number`, { feature: v });
    for (let k = 0; k < q; k++) if (!Number.isFinite(beta[k * V + v])) fail(`beta[${coding.columns[k]}] is ${beta[k * V + v]}; expected a finite number`, { feature: v });
  }
  for (const entry of effects) {
    const at = `batches.get(${JSON.stringify(entry.batch)})`;
    for (const name of BATCH_ARRAYS) {
      const array = entry[name];
      if (!(array instanceof Float64Array) || array.length !== V) fail(`${at}.${name} is ${describeValue(array)}; expected a Float64Array of length ${V}`);
    }
    for (const name of BATCH_PRIORS) if (typeof entry[name] !== 'number') fail(`${at}.${name} is ${describeValue(entry[name])}; expected a number`);
    const own = checkFlags(entry.adjusted, `${at}.adjusted`, V, fail);
    const training = entry.training === true;
    for (let v = 0; v < V; v++) {
      const mine = own[v]!;
      const fitted = adjusted[v]!;
      if (mine === fitted) continue;
      if (training) fail(`${at}.adjusted is ${mine}; expected ${fitted}, the fit's, for a training batch`, { feature: v });
      if (mine > fitted) fail(`${at}.adjusted is 1 but adjusted is 0; expected a batch to adjust only fitted features`, { feature: v });
    }
    checkValues(entry as unknown as BatchEffects, entry.batch, entry.batch === refBatch, options, fail);
  }
  if (model.covbat !== undefined) checkCovbat(model.covbat, { features: V, refBatch, adjusted, batches: map as Map<string, { training: boolean }> }, fail);
}

function checkFlags(value: unknown, name: string, V: number, fail: Fail): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== V) return fail(`${name} is ${describeValue(value)}; expected a Uint8Array of length ${V}`);
  for (let v = 0; v < V; v++) if (value[v]! > 1) fail(`${name} is ${value[v]}; expected 0 or 1`, { feature: v });
  return value;
}

/** One batch's values of the features it adjusts (see {@link checkModelFields}); messages are built only on failure. */
function checkValues(batch: BatchEffects, label: string, reference: boolean, options: CombatModel['options'], fail: Fail): void {
  const bad = (field: string, value: number, expected: string, feature: number): never => fail(`${field}[${label}] is ${value}; expected ${expected}`, { feature });
  const { adjusted, gammaHat, deltaHat, gammaStar, deltaStar } = batch;
  for (let v = 0; v < adjusted.length; v++) {
    if (adjusted[v] !== 1) continue;
    const gh = gammaHat[v]!;
    const dh = deltaHat[v]!;
    const gs = gammaStar[v]!;
    const ds = deltaStar[v]!;
    if (!Number.isFinite(gh)) bad('gammaHat', gh, 'a finite number', v);
    if (!(dh > 0 && dh < Infinity)) bad('deltaHat', dh, 'a positive number', v);
    if (!Number.isFinite(gs)) bad('gammaStar', gs, 'a finite number', v);
    if (!(ds > 0 && ds < Infinity)) bad('deltaStar', ds, 'a positive number', v);
    if (reference) {
      if (gs !== 0) bad('gammaStar', gs, '0 for the reference batch', v);
      if (ds !== 1) bad('deltaStar', ds, '1 for the reference batch', v);
    } else if (!options.eb) {
      if (!Object.is(gs, gh)) bad('gammaStar', gs, `gammaHat[${label}] (${gh}) without empirical Bayes`, v);
      if (!Object.is(ds, dh)) bad('deltaStar', ds, `deltaHat[${label}] (${dh}) without empirical Bayes`, v);
    }
    if (options.meanOnly && (dh !== 1 || ds !== 1)) bad(dh !== 1 ? 'deltaHat' : 'deltaStar', dh !== 1 ? dh : ds, '1 in mean-only mode', v);
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
export const requireModel: (model: unknown, fn: string) => asserts model is CombatModel = checkOnce((model, fn) => {
  checkObject(model, `${fn}: model`, 'a CombatModel');
  checkModelFields(model, (detail, context) => {
    throw new ModelFormatError(detail, context);
  });
});
