/**
 * The checks of what a model file holds besides the model's arrays, shared by the encoder (on the
 * caller's extras) and the decoder (on the file's JSON), and by the statistics file's: feature
 * names, covariate columns that match the coding's terms, a mask geometry that holds the voxels,
 * the priors and other numbers of the JSON; and core's checks run with the file's name. Each takes `fail`, which throws the ModelFormatError of the file, and
 * the names the fields have where they were found (the file's JSON keys, or the extras'
 * properties).
 */
import { CombatError } from '@combat/base';
import { describeValue, findMaskGeometryProblem, isRecord } from '@combat/base/internal';
import type { DesignCoding } from '@combat/core';
import type { CovariateColumns } from './matrix.js';

/** Throws, given what is wrong. */
export type Fail = (detail: string) => never;

/** Runs a core check, giving its error's detail to `fail` (with a feature's name and row for a feature index). */
export function fromCore<T>(run: () => T, fail: Fail, featureNames?: readonly string[]): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof CombatError)) throw error;
    const feature = error.feature === undefined ? '' : `feature ${JSON.stringify(featureNames?.[error.feature])} (row ${error.feature + 1}): `;
    return fail(`${feature}${error.detail}`);
  }
}

/** The names of the column fields in messages: the file's JSON keys, or the extras' properties. */
export interface ColumnFieldNames {
  readonly columns: string;
  readonly batch: string;
  readonly categorical: string;
  readonly continuous: string;
  readonly idColumn: string;
}

/** The column fields as `ModelFileExtras` names them, and the JSON of format version 2 too. */
export const COLUMN_FIELDS: ColumnFieldNames = {
  columns: 'columns',
  batch: 'columns.batch',
  categorical: 'columns.categorical',
  continuous: 'columns.continuous',
  idColumn: 'idColumn',
};

/** The column fields as the JSON of format version 1 names them (under `columns`). */
export const VERSION1_COLUMN_FIELDS: ColumnFieldNames = {
  columns: 'columns',
  batch: 'columns.batchCol',
  categorical: 'columns.categoricalCols',
  continuous: 'columns.continuousCols',
  idColumn: 'columns.idCol',
};

/** A list of strings or numbers as JSON (`["sex"]`, `[4,3]`), anything else described. */
function showList(value: unknown): string {
  const plain = Array.isArray(value) && value.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)));
  return plain ? JSON.stringify(value) : describeValue(value);
}

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
 * The covariate columns of the table the model was fitted on, if given: a batch column, the
 * categorical columns exactly the names of the coding's categorical terms and the continuous
 * columns those of its continuous and spline terms, in order (an absent list means none); and an optional id
 * column, which comes with them; one role per column. Returns copies, with the lists that were
 * given.
 */
export function checkCovariateColumns(
  columns: { readonly batch: unknown; readonly categorical: unknown; readonly continuous: unknown } | undefined,
  idColumn: unknown,
  coding: DesignCoding,
  fields: ColumnFieldNames,
  fail: Fail,
): { columns?: CovariateColumns; idColumn?: string } {
  if (columns === undefined) {
    if (idColumn !== undefined) fail(`${fields.idColumn} is ${describeValue(idColumn)} without ${fields.columns}; expected the covariate columns too (the id column names the rows of their table)`);
    return {};
  }
  const name = (text: unknown, field: string): string => {
    if (typeof text !== 'string' || text === '') return fail(`${field} is ${describeValue(text)}; expected a column name`);
    return text;
  };
  const list = (names: unknown, field: string, kind: 'categorical' | 'continuous'): string[] => {
    // A spline's column is a continuous covariate.
    const expected = coding.terms.filter((term) => (term.kind === 'categorical') === (kind === 'categorical')).map((term) => term.name);
    const given = names ?? [];
    if (!Array.isArray(given) || given.length !== expected.length || given.some((n, k) => n !== expected[k])) {
      fail(`${field} is ${showList(given)}; expected the names of the coding's ${kind} terms ${JSON.stringify(expected)}`);
    }
    return [...(given as string[])];
  };
  const batch = name(columns.batch, fields.batch);
  const categorical = list(columns.categorical, fields.categorical, 'categorical');
  const continuous = list(columns.continuous, fields.continuous, 'continuous');
  const id = idColumn === undefined ? undefined : name(idColumn, fields.idColumn);
  const all = [batch, ...categorical, ...continuous, ...(id === undefined ? [] : [id])];
  const twice = all.find((column, k) => all.indexOf(column) !== k);
  if (twice !== undefined) fail(`column ${JSON.stringify(twice)} has two roles in ${fields.columns}; expected one role per column`);
  return {
    columns: {
      batch,
      ...(columns.categorical === undefined ? {} : { categorical }),
      ...(columns.continuous === undefined ? {} : { continuous }),
    },
    ...(id === undefined ? {} : { idColumn: id }),
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
  const problem = findMaskGeometryProblem(shape, affine, indices);
  if (problem?.part === 'shape') return fail(`${field}.shape is ${showList(shape)}; expected 3 positive integers`);
  if (problem?.part === 'affine') return fail(`${field}.affine is ${describeValue(affine)}; expected 16 finite numbers`);
  if (!(indices instanceof Int32Array) || indices.length !== features) {
    return fail(`voxel indices are ${describeValue(indices)}; expected an Int32Array of ${features}, one per feature`);
  }
  const sizes = shape as number[];
  if (problem?.part === 'index') {
    fail(`voxel index in row ${problem.at + 1} is ${indices[problem.at]}; expected 0 to ${problem.voxels - 1} (the volume has shape ${sizes.join(' x ')})`);
  }
  if (problem?.part === 'order') fail(`voxel index in row ${problem.at + 1} is ${indices[problem.at]} after ${indices[problem.at - 1]}; expected strictly ascending indices`);
  return { shape: [...sizes], affine: Float64Array.from(affine as ArrayLike<number>), indices };
}

/**
 * The extras a caller gives with a model or statistics of `features` features and this coding:
 * one name per feature, covariate columns that are the names of the coding's terms (see
 * {@link checkCovariateColumns}), a mask geometry that holds the voxels. Returns the checked
 * columns, id column and mask geometry (copies), those that were given.
 */
export function checkExtras(
  extras: { readonly featureNames: unknown; readonly columns?: unknown; readonly idColumn?: unknown; readonly mask?: unknown },
  coding: DesignCoding,
  features: number,
  fail: Fail,
): { columns?: CovariateColumns; idColumn?: string; mask?: { shape: number[]; affine: Float64Array; indices: Int32Array } } {
  checkFeatureNames(extras.featureNames, features, fail);
  if (extras.columns !== undefined && !isRecord(extras.columns)) fail(`columns is ${describeValue(extras.columns)}; expected { batch, categorical?, continuous? }`);
  const given = extras.columns as Record<string, unknown> | undefined;
  const columns = given === undefined ? undefined : { batch: given.batch, categorical: given.categorical, continuous: given.continuous };
  const checked = checkCovariateColumns(columns, extras.idColumn, coding, COLUMN_FIELDS, fail);
  if (extras.mask !== undefined && !isRecord(extras.mask)) fail(`mask is ${describeValue(extras.mask)}; expected { shape, affine, indices }`);
  const mask = extras.mask as Record<string, unknown> | undefined;
  return mask === undefined ? checked : { ...checked, mask: checkMaskGeometry(mask.shape, mask.affine, mask.indices, features, 'mask', fail) };
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
    return Float64Array.from(values as unknown[], (x, b) => readNumber(x, `priors.${name}[${b}]`, fail));
  };
  return Object.fromEntries(PRIORS.map((name) => [name, read(name)])) as Record<(typeof PRIORS)[number], Float64Array>;
}

/** A number as {@link encodeNumber} writes it: a number, or "NaN", "Infinity", "-Infinity", "-0". */
export function readNumber(x: unknown, field: string, fail: Fail): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && Object.hasOwn(SPECIAL, x)) return SPECIAL[x] as number;
  return fail(`${field} is ${describeValue(x)}; expected a number or one of "NaN", "Infinity", "-Infinity", "-0"`);
}

/** A number as JSON holds it (a prior, a sum): JSON has no Infinity, NaN or -0, so those travel as strings. */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) && !Object.is(x, -0) ? x : String(Object.is(x, -0) ? '-0' : x);
}
