import { MODEL_FORMAT_VERSION, deserializeModel, serializeModel, type CombatModel, type SerializedModel } from '@combat/core';
import { Table as ArrowTable, Utf8, makeVector, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { registerCompressionCodecs } from './codecs.js';
import { TableFormatError } from './errors.js';

/**
 * What a model file holds besides the model: the feature names (table columns, or voxel labels),
 * the covariate columns it was fitted with, and for volume models the mask's geometry.
 *
 * @example
 * ```ts
 * const extras: ModelFileExtras = { featureNames: ['f000', 'f001'], columns: { batchCol: 'site', continuousCols: ['age'] } };
 * ```
 */
export interface ModelFileExtras {
  readonly featureNames: readonly string[];
  readonly columns?: {
    readonly batchCol: string;
    readonly categoricalCols?: readonly string[];
    readonly continuousCols?: readonly string[];
    readonly idCol?: string;
  };
  readonly volume?: { readonly shape: readonly number[]; readonly affine: Float64Array; readonly indices: Int32Array };
}

/** Schema metadata key of the JSON part. */
const METADATA_KEY = 'combat';
const PER_BATCH = ['gammaStar', 'deltaStar', 'gammaHat', 'deltaHat'] as const;
const PRIORS = ['gammaBar', 't2', 'aPrior', 'bPrior'] as const;

/**
 * Encodes a model as one Arrow IPC file: one row per feature (`feature`, `voxel` for volume
 * models, `adjusted`, `varPooled`, `grandMean`, `beta[<design column>]`, then
 * `gammaStar[<batch>]`, `deltaStar[<batch>]`, `gammaHat[<batch>]`, `deltaHat[<batch>]`), and the
 * rest as JSON in the schema metadata under `combat`: format version, batches and design coding,
 * options, batch sizes, priors, covariate columns, mask shape and affine.
 *
 * @example
 * ```ts
 * const bytes = encodeModelFile(model, { featureNames: regions, columns: { batchCol: 'site' } });
 * ```
 */
export function encodeModelFile(model: CombatModel, extras: ModelFileExtras): Uint8Array {
  const V = model.features;
  if (extras.featureNames.length !== V) {
    throw new TableFormatError(`model file: ${extras.featureNames.length} feature names for a model of ${V} features`);
  }
  const { meta, arrays } = serializeModel(model);
  const vectors: Record<string, Vector> = { feature: vectorFromArray([...extras.featureNames], new Utf8()) };
  if (extras.volume !== undefined) vectors.voxel = makeVector(extras.volume.indices);
  vectors.adjusted = makeVector(arrays.adjusted);
  vectors.varPooled = makeVector(arrays.varPooled);
  vectors.grandMean = makeVector(arrays.grandMean);
  model.coding.columns.forEach((column, j) => (vectors[`beta[${column}]`] = makeVector(arrays.beta.slice(j * V, (j + 1) * V))));
  for (const name of PER_BATCH) {
    model.batches.forEach((batch, b) => (vectors[`${name}[${batch}]`] = makeVector(arrays[name].slice(b * V, (b + 1) * V))));
  }
  const json = {
    formatVersion: MODEL_FORMAT_VERSION,
    ...meta,
    priors: Object.fromEntries(PRIORS.map((name) => [name, Array.from(arrays[name], encodeNumber)])),
    columns: extras.columns,
    volume: extras.volume === undefined ? undefined : { shape: extras.volume.shape, affine: Array.from(extras.volume.affine) },
  };
  const table = new ArrowTable(vectors);
  table.schema.metadata.set(METADATA_KEY, JSON.stringify(json));
  return tableToIPC(table, 'file');
}

/**
 * Decodes {@link encodeModelFile}'s output back to the model and its extras, bit for bit.
 *
 * @example
 * ```ts
 * const { model, featureNames } = decodeModelFile(bytes, 'model.arrow');
 * ```
 */
export function decodeModelFile(bytes: Uint8Array, source: string): { model: CombatModel } & ModelFileExtras {
  registerCompressionCodecs();
  const fail = (detail: string): never => {
    throw new TableFormatError(`${source}: ${detail}`);
  };
  let table: ArrowTable;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    return fail(`not a readable Arrow file: ${(error as Error).message}`);
  }
  const text = table.schema.metadata.get(METADATA_KEY);
  if (text === undefined) return fail(`no "${METADATA_KEY}" schema metadata; not a ComBat model file`);
  const json = JSON.parse(text) as SerializedModel['meta'] & {
    formatVersion: number;
    priors: Record<(typeof PRIORS)[number], (number | string)[]>;
    columns?: ModelFileExtras['columns'];
    volume?: { shape: number[]; affine: number[] };
  };
  const column = (name: string, type: typeof Float64Array | typeof Uint8Array | typeof Int32Array = Float64Array) => {
    const vector = table.getChild(name);
    if (vector === null) return fail(`column "${name}" is missing`);
    return type.from(vector.toArray() as ArrayLike<number>);
  };
  const V = table.numRows;
  const { coding } = json;
  const stack = (name: string, labels: readonly string[]) => {
    const out = new Float64Array(labels.length * V);
    labels.forEach((label, k) => out.set(column(`${name}[${label}]`) as Float64Array, k * V));
    return out;
  };
  const perBatch = Object.fromEntries(PER_BATCH.map((name) => [name, stack(name, coding.batches)]));
  const priors = Object.fromEntries(PRIORS.map((name) => [name, Float64Array.from(json.priors?.[name] ?? [], decodeNumber)]));
  const model = deserializeModel({
    formatVersion: json.formatVersion,
    meta: { features: json.features, coding, batchSizes: json.batchSizes, options: json.options },
    arrays: {
      beta: stack('beta', coding.columns),
      varPooled: column('varPooled') as Float64Array,
      grandMean: column('grandMean') as Float64Array,
      adjusted: column('adjusted', Uint8Array) as Uint8Array,
      ...perBatch,
      ...priors,
    } as SerializedModel['arrays'],
  });
  const featureVector = table.getChild('feature');
  const featureNames = featureVector === null ? fail('column "feature" is missing') : Array.from({ length: V }, (_, k) => String(featureVector.get(k)));
  return {
    model,
    featureNames,
    ...(json.columns === undefined ? {} : { columns: json.columns }),
    ...(json.volume === undefined
      ? {}
      : { volume: { shape: json.volume.shape, affine: Float64Array.from(json.volume.affine), indices: column('voxel', Int32Array) as Int32Array } }),
  };
}

/** JSON has no Infinity or NaN: those travel as strings. */
function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function decodeNumber(x: number | string): number {
  return typeof x === 'number' ? x : Number(x);
}
