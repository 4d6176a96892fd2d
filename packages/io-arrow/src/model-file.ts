import {
  CombatError,
  MODEL_FORMAT_VERSION,
  ModelFormatError,
  checkModelMeta,
  deserializeModel,
  serializeModel,
  type CombatModel,
  type DesignCoding,
  type SerializedModel,
} from '@combat/core';
import { DataType, Precision, Table as ArrowTable, Utf8, makeVector, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { registerCompressionCodecs } from './codecs.js';
import { checkIpcLayout } from './arrow-layout.js';
import { CHECKSUM_PLACEHOLDER, sealModelFile, verifyChecksum } from './model-checksum.js';
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
/** The fields of the JSON metadata. */
const JSON_FIELDS = new Set(['formatVersion', 'features', 'coding', 'batchSizes', 'options', 'priors', 'columns', 'volume', 'checksum']);

type Fail = (detail: string) => never;

/**
 * Encodes a model as one Arrow IPC file: one row per feature (`feature`, `voxel` for volume
 * models, `adjusted`, `varPooled`, `grandMean`, `beta[<design column>]`, then
 * `gammaStar[<batch>]`, `deltaStar[<batch>]`, `gammaHat[<batch>]`, `deltaHat[<batch>]`), and the
 * rest as JSON in the schema metadata under `combat`: format version, batches and design coding,
 * options, batch sizes, priors, covariate columns, mask shape and affine, and first `checksum`, a
 * CRC-32 of the file's bytes (see {@link sealModelFile}) that {@link decodeModelFile} checks
 * before anything else, so a file changed or damaged after it was written is refused. Refuses (with
 * `ModelFormatError`) what {@link decodeModelFile} would refuse: an invalid model, feature names
 * that are not one unique string per feature, covariate columns other than the coding's, a volume
 * geometry that does not hold the voxels. Messages start with `options.target` (the path being
 * written; default "model file").
 *
 * @example
 * ```ts
 * const bytes = encodeModelFile(model, { featureNames: regions, columns: { batchCol: 'site' } });
 * ```
 */
export function encodeModelFile(model: CombatModel, extras: ModelFileExtras, options: { target?: string } = {}): Uint8Array {
  const fail: Fail = (detail) => {
    throw new ModelFormatError(`${options.target ?? 'model file'}: ${detail}`);
  };
  const { meta, arrays } = serializeModel(model);
  if (typeof extras !== 'object' || extras === null) return fail(`extras is ${String(extras)}; expected { featureNames, columns?, volume? }`);
  checkFeatureNames(extras.featureNames, meta.features, fail);
  if (extras.columns !== undefined) checkColumnRoles(extras.columns, meta.coding, fail);
  if (extras.volume !== undefined) checkVolume(extras.volume.shape, extras.volume.affine, extras.volume.indices, meta.features, fail);
  const V = meta.features;
  const vectors: Record<string, Vector> = { feature: vectorFromArray([...extras.featureNames], new Utf8()) };
  if (extras.volume !== undefined) vectors.voxel = makeVector(extras.volume.indices);
  vectors.adjusted = makeVector(arrays.adjusted);
  vectors.varPooled = makeVector(arrays.varPooled);
  vectors.grandMean = makeVector(arrays.grandMean);
  meta.coding.columns.forEach((column, j) => (vectors[`beta[${column}]`] = makeVector(arrays.beta.slice(j * V, (j + 1) * V))));
  for (const name of PER_BATCH) {
    meta.coding.batches.forEach((batch, b) => (vectors[`${name}[${batch}]`] = makeVector(arrays[name].slice(b * V, (b + 1) * V))));
  }
  const json = {
    checksum: CHECKSUM_PLACEHOLDER,
    formatVersion: MODEL_FORMAT_VERSION,
    ...meta,
    priors: Object.fromEntries(PRIORS.map((name) => [name, Array.from(arrays[name], encodeNumber)])),
    columns: extras.columns,
    volume: extras.volume === undefined ? undefined : { shape: extras.volume.shape, affine: Array.from(extras.volume.affine) },
  };
  const table = new ArrowTable(vectors);
  table.schema.metadata.set(METADATA_KEY, JSON.stringify(json));
  return sealModelFile(tableToIPC(table, 'file'), options);
}

/**
 * Decodes {@link encodeModelFile}'s output back to the model and its extras, bit for bit. Anything
 * else is a `ModelFormatError` (core's) whose message starts with `source` and names the field:
 * bytes that are not an Arrow IPC file or are truncated, metadata that is not the model JSON
 * (missing or ill-typed fields, a coding `checkModelMeta` refuses, priors that are not numbers),
 * unknown JSON fields, no checksum or bytes that do not match it (checked before the bytes are
 * parsed: apache-arrow can loop forever on damaged input), missing, extra, ill-typed or null
 * columns, a row count other than `features`, feature names that repeat, covariate columns other
 * than the coding's, a volume geometry that does not hold the voxels (3 positive integers, 16
 * finite affine entries, voxel indices strictly ascending within the volume), and every value
 * `deserializeModel` refuses.
 *
 * @example
 * ```ts
 * const { model, featureNames } = decodeModelFile(bytes, 'model.arrow');
 * ```
 */
export function decodeModelFile(bytes: Uint8Array, source: string): { model: CombatModel } & ModelFileExtras {
  const fail: Fail = (detail) => {
    throw new ModelFormatError(`${source}: ${detail}`);
  };
  const checksum = verifyChecksum(bytes, fail);
  const { metadata, rows, columns } = readArrow(bytes, fail);
  if (metadata === undefined) return fail(`no "${METADATA_KEY}" schema metadata; not a ComBat model file`);
  const json = parseJson(metadata, fail);
  const unknown = Object.keys(json).find((key) => !JSON_FIELDS.has(key));
  if (unknown !== undefined) fail(`the "${METADATA_KEY}" metadata has an unknown field ${JSON.stringify(unknown)}; expected only ${[...JSON_FIELDS].join(', ')}`);
  if (json.checksum !== checksum) fail(`checksum is ${describe(json.checksum)}; expected the checksum the file was verified with (${checksum})`);
  if (json.formatVersion !== MODEL_FORMAT_VERSION) fail(`formatVersion is ${JSON.stringify(json.formatVersion)}; expected ${MODEL_FORMAT_VERSION}`);
  const meta = fromCore(() => checkModelMeta({ features: json.features, coding: json.coding, batchSizes: json.batchSizes, options: json.options }), fail);
  const V = meta.features;
  if (rows !== V) fail(`the table has ${rows} rows; expected one per feature (features is ${V})`);
  const volumeJson = json.volume;
  const expected = expectedColumns(meta.coding, volumeJson !== undefined);
  for (const name of columns.keys()) if (!expected.has(name)) fail(`column ${JSON.stringify(name)} is not part of a model of this coding (columns are ${[...expected.keys()].join(', ')})`);
  const read = <T>(name: string): T => {
    const column = columns.get(name);
    if (column === undefined) return fail(`column ${JSON.stringify(name)} is missing`);
    const type = expected.get(name) as ColumnType;
    if (!type.is(column.type)) fail(`column ${JSON.stringify(name)} has type ${column.type}; expected ${type.name}`);
    if (column.nullCount > 0) fail(`column ${JSON.stringify(name)} has ${column.nullCount} null cell(s); expected a value in every row`);
    return type.copy(column.values) as T;
  };
  const featureNames = read<string[]>('feature');
  checkFeatureNames(featureNames, V, fail);
  const stack = (name: string, labels: readonly string[]) => {
    const out = new Float64Array(labels.length * V);
    labels.forEach((label, k) => out.set(read<Float64Array>(`${name}[${label}]`), k * V));
    return out;
  };
  const arrays = {
    beta: stack('beta', meta.coding.columns),
    varPooled: read<Float64Array>('varPooled'),
    grandMean: read<Float64Array>('grandMean'),
    adjusted: read<Uint8Array>('adjusted'),
    ...Object.fromEntries(PER_BATCH.map((name) => [name, stack(name, meta.coding.batches)])),
    ...readPriors(json.priors, meta.coding.batches.length, fail),
  } as SerializedModel['arrays'];
  const extras: { columns?: ModelFileExtras['columns']; volume?: ModelFileExtras['volume'] } = {};
  if (json.columns !== undefined) extras.columns = checkColumnRoles(json.columns, meta.coding, fail);
  if (volumeJson !== undefined) {
    if (!isRecord(volumeJson)) return fail(`volume is ${describe(volumeJson)}; expected { shape, affine }`);
    const indices = read<Int32Array>('voxel');
    extras.volume = checkVolume(volumeJson.shape, volumeJson.affine, indices, V, fail);
  }
  const model = fromCore(() => deserializeModel({ formatVersion: MODEL_FORMAT_VERSION, meta, arrays }), fail, featureNames);
  return { model, featureNames, ...extras };
}

/** A column type the model file uses: a test on Arrow's type, and a copy of the values. */
interface ColumnType {
  readonly name: string;
  is(type: DataType): boolean;
  copy(values: ArrayLike<unknown>): unknown;
}

const FLOAT64: ColumnType = { name: 'Float64', is: (t) => DataType.isFloat(t) && t.precision === Precision.DOUBLE, copy: (v) => Float64Array.from(v as ArrayLike<number>) };
const UINT8: ColumnType = { name: 'Uint8', is: (t) => DataType.isInt(t) && t.bitWidth === 8 && !t.isSigned, copy: (v) => Uint8Array.from(v as ArrayLike<number>) };
const INT32: ColumnType = { name: 'Int32', is: (t) => DataType.isInt(t) && t.bitWidth === 32 && t.isSigned, copy: (v) => Int32Array.from(v as ArrayLike<number>) };
const UTF8: ColumnType = { name: 'Utf8', is: (t) => DataType.isUtf8(t), copy: (v) => Array.from(v as ArrayLike<string>) };

/** Every column a model of this coding has, with its type. */
function expectedColumns(coding: DesignCoding, volume: boolean): Map<string, ColumnType> {
  const columns = new Map<string, ColumnType>([['feature', UTF8]]);
  if (volume) columns.set('voxel', INT32);
  columns.set('adjusted', UINT8).set('varPooled', FLOAT64).set('grandMean', FLOAT64);
  for (const column of coding.columns) columns.set(`beta[${column}]`, FLOAT64);
  for (const name of PER_BATCH) for (const batch of coding.batches) columns.set(`${name}[${batch}]`, FLOAT64);
  return columns;
}

interface RawColumn {
  readonly type: DataType;
  readonly nullCount: number;
  readonly values: ArrayLike<unknown>;
}

/**
 * The metadata text, row count and every column's type, null count and values, read in one step
 * so that whatever apache-arrow throws on a malformed file becomes a `ModelFormatError` (the
 * bytes have been verified against their checksum first).
 */
function readArrow(bytes: Uint8Array, fail: Fail): { metadata: string | undefined; rows: number; columns: Map<string, RawColumn> } {
  registerCompressionCodecs();
  try {
    // apache-arrow can loop forever on a footer that lies about its record batches: check first.
    checkIpcLayout(bytes, 'model file');
    const table = tableFromIPC(bytes);
    const columns = new Map<string, RawColumn>();
    for (const field of table.schema.fields) {
      if (columns.has(field.name)) fail(`column ${JSON.stringify(field.name)} appears twice`);
      const vector = table.getChild(field.name) as Vector;
      columns.set(field.name, { type: field.type, nullCount: vector.nullCount, values: vector.toArray() as ArrayLike<unknown> });
    }
    return { metadata: table.schema.metadata.get(METADATA_KEY), rows: table.numRows, columns };
  } catch (error) {
    if (error instanceof TableFormatError) return fail(error.detail.replace(/^model file: /, ''));
    if (error instanceof CombatError) throw error;
    return fail(`not a readable Arrow IPC file: ${(error as Error).message}`);
  }
}

/** The JSON metadata as an object. */
function parseJson(text: string, fail: Fail): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`the "${METADATA_KEY}" schema metadata is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(json)) return fail(`the "${METADATA_KEY}" schema metadata is ${describe(json)}; expected a JSON object`);
  return json;
}

/** Runs a core check, giving its ModelFormatError the file's name (and a feature's name for a feature index). */
function fromCore<T>(run: () => T, fail: Fail, featureNames?: readonly string[]): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof CombatError)) throw error;
    const feature = error.feature === undefined ? '' : `feature ${JSON.stringify(featureNames?.[error.feature])} (row ${error.feature + 1}): `;
    return fail(`${feature}${error.detail}`);
  }
}

/** One unique string per feature. */
function checkFeatureNames(names: unknown, features: number, fail: Fail): void {
  if (!Array.isArray(names) || names.length !== features) fail(`featureNames is ${describe(names)}; expected ${features} names, one per feature`);
  const rowOf = new Map<string, number>();
  (names as unknown[]).forEach((name, row) => {
    if (typeof name !== 'string') fail(`feature name in row ${row + 1} is ${describe(name)}; expected a string`);
    const earlier = rowOf.get(name as string);
    if (earlier !== undefined) fail(`feature name ${JSON.stringify(name)} appears in rows ${earlier + 1} and ${row + 1}; expected unique names`);
    rowOf.set(name as string, row);
  });
}

/**
 * The covariate columns of the table the model was fitted on: a batch column, the categorical and
 * continuous columns exactly the coding's covariates in order (an absent list means none), an
 * optional id column, one role per column. Returns a copy with the keys that were given.
 */
function checkColumnRoles(value: unknown, coding: DesignCoding, fail: Fail): NonNullable<ModelFileExtras['columns']> {
  if (!isRecord(value)) return fail(`columns is ${describe(value)}; expected { batchCol, categoricalCols?, continuousCols?, idCol? }`);
  const name = (key: string): string => {
    const text = value[key];
    if (typeof text !== 'string' || text === '') return fail(`columns.${key} is ${describe(text)}; expected a column name`);
    return text;
  };
  const list = (key: string, expected: readonly string[]): string[] => {
    const names = value[key] ?? [];
    if (!Array.isArray(names) || names.length !== expected.length || names.some((n, k) => n !== expected[k])) {
      fail(`columns.${key} is ${JSON.stringify(names) ?? describe(names)}; expected the coding's covariates ${JSON.stringify(expected)}`);
    }
    return [...(names as string[])];
  };
  const batchCol = name('batchCol');
  const categoricalCols = list('categoricalCols', coding.categorical.map((c) => c.name));
  const continuousCols = list('continuousCols', coding.continuous);
  const idCol = value.idCol === undefined ? undefined : name('idCol');
  const all = [batchCol, ...categoricalCols, ...continuousCols, ...(idCol === undefined ? [] : [idCol])];
  const twice = all.find((column, k) => all.indexOf(column) !== k);
  if (twice !== undefined) fail(`column ${JSON.stringify(twice)} has two roles in columns; expected one role per column`);
  return {
    batchCol,
    ...(value.categoricalCols === undefined ? {} : { categoricalCols }),
    ...(value.continuousCols === undefined ? {} : { continuousCols }),
    ...(idCol === undefined ? {} : { idCol }),
  };
}

/** A 3D shape of positive integers, 16 finite affine entries, voxel indices strictly ascending inside the volume. */
function checkVolume(shape: unknown, affine: unknown, indices: Int32Array, features: number, fail: Fail): NonNullable<ModelFileExtras['volume']> {
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => Number.isSafeInteger(n) && n > 0)) {
    return fail(`volume.shape is ${JSON.stringify(shape) ?? describe(shape)}; expected 3 positive integers`);
  }
  const entries = affine instanceof Float64Array ? Array.from(affine) : affine;
  if (!Array.isArray(entries) || entries.length !== 16 || !entries.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    return fail(`volume.affine is ${describe(affine)}; expected 16 finite numbers`);
  }
  if (!(indices instanceof Int32Array) || indices.length !== features) fail(`voxel indices are ${describe(indices)}; expected an Int32Array of ${features}, one per feature`);
  const voxels = (shape as number[]).reduce((a, n) => a * n, 1);
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k] as number;
    if (index < 0 || index >= voxels) fail(`voxel index in row ${k + 1} is ${index}; expected 0 to ${voxels - 1} (the volume has shape ${shape.join(' x ')})`);
    if (k > 0 && index <= (indices[k - 1] as number)) fail(`voxel index in row ${k + 1} is ${index} after ${indices[k - 1]}; expected strictly ascending indices`);
  }
  return { shape: [...(shape as number[])], affine: Float64Array.from(entries as number[]), indices };
}

/** The priors as Float64Arrays of one value per batch: numbers, or "NaN", "Infinity", "-Infinity", "-0" for what JSON cannot hold. */
function readPriors(priors: unknown, batches: number, fail: Fail): Record<(typeof PRIORS)[number], Float64Array> {
  if (!isRecord(priors)) return fail(`priors is ${describe(priors)}; expected { ${PRIORS.join(', ')} }`);
  return Object.fromEntries(
    PRIORS.map((name) => {
      const values = priors[name];
      if (!Array.isArray(values) || values.length !== batches) fail(`priors.${name} is ${describe(values)}; expected ${batches} values, one per batch`);
      return [name, Float64Array.from(values as unknown[], (x, b) => (typeof x === 'number' ? x : typeof x === 'string' && x in SPECIAL ? (SPECIAL[x] as number) : fail(`priors.${name}[${b}] is ${describe(x)}; expected a number or one of "NaN", "Infinity", "-Infinity", "-0"`)))];
    }),
  ) as Record<(typeof PRIORS)[number], Float64Array>;
}

const SPECIAL: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** JSON has no Infinity, NaN or -0: those travel as strings. */
function encodeNumber(x: number): number | string {
  return Number.isFinite(x) && !Object.is(x, -0) ? x : String(Object.is(x, -0) ? '-0' : x);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}
