import { checkBytes, checkObject, checkOptionalString, checkOptions, describeValue } from '@combat/base/internal';
import { STATISTICS_VERSION, type BatchStatistics, type CombatStatistics, type DesignCoding } from '@combat/core';
import { checkCoding, checkStatistics } from '@combat/core/internal';
import { Table as ArrowTable, Utf8, makeVector, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { StatisticsFormatError } from './errors.js';
import { CHECKSUM_PLACEHOLDER, sealModelFile, verifyChecksum, type SealedKind } from './model-checksum.js';
import { FLOAT64, INT32, METADATA_KEY, UTF8, columnReader, readArrow, type ColumnType } from './model-file-arrow.js';
import { COLUMN_FIELDS, checkCovariateColumns, checkExtras, checkFeatureNames, checkMaskGeometry, encodeNumber, readNumber, type Fail } from './model-file-checks.js';
import { STATISTICS_FORMAT, parseJson, readRecord } from './model-file-json.js';
import type { ModelFileExtras } from './model-file.js';

/** The format version of the statistics files this module writes and reads. */
const FORMAT_VERSION = 1;

/** The JSON's fields, in the order the encoder writes them. */
const JSON_FIELDS = ['checksum', 'format', 'formatVersion', 'features', 'coding', 'batches', 'columns', 'idColumn', 'mask'];

/** A batch's JSON fields. */
const BATCH_FIELDS = ['batch', 'samples', 'covariateSum', 'covariateCross', 'missing'];

/** How messages name a statistics file given without a path or a source. */
const DEFAULT_NAME = 'statistics file';

const STATISTICS_FILE: SealedKind = { name: 'statistics file', writer: 'encodeStatisticsFile' };

/**
 * Encodes statistics (core's {@link CombatStatistics}, of one site or shard) as one Arrow IPC
 * file, to send to whoever merges them: format `combat-statistics`, version 1. One row per
 * feature: `feature` (its name), `voxel` for the statistics of volumes, then for each batch (in
 * code-point order of the labels, `<b>` its label) `mean[<b>]`, `deviationSum[<b>]`,
 * `squares[<b>]` and `covariateValueSum[<b>][<k>]` for each covariate column k (its index in
 * `coding.columns`), all float64; and for a batch with missing cells `missing[<b>]` (int32, the
 * feature's missing cells, 0 where none), `missingCovariateSum[<b>][<k>]` and
 * `missingCovariateCross[<b>][<k>]` (k = row x q + column; float64, the covariates' sums and cross
 * products over the rows where the feature is missing, 0 where none). The rest is JSON in the
 * schema metadata under `combat`: `checksum` (as a model file's: see {@link sealModelFile}),
 * `format`, `formatVersion`, `features`, `coding` (the terms and covariate columns), `batches`
 * (per batch `{ batch, samples, covariateSum, covariateCross, missing }`, `missing` the number of
 * features with a missing cell; numbers JSON cannot hold as the strings "NaN", "Infinity",
 * "-Infinity", "-0"), and the extras as a model file holds them (`columns`, `idColumn`, the mask's
 * `shape` and `affine` as `mask`). No value of a sample is written: see `CombatStatistics` for
 * what sums over one sample reveal. Refuses what {@link decodeStatisticsFile} would refuse.
 * Messages start with `options.target` (the path being written; default "statistics file").
 *
 * @throws {@link StatisticsFormatError} when the statistics are not as an accumulator makes them,
 * the feature names are not one unique string per feature, the covariate columns are not the
 * names of the coding's terms, an id column comes without them, or the mask does not hold the voxels.
 * @throws {@link InvalidArgumentError} when `statistics`, `extras` or `options` is not an object.
 * @example
 * ```ts
 * const columns = { batch: 'site', categorical: ['sex'], continuous: ['age'] };
 * const bytes = encodeStatisticsFile(statistics, { featureNames: ['lh_x', 'lh_y', 'rh_x'], columns, idColumn: 'subject' });
 * decodeStatisticsFile(bytes, { source: 'statistics.arrow' }).statistics.batches.map((batch) => batch.samples); // [4, 4]
 * encodeStatisticsFile(statistics, { featureNames: ['lh_x'] }, { target: 'out/statistics.arrow' });
 * // throws StatisticsFormatError: out/statistics.arrow: featureNames is an array of 1; expected 3 names, one per feature
 * ```
 */
export function encodeStatisticsFile(statistics: CombatStatistics, extras: ModelFileExtras, options: { target?: string } = {}): Uint8Array {
  checkObject(statistics, 'encodeStatisticsFile: statistics');
  checkObject(extras, 'encodeStatisticsFile: extras');
  const target = checkOptionalString(checkOptions(options, 'encodeStatisticsFile: options').target, 'encodeStatisticsFile: options.target') ?? DEFAULT_NAME;
  const fail: Fail = (detail) => {
    throw new StatisticsFormatError(`${target}: ${detail}`);
  };
  checkStatistics(statistics, 'statistics', fail);
  const { features: V, coding } = statistics;
  const q = coding.columns.length;
  const { mask, ...checked } = checkExtras(extras, coding, V, fail);
  const vectors: Record<string, Vector> = { feature: vectorFromArray([...extras.featureNames], new Utf8()) };
  if (mask !== undefined) vectors.voxel = makeVector(mask.indices);
  for (const batch of statistics.batches) {
    const label = batch.batch;
    vectors[`mean[${label}]`] = makeVector(batch.mean.slice());
    vectors[`deviationSum[${label}]`] = makeVector(batch.deviationSum.slice());
    vectors[`squares[${label}]`] = makeVector(batch.squares.slice());
    for (let k = 0; k < q; k++) vectors[`covariateValueSum[${label}][${k}]`] = makeVector(batch.covariateValueSum.slice(k * V, (k + 1) * V));
    if (batch.missingFeatures.length > 0) Object.assign(vectors, missingColumns(batch, q, V));
  }
  const json = {
    checksum: CHECKSUM_PLACEHOLDER,
    format: STATISTICS_FORMAT,
    formatVersion: FORMAT_VERSION,
    features: V,
    coding: JSON.parse(JSON.stringify(coding)) as DesignCoding,
    batches: statistics.batches.map((batch) => ({
      batch: batch.batch,
      samples: batch.samples,
      covariateSum: Array.from(batch.covariateSum, encodeNumber),
      covariateCross: Array.from(batch.covariateCross, encodeNumber),
      missing: batch.missingFeatures.length,
    })),
    ...checked,
    ...(mask === undefined ? {} : { mask: { shape: mask.shape, affine: Array.from(mask.affine) } }),
  };
  const table = new ArrowTable(vectors);
  table.schema.metadata.set(METADATA_KEY, JSON.stringify(json));
  return sealModelFile(tableToIPC(table, 'file'), { target });
}

/** A batch's missing sums as dense columns: the counts, then each covariate sum and cross product, 0 where none is missing. */
function missingColumns(batch: BatchStatistics, q: number, V: number): Record<string, Vector> {
  const stride = 1 + q + q * q;
  const counts = new Int32Array(V);
  const sums = Array.from({ length: q + q * q }, () => new Float64Array(V));
  batch.missingFeatures.forEach((v, j) => {
    counts[v] = batch.missingSums[j * stride] as number;
    sums.forEach((column, k) => (column[v] = batch.missingSums[j * stride + 1 + k] as number));
  });
  const label = batch.batch;
  const columns: Record<string, Vector> = { [`missing[${label}]`]: makeVector(counts) };
  sums.forEach((column, k) => (columns[k < q ? `missingCovariateSum[${label}][${k}]` : `missingCovariateCross[${label}][${k - q}]`] = makeVector(column)));
  return columns;
}

/**
 * Decodes {@link encodeStatisticsFile}'s output back to the statistics and their extras, bit for
 * bit, for core's `mergeStatistics` and `finalizeModel`. Anything else is a
 * {@link StatisticsFormatError} whose message starts with `options.source` (the file's path or
 * name; default "statistics file") and names the field: bytes that are not an Arrow IPC file or
 * are truncated, no checksum or bytes that do not match it (checked before the bytes are parsed),
 * a model file (it says so), another `format` or an unknown `formatVersion`, unknown, missing or
 * ill-typed JSON fields, a coding core's checks refuse, missing, extra, ill-typed or null columns,
 * a row count other than `features`, feature names that repeat, missing counts outside 0 to the
 * batch's samples, sums where no cell is missing, covariate columns other than the names of the
 * coding's terms, a mask geometry that does not hold the voxels, and statistics no accumulator
 * makes (batches out of code-point order, a sample count that is not a positive integer).
 *
 * @throws {@link StatisticsFormatError} when the bytes are not a valid statistics file.
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or `options.source` not a string.
 * @example
 * ```ts
 * import { CombatAccumulator, codeDesign, finalizeModel, mergeStatistics } from '@combat/core';
 *
 * // Each site accumulates its own rows and sends a statistics file; no row leaves the site.
 * const columns = { batch: 'site', categorical: ['sex'], continuous: ['age'] };
 * const features = ['lh_x', 'lh_y', 'rh_x'];
 * const send = (rows: number[]) => {
 *   const site = selectRows(table, rows);
 *   const covariates = covariatesFromTable(site, columns);
 *   const sums = new CombatAccumulator(codeDesign(covariates), 3).add(tableMatrix(site, features), covariates).statistics();
 *   return encodeStatisticsFile(sums, { featureNames: features, columns });
 * };
 * const siteA = decodeStatisticsFile(send([0, 1, 2, 3]), { source: 'siteA.arrow' });
 * const siteB = decodeStatisticsFile(send([4, 5, 6, 7]), { source: 'siteB.arrow' });
 * siteA.featureNames; // ['lh_x', 'lh_y', 'rh_x']
 * // The merged fit is the fit of all rows, to rounding.
 * const { model: merged } = finalizeModel(mergeStatistics(siteA.statistics, siteB.statistics));
 * Math.abs(merged.batches.get('B')!.gammaStar[0] - model.batches.get('B')!.gammaStar[0]) < 1e-12; // true
 * decodeStatisticsFile(modelBytes, { source: 'model.arrow' });
 * // throws StatisticsFormatError: model.arrow: a ComBat model file, not a statistics file
 * ```
 */
export function decodeStatisticsFile(bytes: Uint8Array, options: { source?: string } = {}): { statistics: CombatStatistics } & ModelFileExtras {
  checkBytes(bytes, 'decodeStatisticsFile: bytes');
  const source = checkOptionalString(checkOptions(options, 'decodeStatisticsFile: options').source, 'decodeStatisticsFile: options.source') ?? DEFAULT_NAME;
  const fail: Fail = (detail) => {
    throw new StatisticsFormatError(`${source}: ${detail}`);
  };
  const checksum = verifyChecksum(bytes, fail, STATISTICS_FILE);
  const { metadata, rows, columns } = readArrow(bytes, fail);
  if (metadata === undefined) return fail(`no "${METADATA_KEY}" schema metadata; not a ComBat statistics file`);
  const file = readStatisticsJson(parseJson(metadata, fail), checksum, fail);
  const { features: V, coding } = file;
  const q = coding.columns.length;
  if (rows !== V) fail(`the table has ${rows} rows; expected one per feature (features is ${V})`);
  const expected = expectedColumns(file.batches, q, file.mask !== undefined);
  for (const name of columns.keys()) if (!expected.has(name)) fail(`column ${JSON.stringify(name)} is not part of statistics of this coding and these batches (columns are ${[...expected.keys()].join(', ')})`);
  const read = columnReader(columns, expected, fail);
  const featureNames = read<string[]>('feature');
  checkFeatureNames(featureNames, V, fail);
  const batches = file.batches.map((entry, b) => readBatch(entry, `batches[${b}]`, read, q, featureNames, fail));
  const statistics: CombatStatistics = { version: STATISTICS_VERSION, features: V, coding, batches };
  checkStatistics(statistics, 'statistics', (detail) => fail(detail.replace(/^statistics\./, '')));
  const extras = checkCovariateColumns(file.columns, file.idColumn, coding, COLUMN_FIELDS, fail);
  const mask = file.mask === undefined ? undefined : checkMaskGeometry(file.mask.shape, file.mask.affine, read<Int32Array>('voxel'), V, 'mask', fail);
  return { statistics, featureNames, ...extras, ...(mask === undefined ? {} : { mask }) };
}

/** A batch's entry of the JSON, its sums read. */
interface BatchEntry {
  readonly batch: string;
  readonly samples: number;
  readonly covariateSum: Float64Array;
  readonly covariateCross: Float64Array;
  readonly missing: number;
}

/** What the JSON says, read: what decides the columns, and the extras unchecked. */
interface StatisticsJson {
  readonly features: number;
  readonly coding: DesignCoding;
  readonly batches: readonly BatchEntry[];
  readonly columns?: { readonly batch: unknown; readonly categorical: unknown; readonly continuous: unknown };
  readonly idColumn: unknown;
  readonly mask?: { readonly shape: unknown; readonly affine: unknown };
}

/**
 * Reads a statistics file's JSON, whose bytes matched `checksum`: its format and version, only
 * the fields of that version, the same checksum, `features`, the coding as core checks it, and
 * each batch's label, sample count, covariate sums and count of features with missing cells.
 */
function readStatisticsJson(json: Record<string, unknown>, checksum: string, fail: Fail): StatisticsJson {
  if (json.format === undefined && json.priors !== undefined) return fail('a ComBat model file, not a statistics file: a fitted model is applied, not merged');
  if (json.format !== STATISTICS_FORMAT) return fail(`format is ${describeValue(json.format)}; expected "${STATISTICS_FORMAT}"`);
  if (json.formatVersion !== FORMAT_VERSION) return fail(`formatVersion is ${describeValue(json.formatVersion)}; expected ${FORMAT_VERSION}, the only version of statistics files this version of combat reads`);
  const unknown = Object.keys(json).find((key) => !JSON_FIELDS.includes(key));
  if (unknown !== undefined) fail(`the "${METADATA_KEY}" metadata has an unknown field ${JSON.stringify(unknown)}; expected only ${JSON_FIELDS.join(', ')} (format version ${FORMAT_VERSION})`);
  if (json.checksum !== checksum) fail(`checksum is ${describeValue(json.checksum)}; expected the checksum the file was verified with (${checksum})`);
  const V = json.features;
  if (!(typeof V === 'number' && Number.isSafeInteger(V) && V >= 1)) return fail(`features is ${describeValue(V)}; expected a positive integer`);
  const coding = checkCoding(json.coding, 'coding', fail);
  const q = coding.columns.length;
  if (!Array.isArray(json.batches)) return fail(`batches is ${describeValue(json.batches)}; expected an array of { ${BATCH_FIELDS.join(', ')} }`);
  const batches = json.batches.map((value: unknown, b): BatchEntry => {
    const at = `batches[${b}]`;
    const entry = readRecord(value, at, BATCH_FIELDS, fail) ?? fail(`${at} is undefined; expected { ${BATCH_FIELDS.join(', ')} }`);
    const { batch, samples, missing } = entry;
    if (typeof batch !== 'string' || batch === '') return fail(`${at}.batch is ${describeValue(batch)}; expected a batch label`);
    if (!(typeof samples === 'number' && Number.isSafeInteger(samples) && samples >= 1)) return fail(`${at}.samples is ${describeValue(samples)}; expected a positive integer`);
    if (!(typeof missing === 'number' && Number.isSafeInteger(missing) && missing >= 0 && missing <= V)) {
      return fail(`${at}.missing is ${describeValue(missing)}; expected the number of features with a missing cell, 0 to ${V}`);
    }
    const numbers = (values: unknown, field: string, length: number): Float64Array => {
      if (!Array.isArray(values) || values.length !== length) return fail(`${at}.${field} is ${describeValue(values)}; expected ${length} numbers`);
      return Float64Array.from(values as unknown[], (x, k) => readNumber(x, `${at}.${field}[${k}]`, fail));
    };
    return { batch, samples, covariateSum: numbers(entry.covariateSum, 'covariateSum', q), covariateCross: numbers(entry.covariateCross, 'covariateCross', q * q), missing };
  });
  const columns = readRecord(json.columns, 'columns', ['batch', 'categorical?', 'continuous?'], fail);
  const mask = readRecord(json.mask, 'mask', ['shape', 'affine'], fail);
  return {
    features: V,
    coding,
    batches,
    ...(columns === undefined ? {} : { columns: { batch: columns.batch, categorical: columns.categorical, continuous: columns.continuous } }),
    idColumn: json.idColumn,
    ...(mask === undefined ? {} : { mask: { shape: mask.shape, affine: mask.affine } }),
  };
}

/** Every column a statistics file of these batches and q covariate columns has, with its type, in the order they are written. */
function expectedColumns(batches: readonly BatchEntry[], q: number, volume: boolean): Map<string, ColumnType> {
  const columns = new Map<string, ColumnType>([['feature', UTF8]]);
  if (volume) columns.set('voxel', INT32);
  for (const { batch, missing } of batches) {
    for (const name of ['mean', 'deviationSum', 'squares']) columns.set(`${name}[${batch}]`, FLOAT64);
    for (let k = 0; k < q; k++) columns.set(`covariateValueSum[${batch}][${k}]`, FLOAT64);
    if (missing === 0) continue;
    columns.set(`missing[${batch}]`, INT32);
    for (let k = 0; k < q; k++) columns.set(`missingCovariateSum[${batch}][${k}]`, FLOAT64);
    for (let k = 0; k < q * q; k++) columns.set(`missingCovariateCross[${batch}][${k}]`, FLOAT64);
  }
  return columns;
}

/**
 * A batch's statistics from its JSON entry and its columns: the missing counts within 0 to the
 * batch's samples, sums only where a cell is missing, and as many features with a missing cell as
 * the entry says.
 */
function readBatch(entry: BatchEntry, at: string, read: <T>(name: string) => T, q: number, featureNames: readonly string[], fail: Fail): BatchStatistics {
  const label = entry.batch;
  const V = featureNames.length;
  const covariateValueSum = new Float64Array(q * V);
  for (let k = 0; k < q; k++) covariateValueSum.set(read<Float64Array>(`covariateValueSum[${label}][${k}]`), k * V);
  const batch = {
    batch: label,
    samples: entry.samples,
    covariateSum: entry.covariateSum,
    covariateCross: entry.covariateCross,
    mean: read<Float64Array>(`mean[${label}]`),
    deviationSum: read<Float64Array>(`deviationSum[${label}]`),
    squares: read<Float64Array>(`squares[${label}]`),
    covariateValueSum,
  };
  if (entry.missing === 0) return { ...batch, missingFeatures: new Int32Array(0), missingSums: new Float64Array(0) };
  const counts = read<Int32Array>(`missing[${label}]`);
  const names = [
    ...Array.from({ length: q }, (_, k) => `missingCovariateSum[${label}][${k}]`),
    ...Array.from({ length: q * q }, (_, k) => `missingCovariateCross[${label}][${k}]`),
  ];
  const sums = names.map((name) => read<Float64Array>(name));
  const features: number[] = [];
  counts.forEach((count, v) => {
    const feature = `feature ${JSON.stringify(featureNames[v])} (row ${v + 1})`;
    if (count < 0 || count > entry.samples) fail(`${feature}: missing[${label}] is ${count}; expected 0 to ${entry.samples} (the batch's samples)`);
    if (count > 0) return void features.push(v);
    const k = sums.findIndex((column) => column[v] !== 0);
    if (k >= 0) fail(`${feature}: ${names[k]} is ${sums[k]![v]} where missing[${label}] is 0; expected 0`);
  });
  if (features.length !== entry.missing) fail(`${at}.missing is ${entry.missing}; expected ${features.length}, the features with a missing cell in column missing[${label}]`);
  const stride = 1 + q + q * q;
  const missingSums = new Float64Array(features.length * stride);
  features.forEach((v, j) => {
    missingSums[j * stride] = counts[v] as number;
    sums.forEach((column, k) => (missingSums[j * stride + 1 + k] = column[v] as number));
  });
  return { ...batch, missingFeatures: Int32Array.from(features), missingSums };
}
