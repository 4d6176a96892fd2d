/**
 * The checks of what a model file holds besides the model's arrays, shared by the encoder (on the
 * caller's extras) and the decoder (on the file's JSON): feature names, covariate columns that
 * match the coding, a mask geometry that holds the voxels, the priors. Each takes `fail`, which
 * throws the ModelFormatError of the file, and the names the fields have where they were found
 * (the file's JSON keys, or the extras' properties).
 */
import type { DesignCoding } from '@combat/core';
import { describeValue, isRecord } from '@combat/base/internal';
import type { CovariateColumns } from './matrix.js';

/** Throws, given what is wrong. */
export type Fail = (detail: string) => never;

/** The names of the column fields in messages: the file's JSON keys, or the extras' properties. */
export interface ColumnFieldNames {
  readonly columns: string;
  readonly batch: string;
  readonly categorical: string;
  readonly continuous: string;
  readonly idColumn: string;
}

/** The column fields as the model file's JSON names them (under `columns`). */
export const FILE_COLUMN_FIELDS: ColumnFieldNames = {
  columns: 'columns',
  batch: 'columns.batchCol',
  categorical: 'columns.categoricalCols',
  continuous: 'columns.continuousCols',
  idColumn: 'columns.idCol',
};

/** The column fields as `ModelFileExtras` names them. */
export const EXTRAS_COLUMN_FIELDS: ColumnFieldNames = {
  columns: 'columns',
  batch: 'columns.batch',
  categorical: 'columns.categorical',
  continuous: 'columns.continuous',
  idColumn: 'idColumn',
};

/** One unique string per feature. */
export function checkFeatureNames(names: unknown, features: number, fail: Fail): void {
  if (!Array.isArray(names) || names.length !== features) fail(`featureNames is ${describeValue(names)}; expected ${features} names, one per feature`);
  const rowOf = new Map<string, number>();
  (names as unknown[]).forEach((name, row) => {
    if (typeof name !== 'string') fail(`feature name in row ${row + 1} is ${describeValue(name)}; expected a string`);
    const earlier = rowOf.get(name as string);
    if (earlier !== undefined) fail(`feature name ${JSON.stringify(name)} appears in rows ${earlier + 1} and ${row + 1}; expected unique names`);
    rowOf.set(name as string, row);
  });
}

/**
 * The covariate columns of the table the model was fitted on: a batch column, the categorical and
 * continuous columns exactly the coding's covariates in order (an absent list means none), an
 * optional id column, one role per column. Returns copies, with the lists that were given.
 */
export function checkCovariateColumns(
  value: { batch: unknown; categorical: unknown; continuous: unknown; idColumn: unknown },
  coding: DesignCoding,
  fields: ColumnFieldNames,
  fail: Fail,
): { columns: CovariateColumns; idColumn?: string } {
  const name = (text: unknown, field: string): string => {
    if (typeof text !== 'string' || text === '') return fail(`${field} is ${describeValue(text)}; expected a column name`);
    return text;
  };
  const list = (names: unknown, field: string, expected: readonly string[]): string[] => {
    const given = names ?? [];
    if (!Array.isArray(given) || given.length !== expected.length || given.some((n, k) => n !== expected[k])) {
      fail(`${field} is ${JSON.stringify(given) ?? describeValue(given)}; expected the coding's covariates ${JSON.stringify(expected)}`);
    }
    return [...(given as string[])];
  };
  const batch = name(value.batch, fields.batch);
  const categorical = list(value.categorical, fields.categorical, coding.categorical.map((c) => c.name));
  const continuous = list(value.continuous, fields.continuous, coding.continuous);
  const idColumn = value.idColumn === undefined ? undefined : name(value.idColumn, fields.idColumn);
  const all = [batch, ...categorical, ...continuous, ...(idColumn === undefined ? [] : [idColumn])];
  const twice = all.find((column, k) => all.indexOf(column) !== k);
  if (twice !== undefined) fail(`column ${JSON.stringify(twice)} has two roles in ${fields.columns}; expected one role per column`);
  return {
    columns: {
      batch,
      ...(value.categorical === undefined ? {} : { categorical }),
      ...(value.continuous === undefined ? {} : { continuous }),
    },
    ...(idColumn === undefined ? {} : { idColumn }),
  };
}

/**
 * A mask geometry that holds the voxels: a 3D shape of positive integers, 16 finite affine
 * entries, one voxel index per feature, strictly ascending inside the volume. `field` names the
 * geometry in messages. Returns copies of the shape and affine.
 */
export function checkMaskGeometry(
  shape: unknown,
  affine: unknown,
  indices: unknown,
  features: number,
  field: string,
  fail: Fail,
): { shape: number[]; affine: Float64Array; indices: Int32Array } {
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => Number.isSafeInteger(n) && n > 0)) {
    return fail(`${field}.shape is ${JSON.stringify(shape) ?? describeValue(shape)}; expected 3 positive integers`);
  }
  const entries = affine instanceof Float64Array ? Array.from(affine) : affine;
  if (!Array.isArray(entries) || entries.length !== 16 || !entries.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    return fail(`${field}.affine is ${describeValue(affine)}; expected 16 finite numbers`);
  }
  if (!(indices instanceof Int32Array) || indices.length !== features) {
    return fail(`voxel indices are ${describeValue(indices)}; expected an Int32Array of ${features}, one per feature`);
  }
  const voxels = (shape as number[]).reduce((a, n) => a * n, 1);
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k] as number;
    if (index < 0 || index >= voxels) fail(`voxel index in row ${k + 1} is ${index}; expected 0 to ${voxels - 1} (the volume has shape ${shape.join(' x ')})`);
    if (k > 0 && index <= (indices[k - 1] as number)) fail(`voxel index in row ${k + 1} is ${index} after ${indices[k - 1]}; expected strictly ascending indices`);
  }
  return { shape: [...(shape as number[])], affine: Float64Array.from(entries as number[]), indices };
}

/** The empirical Bayes priors, one value per batch each. */
export const PRIORS = ['gammaBar', 't2', 'aPrior', 'bPrior'] as const;

const SPECIAL: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** The priors as Float64Arrays of one value per batch: numbers, or "NaN", "Infinity", "-Infinity", "-0" for what JSON cannot hold. */
export function readPriors(priors: unknown, batches: number, fail: Fail): Record<(typeof PRIORS)[number], Float64Array> {
  if (!isRecord(priors)) return fail(`priors is ${describeValue(priors)}; expected { ${PRIORS.join(', ')} }`);
  const read = (name: (typeof PRIORS)[number]): Float64Array => {
    const values = priors[name];
    if (!Array.isArray(values) || values.length !== batches) return fail(`priors.${name} is ${describeValue(values)}; expected ${batches} values, one per batch`);
    return Float64Array.from(values as unknown[], (x, b) => {
      if (typeof x === 'number') return x;
      if (typeof x === 'string' && Object.hasOwn(SPECIAL, x)) return SPECIAL[x] as number;
      return fail(`priors.${name}[${b}] is ${describeValue(x)}; expected a number or one of "NaN", "Infinity", "-Infinity", "-0"`);
    });
  };
  return Object.fromEntries(PRIORS.map((name) => [name, read(name)])) as Record<(typeof PRIORS)[number], Float64Array>;
}

/** A prior as JSON holds it: JSON has no Infinity, NaN or -0, so those travel as strings. */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) && !Object.is(x, -0) ? x : String(Object.is(x, -0) ? '-0' : x);
}
