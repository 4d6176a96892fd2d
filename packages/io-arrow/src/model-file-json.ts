/**
 * The JSON metadata of a model file (the schema metadata under `combat`), read per format version
 * into what the rest of the reader needs: the columns the file must have, the serialized model's
 * metadata for core's `deserializeModel`, and the extras as the file holds them. Version 2 is
 * what `encodeModelFile` writes (core's model metadata, the priors, `columns`, `idColumn`,
 * `mask`); version 1 (a coding holding the batches and their `batch:<label>` design columns,
 * `batchSizes`, the extras under `batchCol`, `categoricalCols`, `continuousCols`, `idCol` and
 * `volume`) is passed to core as its version 1, which core converts. A statistics file's JSON
 * (`format: "combat-statistics"`) is refused as such.
 */
import { describeValue, isRecord } from '@combat/base/internal';
import { MODEL_FORMAT_VERSION } from '@combat/core';
import { PLAIN_FORMAT_VERSION, checkModelMeta } from '@combat/core/internal';
import { METADATA_KEY, type ColumnLayout } from './model-file-arrow.js';
import { COLUMN_FIELDS, VERSION1_COLUMN_FIELDS, fromCore, type ColumnFieldNames, type Fail } from './model-file-checks.js';

/** The format name of a statistics file's JSON (`format`); a model file's JSON has none. */
export const STATISTICS_FORMAT = 'combat-statistics';

/** The fields of the JSON of each format version, in the order the encoder of that version wrote them. */
export const JSON_FIELDS = {
  [MODEL_FORMAT_VERSION]: ['checksum', 'formatVersion', 'features', 'coding', 'refBatch', 'options', 'batches', 'priors', 'covbat', 'columns', 'idColumn', 'mask'],
  [PLAIN_FORMAT_VERSION]: ['checksum', 'formatVersion', 'features', 'coding', 'refBatch', 'options', 'batches', 'priors', 'columns', 'idColumn', 'mask'],
  1: ['checksum', 'formatVersion', 'features', 'coding', 'batchSizes', 'options', 'priors', 'columns', 'volume'],
} as const;

/** A model file's JSON, read: what it says, with the fields each version names differently under one name. */
export interface FileJson {
  readonly formatVersion: 1 | typeof PLAIN_FORMAT_VERSION | typeof MODEL_FORMAT_VERSION;
  readonly features: number;
  /** The columns the file must have. */
  readonly layout: ColumnLayout;
  /** The serialized model's `meta` of `formatVersion`, for `deserializeModel` (which checks it). */
  readonly meta: unknown;
  readonly priors: unknown;
  /** Format version 3: the CovBat part's per-component values as the JSON holds them, unchecked. */
  readonly covbat?: { readonly mean: unknown; readonly location: unknown; readonly scale: unknown };
  /** The covariate columns (under the API's names) and the id column, unchecked. */
  readonly columns?: { readonly batch: unknown; readonly categorical: unknown; readonly continuous: unknown };
  readonly idColumn: unknown;
  /** How messages name the column fields: as this version's JSON does. */
  readonly columnFields: ColumnFieldNames;
  /** The mask's shape and affine, unchecked, and how messages name them (`mask`, or `volume` in version 1). */
  readonly mask?: { readonly shape: unknown; readonly affine: unknown };
  readonly maskField: string;
}

/**
 * Reads the JSON of a model file whose bytes matched `checksum`: its format version (2, or 1),
 * only the fields of that version, the same checksum, and what each version needs to find the
 * columns (version 2: the metadata as core's `checkModelMeta` requires it; version 1: `features`,
 * and the batches and design columns of its coding as lists of strings; core checks the rest).
 */
export function readFileJson(json: Record<string, unknown>, checksum: string, fail: Fail): FileJson {
  if (json.format === STATISTICS_FORMAT) return fail('a ComBat statistics file, not a model file: statistics are merged and finalized into a model first');
  const version = json.formatVersion;
  if (version !== MODEL_FORMAT_VERSION && version !== PLAIN_FORMAT_VERSION && version !== 1) return fail(`formatVersion is ${describeValue(version)}; expected ${MODEL_FORMAT_VERSION}, ${PLAIN_FORMAT_VERSION} or 1`);
  const fields: readonly string[] = JSON_FIELDS[version];
  const unknown = Object.keys(json).find((key) => !fields.includes(key));
  if (unknown !== undefined) fail(`the "${METADATA_KEY}" metadata has an unknown field ${JSON.stringify(unknown)}; expected only ${fields.join(', ')} (format version ${version})`);
  if (json.checksum !== checksum) fail(`checksum is ${describeValue(json.checksum)}; expected the checksum the file was verified with (${checksum})`);
  return version === 1 ? readVersion1(json, fail) : readVersion2(json, version, fail);
}

/** Versions 2 and 3 (version 2 with a CovBat part, `covbat`). */
function readVersion2(json: Record<string, unknown>, version: typeof PLAIN_FORMAT_VERSION | typeof MODEL_FORMAT_VERSION, fail: Fail): FileJson {
  const { features, coding, refBatch, options, batches } = json;
  const covbat = readRecord(json.covbat, 'covbat', ['components', 'variance', 'mean', 'location', 'scale'], fail);
  if (version === MODEL_FORMAT_VERSION && covbat === undefined) fail(`covbat is missing; expected the CovBat part in format version ${MODEL_FORMAT_VERSION}`);
  const covbatMeta = covbat === undefined ? {} : { covbat: { components: covbat.components, variance: covbat.variance } };
  const meta = fromCore(() => checkModelMeta({ features, coding, refBatch, options, batches, ...covbatMeta }), fail);
  const columns = readRecord(json.columns, 'columns', ['batch', 'categorical?', 'continuous?'], fail);
  const mask = readRecord(json.mask, 'mask', ['shape', 'affine'], fail);
  return {
    formatVersion: version,
    features: meta.features,
    layout: { beta: meta.coding.columns, batches: meta.batches.map(({ batch }) => batch), batchFlags: true, volume: mask !== undefined, covbat: meta.covbat?.components ?? 0 },
    meta,
    priors: json.priors,
    ...(covbat === undefined ? {} : { covbat: { mean: covbat.mean, location: covbat.location, scale: covbat.scale } }),
    ...(columns === undefined ? {} : { columns: { batch: columns.batch, categorical: columns.categorical, continuous: columns.continuous } }),
    idColumn: json.idColumn,
    columnFields: COLUMN_FIELDS,
    ...(mask === undefined ? {} : { mask: { shape: mask.shape, affine: mask.affine } }),
    maskField: 'mask',
  };
}

function readVersion1(json: Record<string, unknown>, fail: Fail): FileJson {
  const { features, coding } = json;
  if (!(typeof features === 'number' && Number.isSafeInteger(features) && features >= 1)) return fail(`features is ${describeValue(features)}; expected a positive integer`);
  if (!isRecord(coding)) return fail(`coding is ${describeValue(coding)}; expected a design coding { batches, refBatch, categorical, continuous, columns }`);
  const batches = readStrings(coding.batches, 'coding.batches', fail);
  const designColumns = readStrings(coding.columns, 'coding.columns', fail);
  const columns = readRecord(json.columns, 'columns', ['batchCol', 'categoricalCols?', 'continuousCols?', 'idCol?'], fail);
  const volume = readRecord(json.volume, 'volume', ['shape', 'affine'], fail);
  return {
    formatVersion: 1,
    features,
    layout: { beta: designColumns, batches, batchFlags: false, volume: volume !== undefined, covbat: 0 },
    meta: { features, coding, batchSizes: json.batchSizes, options: json.options },
    priors: json.priors,
    ...(columns === undefined ? {} : { columns: { batch: columns.batchCol, categorical: columns.categoricalCols, continuous: columns.continuousCols } }),
    idColumn: columns?.idCol,
    columnFields: VERSION1_COLUMN_FIELDS,
    ...(volume === undefined ? {} : { mask: { shape: volume.shape, affine: volume.affine } }),
    maskField: 'volume',
  };
}

/** The schema metadata's text as a JSON object. */
export function parseJson(text: string, fail: Fail): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`the "${METADATA_KEY}" schema metadata is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(json)) return fail(`the "${METADATA_KEY}" schema metadata is ${describeValue(json)}; expected a JSON object`);
  return json;
}

/** An optional object with only the given keys (`name?` for an optional one; absent keys read as undefined). */
export function readRecord(value: unknown, field: string, keys: readonly string[], fail: Fail): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) return fail(`${field} is ${describeValue(value)}; expected { ${keys.join(', ')} }`);
  const names = keys.map((key) => key.replace(/\?$/, ''));
  const unknown = Object.keys(value).find((key) => !names.includes(key));
  if (unknown !== undefined) fail(`${field} has an unknown field ${JSON.stringify(unknown)}; expected only ${names.join(', ')}`);
  return value;
}

/** A list of strings (what they must be beyond that is core's to check). */
function readStrings(value: unknown, field: string, fail: Fail): string[] {
  if (!Array.isArray(value)) return fail(`${field} is ${describeValue(value)}; expected an array of strings`);
  const wrong = value.findIndex((entry) => typeof entry !== 'string');
  if (wrong >= 0) fail(`${field}[${wrong}] is ${describeValue(value[wrong])}; expected a string`);
  return value as string[];
}
