import { compareCodePoints } from './code-point-order.js';
import { InvalidValueError, ShapeMismatchError, TooFewBatchesError, UnknownBatchError, UnknownCovariateError } from './errors.js';
import type { Covariates } from './types.js';

/**
 * How one categorical covariate is coded: all its levels in code-point order; the first is the
 * dropped (reference) level, each other level gets a 0/1 column.
 *
 * @example
 * ```ts
 * const sex: CategoricalCoding = { name: 'sex', levels: ['F', 'M'], dropped: 'F' };
 * ```
 */
export interface CategoricalCoding {
  readonly name: string;
  readonly levels: readonly string[];
  readonly dropped: string;
}

/**
 * The coding of the design matrix: batch levels (code-point order), the reference batch,
 * categorical codings and continuous covariate names, and the resulting column names
 * (`batch:<level>` columns first, then `<name>:<level>` per categorical level, then continuous).
 *
 * @example
 * ```ts
 * const coding = codeDesign({ batch: ['b', 'a', 'b'], continuous: { age: [30, 40, 50] } });
 * coding.columns; // ['batch:a', 'batch:b', 'age']
 * ```
 */
export interface DesignCoding {
  readonly batches: readonly string[];
  readonly refBatch: string | null;
  readonly categorical: readonly CategoricalCoding[];
  readonly continuous: readonly string[];
  readonly columns: readonly string[];
}

/**
 * Covariates turned into numbers: each sample's batch index and its covariate part of the design
 * row (`covariates[i * q + k]`, q = columns - batches).
 *
 * @example
 * ```ts
 * const rows = encodeCovariates(coding, { batch: ['a'], continuous: { age: [30] } });
 * rows.batchIndex[0]; // 0
 * ```
 */
export interface EncodedRows {
  readonly samples: number;
  readonly batchIndex: Int32Array;
  readonly covariates: Float64Array;
}

/**
 * Derives the design coding from the training covariates and validates them: lengths, missing
 * values, non-finite continuous values, at least two batches, a known reference batch.
 *
 * @example
 * ```ts
 * const coding = codeDesign(
 *   { batch: ['s1', 's1', 's2', 's2'], categorical: { sex: ['F', 'M', 'F', 'M'] } },
 *   { refBatch: 's1' },
 * );
 * coding.columns; // ['batch:s1', 'batch:s2', 'sex:M']
 * ```
 */
export function codeDesign(covariates: Covariates, options: { refBatch?: string | null } = {}): DesignCoding {
  const samples = covariates.batch.length;
  checkColumns(covariates, samples);
  const batches = sortedLevels(covariates.batch);
  if (batches.length < 2) {
    throw new TooFewBatchesError(`expected at least 2 batches; found ${batches.length} (${batches.map((b) => JSON.stringify(b)).join(', ')})`);
  }
  const refBatch = options.refBatch ?? null;
  if (refBatch !== null && !batches.includes(refBatch)) {
    throw new UnknownBatchError(`reference batch ${JSON.stringify(refBatch)} is not among the batches (${batches.join(', ')})`);
  }
  const categorical = Object.entries(covariates.categorical ?? {}).map(([name, values]) => {
    const levels = sortedLevels(values);
    return { name, levels, dropped: levels[0] };
  });
  const continuous = Object.keys(covariates.continuous ?? {});
  const columns = [
    ...batches.map((b) => `batch:${b}`),
    ...categorical.flatMap((c) => c.levels.slice(1).map((level) => `${c.name}:${level}`)),
    ...continuous,
  ];
  return { batches, refBatch, categorical, continuous, columns };
}

/**
 * Encodes covariates with an existing coding (the training one). A batch or categorical level the
 * coding does not know is an error naming it and the sample; so is a covariate the coding needs
 * but the input lacks, or one it does not know.
 *
 * @example
 * ```ts
 * const rows = encodeCovariates(model.coding, { batch: ['s2'], categorical: { sex: ['M'] } });
 * Array.from(rows.covariates); // [1]
 * ```
 */
export function encodeCovariates(coding: DesignCoding, covariates: Covariates): EncodedRows {
  const samples = covariates.batch.length;
  checkColumns(covariates, samples);
  checkCovariateNames(coding, covariates);
  const q = coding.columns.length - coding.batches.length;
  const batchIndex = new Int32Array(samples);
  const encoded = new Float64Array(samples * q);
  const batchLookup = new Map(coding.batches.map((b, i) => [b, i]));
  for (let i = 0; i < samples; i++) {
    const label = covariates.batch[i];
    const index = batchLookup.get(label);
    if (index === undefined) {
      throw new UnknownBatchError(`batch ${JSON.stringify(label)} at sample ${i} was not seen in training (known: ${coding.batches.join(', ')})`);
    }
    batchIndex[i] = index;
  }
  let offset = 0;
  for (const { name, levels } of coding.categorical) {
    const values = covariates.categorical?.[name] as readonly string[];
    const levelLookup = new Map(levels.map((level, i) => [level, i]));
    for (let i = 0; i < samples; i++) {
      const level = levelLookup.get(values[i]);
      if (level === undefined) {
        throw new UnknownCovariateError(
          `categorical covariate "${name}" at sample ${i} has level ${JSON.stringify(values[i])}, unseen in training (known: ${levels.join(', ')})`,
        );
      }
      if (level > 0) encoded[i * q + offset + level - 1] = 1;
    }
    offset += levels.length - 1;
  }
  for (const name of coding.continuous) {
    const values = covariates.continuous?.[name] as ArrayLike<number>;
    for (let i = 0; i < samples; i++) encoded[i * q + offset] = values[i];
    offset += 1;
  }
  return { samples, batchIndex, covariates: encoded };
}

/** Checks every column's length and that no value is missing or non-finite. */
function checkColumns(covariates: Covariates, samples: number): void {
  checkLabels(covariates.batch, 'batch labels', samples);
  for (const [name, values] of Object.entries(covariates.categorical ?? {})) {
    checkLabels(values, `categorical covariate "${name}"`, samples);
  }
  for (const [name, values] of Object.entries(covariates.continuous ?? {})) {
    if (values.length !== samples) {
      throw new ShapeMismatchError(`continuous covariate "${name}" has ${values.length} values; expected one per sample (${samples})`);
    }
    for (let i = 0; i < samples; i++) {
      const value = values[i];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidValueError(`continuous covariate "${name}" at sample ${i} is ${String(value)}; expected a finite number`);
      }
    }
  }
}

function checkLabels(values: readonly string[], what: string, samples: number): void {
  if (values.length !== samples) {
    throw new ShapeMismatchError(`${what} has ${values.length} values; expected one per sample (${samples})`);
  }
  for (let i = 0; i < samples; i++) {
    const value = values[i];
    if (typeof value !== 'string' || value === '') {
      throw new InvalidValueError(`${what} at sample ${i} is ${JSON.stringify(value) ?? 'undefined'}; expected a non-empty string`);
    }
  }
}

function checkCovariateNames(coding: DesignCoding, covariates: Covariates): void {
  const given = [...Object.keys(covariates.categorical ?? {}).map((n) => `categorical "${n}"`), ...Object.keys(covariates.continuous ?? {}).map((n) => `continuous "${n}"`)];
  const needed = [...coding.categorical.map((c) => `categorical "${c.name}"`), ...coding.continuous.map((n) => `continuous "${n}"`)];
  const missing = needed.filter((n) => !given.includes(n));
  const unknown = given.filter((n) => !needed.includes(n));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', unknown.length > 0 ? `not in the design: ${unknown.join(', ')}` : ''];
    throw new UnknownCovariateError(
      `covariates do not match the design (expected ${needed.length > 0 ? needed.join(', ') : 'none'}): ${parts.filter(Boolean).join('; ')}`,
    );
  }
}

function sortedLevels(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareCodePoints);
}
