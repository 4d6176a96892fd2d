import type { MaskGeometry } from '@combat/base';
import { CombatError } from '@combat/base';
import { checkBytes, checkObject, checkOptionalString, checkOptions, describeValue, isRecord } from '@combat/base/internal';
import { MODEL_FORMAT_VERSION, ModelFormatError, deserializeModel, serializeModel, type CombatModel, type DesignCoding, type SerializedModel } from '@combat/core';
import { checkModelMeta } from '@combat/core/internal';
import { Table as ArrowTable, Utf8, makeVector, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import type { CovariateColumns } from './matrix.js';
import { CHECKSUM_PLACEHOLDER, sealModelFile, verifyChecksum } from './model-checksum.js';
import { METADATA_KEY, PER_BATCH, columnReader, expectedColumns, readArrow } from './model-file-arrow.js';
import {
  EXTRAS_COLUMN_FIELDS,
  FILE_COLUMN_FIELDS,
  PRIORS,
  checkCovariateColumns,
  checkFeatureNames,
  checkMaskGeometry,
  encodeNumber,
  readPriors,
  type Fail,
} from './model-file-checks.js';

/**
 * What a model file holds besides the model: the feature names (table columns, or voxel indices
 * as text), the covariate columns the model was fitted with and the column that named the rows,
 * and for volume models the mask's geometry (`mask.indices[k]` is the voxel of feature k). A
 * decoded mask has no `source`: the file does not keep the mask's path.
 *
 * @example
 * ```ts
 * import { identityAffine } from '@combat/base';
 *
 * const tableExtras: ModelFileExtras = { featureNames: ['lh_x', 'lh_y', 'rh_x'], columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] }, idColumn: 'subject' };
 * decodeModelFile(encodeModelFile(model, tableExtras), { source: 'model.arrow' }).idColumn; // 'subject'
 *
 * // A volume model: feature k is voxel mask.indices[k] of a 2 x 3 x 2 volume.
 * const volumeExtras: ModelFileExtras = {
 *   featureNames: ['0', '5', '9'],
 *   columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] },
 *   mask: { shape: [2, 3, 2], affine: identityAffine(), indices: Int32Array.of(0, 5, 9) },
 * };
 * decodeModelFile(encodeModelFile(model, volumeExtras), { source: 'volume-model.arrow' }).mask; // { shape: [2, 3, 2], affine: identityAffine(), indices: Int32Array.of(0, 5, 9) }
 * ```
 */
export interface ModelFileExtras {
  readonly featureNames: readonly string[];
  readonly columns?: CovariateColumns;
  readonly idColumn?: string;
  readonly mask?: MaskGeometry;
}

/** How messages name a model file given without a path or a source. */
const DEFAULT_NAME = 'model file';
/** The fields of the JSON metadata. */
const JSON_FIELDS = new Set(['formatVersion', 'features', 'coding', 'batchSizes', 'options', 'priors', 'columns', 'volume', 'checksum']);

/**
 * Encodes a model as one Arrow IPC file: one row per feature (`feature`, `voxel` for volume
 * models, `adjusted`, `varPooled`, `grandMean`, `beta[<design column>]`, then
 * `gammaStar[<batch>]`, `deltaStar[<batch>]`, `gammaHat[<batch>]`, `deltaHat[<batch>]`), and the
 * rest as JSON in the schema metadata under `combat`: format version, batches and design coding,
 * options, batch sizes, priors, covariate columns (`columns`, under the keys of format version 1:
 * `batchCol`, `categoricalCols`, `continuousCols`, and the id column as `idCol`), the mask's
 * shape and affine (`volume`), and first `checksum`, a CRC-32 of the file's bytes (see
 * {@link sealModelFile}) that {@link decodeModelFile} checks before anything else, so a file
 * changed or damaged after it was written is refused. Refuses what {@link decodeModelFile} would refuse. Messages start with
 * `options.target` (the path being written; default "model file").
 *
 * @throws {@link ModelFormatError} when the model is not a valid model, the feature names are not
 * one unique string per feature, the covariate columns are not the coding's, an id column comes
 * without them, or the mask does not hold the voxels.
 * @throws {@link InvalidArgumentError} when `model`, `extras` or `options` is not an object.
 * @example
 * ```ts
 * const bytes = encodeModelFile(model, { featureNames: ['lh_x', 'lh_y', 'rh_x'], columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] } });
 * decodeModelFile(bytes, { source: 'model.arrow' }).featureNames; // ['lh_x', 'lh_y', 'rh_x']
 * encodeModelFile(model, { featureNames: ['lh_x'] }, { target: 'out/model.arrow' });
 * // throws ModelFormatError: out/model.arrow: featureNames is an array of 1; expected 3 names, one per feature
 * ```
 */
export function encodeModelFile(model: CombatModel, extras: ModelFileExtras, options: { target?: string } = {}): Uint8Array {
  checkObject(extras, 'encodeModelFile: extras');
  const target = checkOptionalString(checkOptions(options, 'encodeModelFile: options').target, 'encodeModelFile: options.target') ?? DEFAULT_NAME;
  const fail: Fail = (detail) => {
    throw new ModelFormatError(`${target}: ${detail}`);
  };
  const { meta, arrays } = serializeModel(model);
  const V = meta.features;
  checkFeatureNames(extras.featureNames, V, fail);
  const columns = extras.columns === undefined ? undefined : checkExtrasColumns(extras, meta.coding, fail);
  if (extras.columns === undefined && extras.idColumn !== undefined) {
    fail(`idColumn is ${describeValue(extras.idColumn)} without columns; the file keeps the id column with the covariate columns`);
  }
  if (extras.mask !== undefined && !isRecord(extras.mask)) fail(`mask is ${describeValue(extras.mask)}; expected { shape, affine, indices }`);
  const mask = extras.mask === undefined ? undefined : checkMaskGeometry(extras.mask.shape, extras.mask.affine, extras.mask.indices, V, 'mask', fail);
  const vectors: Record<string, Vector> = { feature: vectorFromArray([...extras.featureNames], new Utf8()) };
  if (mask !== undefined) vectors.voxel = makeVector(mask.indices);
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
    columns,
    volume: mask === undefined ? undefined : { shape: mask.shape, affine: Array.from(mask.affine) },
  };
  const table = new ArrowTable(vectors);
  table.schema.metadata.set(METADATA_KEY, JSON.stringify(json));
  return sealModelFile(tableToIPC(table, 'file'), { target });
}

/** The extras' columns and id column, checked, as the file's JSON holds them. */
function checkExtrasColumns(extras: ModelFileExtras, coding: DesignCoding, fail: Fail): Record<string, unknown> {
  if (!isRecord(extras.columns)) return fail(`columns is ${describeValue(extras.columns)}; expected { batch, categorical?, continuous? }`);
  const given = extras.columns as Record<string, unknown>;
  const { columns, idColumn } = checkCovariateColumns(
    { batch: given.batch, categorical: given.categorical, continuous: given.continuous, idColumn: extras.idColumn },
    coding,
    EXTRAS_COLUMN_FIELDS,
    fail,
  );
  return {
    batchCol: columns.batch,
    ...(columns.categorical === undefined ? {} : { categoricalCols: columns.categorical }),
    ...(columns.continuous === undefined ? {} : { continuousCols: columns.continuous }),
    ...(idColumn === undefined ? {} : { idCol: idColumn }),
  };
}

/**
 * Decodes {@link encodeModelFile}'s output back to the model and its extras, bit for bit. Anything
 * else is a `ModelFormatError` (core's) whose message starts with `options.source` (the file's
 * path or name; default "model file") and names the field: bytes that are not an Arrow IPC file
 * or are truncated, metadata that is not the model JSON (missing or ill-typed fields, a coding
 * `checkModelMeta` refuses, priors that are not numbers),
 * unknown JSON fields, no checksum or bytes that do not match it (checked before the bytes are
 * parsed: apache-arrow can loop forever on damaged input), missing, extra, ill-typed or null
 * columns, a row count other than `features`, feature names that repeat, covariate columns other
 * than the coding's, a volume geometry that does not hold the voxels (3 positive integers, 16
 * finite affine entries, voxel indices strictly ascending within the volume), and every value
 * `deserializeModel` refuses. Messages name the fields as the file's JSON does
 * (`columns.batchCol`, `volume.shape`).
 *
 * @throws {@link ModelFormatError} when the bytes are not a valid model file.
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or `options.source` not a string.
 * @example
 * ```ts
 * const { model, featureNames, columns, idColumn, mask } = decodeModelFile(modelBytes, { source: 'model.arrow' });
 * [model.batches, featureNames, columns?.batch, idColumn, mask]; // [['A', 'B'], ['lh_x', 'lh_y', 'rh_x'], 'site', 'subject', undefined]
 * decodeModelFile(new TextEncoder().encode('subject,site\n'), { source: 'data.csv' });
 * // throws ModelFormatError: data.csv: not an Arrow IPC file
 * ```
 */
export function decodeModelFile(bytes: Uint8Array, options: { source?: string } = {}): { model: CombatModel } & ModelFileExtras {
  checkBytes(bytes, 'decodeModelFile: bytes');
  const source = checkOptionalString(checkOptions(options, 'decodeModelFile: options').source, 'decodeModelFile: options.source') ?? DEFAULT_NAME;
  const fail: Fail = (detail) => {
    throw new ModelFormatError(`${source}: ${detail}`);
  };
  const checksum = verifyChecksum(bytes, fail);
  const { metadata, rows, columns } = readArrow(bytes, fail);
  if (metadata === undefined) return fail(`no "${METADATA_KEY}" schema metadata; not a ComBat model file`);
  const json = parseJson(metadata, fail);
  const unknown = Object.keys(json).find((key) => !JSON_FIELDS.has(key));
  if (unknown !== undefined) fail(`the "${METADATA_KEY}" metadata has an unknown field ${JSON.stringify(unknown)}; expected only ${[...JSON_FIELDS].join(', ')}`);
  if (json.checksum !== checksum) fail(`checksum is ${describeValue(json.checksum)}; expected the checksum the file was verified with (${checksum})`);
  if (json.formatVersion !== MODEL_FORMAT_VERSION) fail(`formatVersion is ${JSON.stringify(json.formatVersion)}; expected ${MODEL_FORMAT_VERSION}`);
  const meta = fromCore(() => checkModelMeta({ features: json.features, coding: json.coding, batchSizes: json.batchSizes, options: json.options }), fail);
  const V = meta.features;
  if (rows !== V) fail(`the table has ${rows} rows; expected one per feature (features is ${V})`);
  const volumeJson = json.volume;
  const expected = expectedColumns(meta.coding, volumeJson !== undefined);
  for (const name of columns.keys()) if (!expected.has(name)) fail(`column ${JSON.stringify(name)} is not part of a model of this coding (columns are ${[...expected.keys()].join(', ')})`);
  const read = columnReader(columns, expected, fail);
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
  const extras: { columns?: CovariateColumns; idColumn?: string; mask?: MaskGeometry } = {};
  if (json.columns !== undefined) {
    const file = json.columns;
    if (!isRecord(file)) return fail(`columns is ${describeValue(file)}; expected { batchCol, categoricalCols?, continuousCols?, idCol? }`);
    const checked = checkCovariateColumns({ batch: file.batchCol, categorical: file.categoricalCols, continuous: file.continuousCols, idColumn: file.idCol }, meta.coding, FILE_COLUMN_FIELDS, fail);
    extras.columns = checked.columns;
    if (checked.idColumn !== undefined) extras.idColumn = checked.idColumn;
  }
  if (volumeJson !== undefined) {
    if (!isRecord(volumeJson)) return fail(`volume is ${describeValue(volumeJson)}; expected { shape, affine }`);
    extras.mask = checkMaskGeometry(volumeJson.shape, volumeJson.affine, read<Int32Array>('voxel'), V, 'volume', fail);
  }
  const model = fromCore(() => deserializeModel({ formatVersion: MODEL_FORMAT_VERSION, meta, arrays }), fail, featureNames);
  return { model, featureNames, ...extras };
}

/** The JSON metadata as an object. */
function parseJson(text: string, fail: Fail): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`the "${METADATA_KEY}" schema metadata is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(json)) return fail(`the "${METADATA_KEY}" schema metadata is ${describeValue(json)}; expected a JSON object`);
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
