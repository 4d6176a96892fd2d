import type { MaskGeometry } from '@combat/base';
import { checkBytes, checkObject, checkOptionalString, checkOptions, describeValue } from '@combat/base/internal';
import { ModelFormatError, deserializeModel, serializeModel, type CombatModel, type SerializedArrays, type SerializedModel } from '@combat/core';
import { Table as ArrowTable, Utf8, makeVector, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import type { CovariateColumns } from './matrix.js';
import { CHECKSUM_PLACEHOLDER, sealModelFile, verifyChecksum } from './model-checksum.js';
import { METADATA_KEY, PER_BATCH, columnReader, expectedColumns, readArrow } from './model-file-arrow.js';
import { PRIORS, checkCovariateColumns, checkExtras, checkFeatureNames, checkMaskGeometry, encodeNumber, fromCore, readNumber, readPriors, type Fail } from './model-file-checks.js';
import { parseJson, readFileJson } from './model-file-json.js';

/**
 * What a model file holds besides the model, and a statistics file besides the statistics: the
 * feature names (table columns, or voxel indices as text), the covariate columns the model was
 * fitted with (the statistics accumulated with) and the column that named the rows, and for
 * volumes the mask's geometry (`mask.indices[k]` is the voxel of feature k). A decoded mask has no
 * `source`: the file does not keep the mask's path.
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

/**
 * Encodes a model as one Arrow IPC file, format version 2 (3 for a CovBat model): one row per feature (`feature`,
 * `voxel` for volume models, `adjusted`, `varPooled`, `grandMean`, `beta[<covariate column>]`,
 * then for each batch `gammaStar[<batch>]`, `deltaStar[<batch>]`, `gammaHat[<batch>]`,
 * `deltaHat[<batch>]` and `adjusted[<batch>]`), and the rest as JSON in the schema metadata under
 * `combat`: first `checksum`, a CRC-32 of the file's bytes (see {@link sealModelFile}) that
 * {@link decodeModelFile} checks before anything else, so a file changed or damaged after it was
 * written is refused; `formatVersion`; core's model metadata (`features`, `coding` with its terms,
 * `refBatch`, `options`, `batches` with each batch's sample count and whether it was fitted);
 * `priors` (`gammaBar`, `t2`, `aPrior`, `bPrior`, one value per batch); and the extras:
 * `columns` (`batch`, `categorical`, `continuous`), `idColumn`, and the mask's `shape` and
 * `affine` as `mask` (its indices are the `voxel` column). A CovBat model (format version 3) adds
 * the columns `covbatCenter`, `covbatScale` and `covbatLoading[<k>]` (k = 1 to K) and, after the
 * priors, `covbat`: `components`, `variance`, the scores' `mean` (K numbers) and each batch's
 * score `location` and `scale` (a list of K numbers per batch, in the batches' order). Refuses
 * what {@link decodeModelFile} would refuse. Messages start with `options.target` (the path being written; default "model
 * file").
 *
 * @throws {@link ModelFormatError} when the model is not a valid model, the feature names are not
 * one unique string per feature, the covariate columns are not the names of the coding's terms,
 * an id column comes without them, or the mask does not hold the voxels.
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
  const { formatVersion, meta, arrays } = serializeModel(model);
  const V = meta.features;
  const { mask, ...checked } = checkExtras(extras, meta.coding, V, fail);
  const vectors: Record<string, Vector> = { feature: vectorFromArray([...extras.featureNames], new Utf8()) };
  if (mask !== undefined) vectors.voxel = makeVector(mask.indices);
  vectors.adjusted = makeVector(arrays.adjusted);
  vectors.varPooled = makeVector(arrays.varPooled);
  vectors.grandMean = makeVector(arrays.grandMean);
  meta.coding.columns.forEach((column, k) => (vectors[`beta[${column}]`] = makeVector(arrays.beta.slice(k * V, (k + 1) * V))));
  meta.batches.forEach(({ batch }, b) => {
    for (const name of PER_BATCH) vectors[`${name}[${batch}]`] = makeVector(arrays[name].slice(b * V, (b + 1) * V));
    vectors[`adjusted[${batch}]`] = makeVector(arrays.batchAdjusted.slice(b * V, (b + 1) * V));
  });
  const { covbat, ...plain } = meta;
  if (covbat !== undefined) {
    vectors.covbatCenter = makeVector(arrays.covbatCenter as Float64Array);
    vectors.covbatScale = makeVector(arrays.covbatScale as Float64Array);
    for (let k = 0; k < covbat.components; k++) vectors[`covbatLoading[${k + 1}]`] = makeVector((arrays.covbatLoadings as Float64Array).slice(k * V, (k + 1) * V));
  }
  const K = covbat?.components ?? 0;
  const perBatch = (values: Float64Array) => meta.batches.map((_, b) => Array.from(values.subarray(b * K, (b + 1) * K), encodeNumber));
  const json = {
    checksum: CHECKSUM_PLACEHOLDER,
    formatVersion,
    ...plain,
    priors: Object.fromEntries(PRIORS.map((name) => [name, Array.from(arrays[name], encodeNumber)])),
    ...(covbat === undefined
      ? {}
      : {
          covbat: {
            ...covbat,
            mean: Array.from(arrays.covbatMean as Float64Array, encodeNumber),
            location: perBatch(arrays.covbatLocation as Float64Array),
            scale: perBatch(arrays.covbatScoreScale as Float64Array),
          },
        }),
    ...checked,
    ...(mask === undefined ? {} : { mask: { shape: mask.shape, affine: Array.from(mask.affine) } }),
  };
  const table = new ArrowTable(vectors);
  table.schema.metadata.set(METADATA_KEY, JSON.stringify(json));
  return sealModelFile(tableToIPC(table, 'file'), { target });
}

/**
 * A model file as decoded: the model, the format version the file was written in (2, or 1 for a
 * file written before batches could be added to a model, whose model is converted when read), and
 * what the file holds besides the model.
 *
 * @example
 * ```ts
 * const decoded: DecodedModelFile = decodeModelFile(modelBytes);
 * decoded.formatVersion; // 2
 * ```
 */
export type DecodedModelFile = { readonly model: CombatModel; readonly formatVersion: number } & ModelFileExtras;

/**
 * Decodes {@link encodeModelFile}'s output (format version 2, or 3 for a CovBat model) back to the model and its extras, bit for bit; a file
 * of format version 1 (written before batches could be added to a model) is read too, and core's
 * `deserializeModel` converts its model. Anything else is a `ModelFormatError` (core's) whose
 * message starts with `options.source` (the file's path or name; default "model file") and names
 * the field: bytes that are not an Arrow IPC model file or are truncated, no checksum or bytes
 * that do not match it (checked before the bytes are parsed: apache-arrow can loop forever on
 * damaged input), metadata that is not the model JSON of its format version (unknown, missing or
 * ill-typed fields, metadata core's `checkModelMeta` refuses, priors that are not numbers),
 * missing, extra, ill-typed or null columns, a row count other than `features`, feature names that
 * repeat, covariate columns other than the names of the coding's terms, a mask geometry that does
 * not hold the voxels (3 positive integers, 16 finite affine entries, voxel indices strictly
 * ascending within the volume), and every value `deserializeModel` refuses. Messages name the
 * fields as the file's JSON does (`columns.batch`, `mask.shape`; in a version 1 file
 * `columns.batchCol`, `volume.shape`).
 *
 * @throws {@link ModelFormatError} when the bytes are not a valid model file.
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or `options.source` not a string.
 * @example
 * ```ts
 * const { model, formatVersion, featureNames, columns, idColumn, mask } = decodeModelFile(modelBytes, { source: 'model.arrow' });
 * [[...model.batches.keys()], formatVersion, featureNames, columns?.batch, idColumn, mask]; // [['A', 'B'], 2, ['lh_x', 'lh_y', 'rh_x'], 'site', 'subject', undefined]
 * decodeModelFile(new TextEncoder().encode('subject,site\n'), { source: 'data.csv' });
 * // throws ModelFormatError: data.csv: not an Arrow IPC model file: it starts with "subject,site\n"; expected the bytes "ARROW1"
 * ```
 */
export function decodeModelFile(bytes: Uint8Array, options: { source?: string } = {}): DecodedModelFile {
  checkBytes(bytes, 'decodeModelFile: bytes');
  const source = checkOptionalString(checkOptions(options, 'decodeModelFile: options').source, 'decodeModelFile: options.source') ?? DEFAULT_NAME;
  const fail: Fail = (detail) => {
    throw new ModelFormatError(`${source}: ${detail}`);
  };
  const checksum = verifyChecksum(bytes, fail);
  const { metadata, rows, columns } = readArrow(bytes, fail);
  if (metadata === undefined) return fail(`no "${METADATA_KEY}" schema metadata; not a ComBat model file`);
  const file = readFileJson(parseJson(metadata, fail), checksum, fail);
  const V = file.features;
  if (rows !== V) fail(`the table has ${rows} rows; expected one per feature (features is ${V})`);
  const expected = expectedColumns(file.layout);
  for (const name of columns.keys()) if (!expected.has(name)) fail(`column ${JSON.stringify(name)} is not part of a model of this coding (columns are ${[...expected.keys()].join(', ')})`);
  const read = columnReader(columns, expected, fail);
  const featureNames = read<string[]>('feature');
  checkFeatureNames(featureNames, V, fail);
  const { beta, batches, batchFlags } = file.layout;
  const stack = <T extends Float64Array | Uint8Array>(name: string, labels: readonly string[], make: new (length: number) => T): T => {
    const parts = labels.map((label) => read<T>(`${name}[${label}]`));
    const out = new make(labels.length * V);
    parts.forEach((part, k) => out.set(part, k * V));
    return out;
  };
  const arrays = {
    beta: stack('beta', beta, Float64Array),
    varPooled: read<Float64Array>('varPooled'),
    grandMean: read<Float64Array>('grandMean'),
    adjusted: read<Uint8Array>('adjusted'),
    ...Object.fromEntries(PER_BATCH.map((name) => [name, stack(name, batches, Float64Array)])),
    ...readPriors(file.priors, batches.length, fail),
    ...(batchFlags ? { batchAdjusted: stack('adjusted', batches, Uint8Array) } : {}),
    ...(file.covbat === undefined ? {} : readCovbatArrays(file.covbat, file.layout.covbat, batches, read, stack, fail)),
  };
  // Version 1's metadata and arrays (no batchAdjusted) are core's version 1, which it converts.
  const serialized = { formatVersion: file.formatVersion, meta: file.meta, arrays } as SerializedModel;
  const model = fromCore(() => deserializeModel(serialized), fail, featureNames);
  const extras: { columns?: CovariateColumns; idColumn?: string; mask?: MaskGeometry } = checkCovariateColumns(file.columns, file.idColumn, model.coding, file.columnFields, fail);
  if (file.mask !== undefined) extras.mask = checkMaskGeometry(file.mask.shape, file.mask.affine, read<Int32Array>('voxel'), V, file.maskField, fail);
  return { model, formatVersion: file.formatVersion, featureNames, ...extras };
}

/**
 * A CovBat part's serialized arrays from a version 3 file: `covbatCenter`, `covbatScale` and the K
 * `covbatLoading[<k>]` columns, and from the JSON the scores' `mean` (K numbers) and each batch's
 * `location` and `scale` (one list of K numbers per batch, in the batches' order).
 */
function readCovbatArrays(
  json: { readonly mean: unknown; readonly location: unknown; readonly scale: unknown },
  K: number,
  batches: readonly string[],
  read: <T>(name: string) => T,
  stack: (name: string, labels: readonly string[], make: new (length: number) => Float64Array) => Float64Array,
  fail: Fail,
): Pick<SerializedArrays, 'covbatCenter' | 'covbatScale' | 'covbatLoadings' | 'covbatMean' | 'covbatLocation' | 'covbatScoreScale'> {
  const numbers = (values: unknown, field: string): Float64Array => {
    if (!Array.isArray(values) || values.length !== K) return fail(`${field} is ${describeValue(values)}; expected ${K} numbers, one per component`);
    return Float64Array.from(values as unknown[], (x, k) => readNumber(x, `${field}[${k}]`, fail));
  };
  const perBatch = (values: unknown, field: string): Float64Array => {
    if (!Array.isArray(values) || values.length !== batches.length) return fail(`${field} is ${describeValue(values)}; expected ${batches.length} lists, one per batch (${batches.join(', ')})`);
    const out = new Float64Array(batches.length * K);
    values.forEach((list, b) => out.set(numbers(list, `${field}[${b}]`), b * K));
    return out;
  };
  const components = Array.from({ length: K }, (_, k) => String(k + 1));
  return {
    covbatCenter: read<Float64Array>('covbatCenter'),
    covbatScale: read<Float64Array>('covbatScale'),
    covbatLoadings: stack('covbatLoading', components, Float64Array),
    covbatMean: numbers(json.mean, 'covbat.mean'),
    covbatLocation: perBatch(json.location, 'covbat.location'),
    covbatScoreScale: perBatch(json.scale, 'covbat.scale'),
  };
}
