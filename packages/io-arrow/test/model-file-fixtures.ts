import { readFileSync } from 'node:fs';
import { ModelFormatError, harmonize, harmonizeCovbat, type CombatModel } from '@combat/core';
import { syntheticData } from '@combat/test-support';
import { Table as ArrowTable, makeVector, tableFromIPC, tableToIPC, type Vector } from 'apache-arrow';
import { expect } from 'vitest';
import { decodeModelFile, encodeModelFile, sealModelFile, type ModelFileExtras } from '../src/index.js';

/** A table model (reference batch, one unadjusted feature), a volume model and a CovBat model (format version 3), with their files. */
export function modelFiles(): { name: string; model: CombatModel; extras: ModelFileExtras; bytes: Uint8Array }[] {
  const { matrix, covariates } = syntheticData({ seed: 9, batchSizes: [8, 7, 9], features: 6 });
  const data = matrix.data.slice();
  for (let i = 0; i < 8; i++) data[i * 6 + 3] = 42; // constant in siteA: feature 3 unadjusted, NaN estimates
  const table = harmonize({ ...matrix, data }, covariates, { refBatch: 'siteB' }).model;
  const tableExtras = tableFileExtras(['lh_a', 'lh_b', 'lh_c', 'lh_d', 'rh_a', 'rh_b']);
  const volume = harmonize(matrix, covariates, { parametric: false }).model;
  const volumeExtras = volumeFileExtras([4, 3, 2], Int32Array.of(1, 4, 5, 9, 17, 23));
  const covbat = harmonizeCovbat(matrix, covariates, { components: 3 }).model;
  const covbatExtras = tableFileExtras(['lh_a', 'lh_b', 'lh_c', 'lh_d', 'rh_a', 'rh_b']);
  return [
    { name: 'table', model: table, extras: tableExtras, bytes: encodeModelFile(table, tableExtras) },
    { name: 'volume', model: volume, extras: volumeExtras, bytes: encodeModelFile(volume, volumeExtras) },
    { name: 'covbat', model: covbat, extras: covbatExtras, bytes: encodeModelFile(covbat, covbatExtras) },
  ];
}

/** The extras of a table file: its features, the columns of its batch (site), sex and age, and its id column. */
export function tableFileExtras(featureNames: string[]): ModelFileExtras {
  return { featureNames, columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] }, idColumn: 'subject' };
}

/** The extras of a volume file: its voxels (named by index) in a mask of 2 mm voxels, and the columns of its batch, sex and age. */
export function volumeFileExtras(shape: [number, number, number], indices: Int32Array): ModelFileExtras {
  return {
    featureNames: Array.from(indices, String),
    columns: { batch: 'site', categorical: ['sex'], continuous: ['age'] },
    mask: { shape, affine: Float64Array.of(2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1), indices },
  };
}

/** A number as the fixtures' JSON holds it: JSON has no NaN, Infinity or -0, so those are strings. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/**
 * What `test/fixtures/<name>-model-v1.json` records about `<name>-model-v1.arrow`, a model file
 * of format version 1 written by the encoder of that version (commit cbc9ba1): the extras, the
 * version 1 model (per-batch arrays by batch label, beta rows by design column, `batch:<label>`
 * ones included), the data it was fitted on and the adjusted data that model gave.
 */
export interface VersionOneRecord {
  readonly featureNames: string[];
  readonly columns: { batch: string; categorical: string[]; continuous: string[] };
  readonly idColumn?: string;
  readonly mask?: { shape: number[]; affine: number[]; indices: number[] };
  readonly model: {
    readonly refBatch: string | null;
    readonly options: { eb: boolean; parametric: boolean; meanOnly: boolean };
    readonly batches: string[];
    readonly batchSizes: number[];
    readonly columns: string[];
    readonly beta: Record<string, JsonNumber[]>;
    readonly grandMean: JsonNumber[];
    readonly varPooled: JsonNumber[];
    readonly adjusted: number[];
    readonly gammaHat: Record<string, JsonNumber[]>;
    readonly deltaHat: Record<string, JsonNumber[]>;
    readonly gammaStar: Record<string, JsonNumber[]>;
    readonly deltaStar: Record<string, JsonNumber[]>;
    readonly gammaBar: JsonNumber[];
    readonly t2: JsonNumber[];
    readonly aPrior: JsonNumber[];
    readonly bPrior: JsonNumber[];
  };
  readonly input: { samples: number; features: number; data: JsonNumber[]; batch: string[]; sex: string[]; age: JsonNumber[] };
  readonly output: JsonNumber[];
}

/** The fixtures' numbers as a Float64Array. */
export function numbers(values: readonly JsonNumber[]): Float64Array {
  return Float64Array.from(values, (x) => (x === '-0' ? -0 : Number(x)));
}

/** The model files of format version 1 in test/fixtures (a table model and a volume model), with what they were written from, decoded. */
export function versionOneFiles(): { name: string; model: CombatModel; formatVersion: number; extras: ModelFileExtras; bytes: Uint8Array; record: VersionOneRecord }[] {
  return ['table', 'volume'].map((name) => {
    const bytes = new Uint8Array(readFileSync(new URL(`./fixtures/${name}-model-v1.arrow`, import.meta.url)));
    const record = JSON.parse(readFileSync(new URL(`./fixtures/${name}-model-v1.json`, import.meta.url), 'utf8')) as VersionOneRecord;
    const { model, formatVersion, ...extras } = decodeModelFile(bytes, { source: `${name}-model-v1.arrow` });
    return { name: `${name} (format 1)`, model, formatVersion, extras, bytes, record };
  });
}

/**
 * A model file re-encoded after editing its JSON metadata (parsed, or as text) and its columns,
 * then sealed with a new checksum (as a tool that edits model files would), so that the edit
 * reaches the validation; with `seal: false` it keeps the old checksum, which no longer matches.
 * A file whose metadata lost the checksum placeholder is left unsealed.
 */
export function rewrite(
  bytes: Uint8Array,
  edit: { json?: (json: Record<string, any>) => unknown; text?: (text: string) => string; columns?: (vectors: Record<string, Vector>) => void; seal?: boolean },
): Uint8Array {
  const table = tableFromIPC(bytes);
  const vectors: Record<string, Vector> = {};
  for (const field of table.schema.fields) vectors[field.name] = table.getChild(field.name) as Vector;
  edit.columns?.(vectors);
  let text = table.schema.metadata.get('combat') as string;
  const seal = edit.seal ?? true;
  if (seal) text = text.replace(/"checksum":"[0-9a-f]{8}"/, `"checksum":"${'0'.repeat(8)}"`);
  if (edit.json !== undefined) {
    const json = JSON.parse(text);
    const replaced = edit.json(json);
    text = JSON.stringify(replaced === undefined ? json : replaced);
  }
  if (edit.text !== undefined) text = edit.text(text);
  const out = new ArrowTable(vectors);
  out.schema.metadata.set('combat', text);
  const written = tableToIPC(out, 'file');
  if (!seal) return written;
  try {
    return sealModelFile(written);
  } catch (error) {
    if (error instanceof ModelFormatError) return written;
    throw error;
  }
}

/** A Float64 column with one cell set. */
export function withCell(vectors: Record<string, Vector>, name: string, row: number, value: number): void {
  const values = Float64Array.from(vectors[name]!.toArray() as Float64Array);
  values[row] = value;
  vectors[name] = makeVector(values);
}

/** The bytes of a typed array, to compare NaN payloads and -0 too. */
export function bits(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Expects two models to be equal field by field, typed arrays bit for bit. */
export function expectSameModel(actual: CombatModel, expected: CombatModel): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    const other = actual[key as keyof CombatModel];
    if (ArrayBuffer.isView(value)) expect(bits(other as ArrayBufferView), key).toEqual(bits(value));
    else expect(other, key).toEqual(value);
  }
}
