import { checkFitOptions } from './arguments.js';
import { compareCodePoints } from './code-point-order.js';
import { checkColumns, checkCovariateNames, checkCovariates, requireCoding } from './covariate-checks.js';
import { listDesignColumns, findNamingProblem } from './design-names.js';
import { CovariateNameError, TooFewBatchesError, UnknownBatchError, UnknownCovariateError } from './errors.js';
import type { Covariates } from './types.js';

/**
 * How one categorical covariate is coded: all its levels in code-point order; the first is the
 * dropped (reference) level, each other level gets a 0/1 column.
 *
 * @example
 * ```ts
 * const sex: CategoricalCoding = model.coding.categorical[0]!;
 * sex; // { name: 'sex', levels: ['F', 'M'], dropped: 'F' }
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
 * const coding: DesignCoding = codeDesign({ batch: ['b', 'a', 'b'], continuous: { age: [30, 40, 50] } });
 * coding; // { batches: ['a', 'b'], refBatch: null, categorical: [], continuous: ['age'], columns: ['batch:a', 'batch:b', 'age'] }
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
 * const rows: EncodedRows = encodeCovariates(model.coding, { batch: ['siteB', 'siteA'], categorical: { sex: ['M', 'F'] }, continuous: { age: [63, 41] } });
 * rows.samples; // 2
 * rows.batchIndex; // Int32Array.of(1, 0)
 * rows.covariates; // Float64Array.of(1, 63, 0, 41)
 * ```
 */
export interface EncodedRows {
  readonly samples: number;
  readonly batchIndex: Int32Array;
  readonly covariates: Float64Array;
}

/**
 * Derives the design coding from the training covariates and validates them: lengths, missing
 * values, non-finite continuous values, at least two batches, a known reference batch, and names
 * that give every design column once (a categorical covariate named `batch` with a level equal to
 * a batch label, a continuous covariate named `sex:M` beside a categorical `sex` with level `M`,
 * a name used as both categorical and continuous, and an empty name are refused with
 * {@link CovariateNameError}).
 *
 * @throws {@link InvalidArgumentError} when `covariates` or `options` is not of the right kind.
 * @throws {@link ShapeMismatchError} when a covariate column has another length than `batch`.
 * @throws {@link InvalidValueError} when a label is missing or a continuous value is not finite.
 * @throws {@link TooFewBatchesError} when there are fewer than two batches.
 * @throws {@link UnknownBatchError} when `options.refBatch` is not one of the batches.
 * @throws {@link CovariateNameError} when names would give a design column twice, or two labels
 * differ only in spaces or Unicode form.
 *
 * @example
 * ```ts
 * const coding = codeDesign(
 *   { batch: ['s1', 's1', 's2', 's2'], categorical: { sex: ['F', 'M', 'F', 'M'] } },
 *   { refBatch: 's1' },
 * );
 * coding.columns; // ['batch:s1', 'batch:s2', 'sex:M']
 * codeDesign({ batch: ['s1', 's2'], categorical: { sex: ['F', 'M'] } }, { refBatch: 's3' });
 * // throws UnknownBatchError: reference batch "s3" is not among the batches (s1, s2)
 * ```
 */
export function codeDesign(covariates: Covariates, options: { refBatch?: string | null } = {}): DesignCoding {
  const samples = checkCovariates(covariates, 'codeDesign');
  checkFitOptions(options, 'codeDesign');
  checkColumns(covariates, samples);
  const batches = sortLevels(covariates.batch, 'batch');
  if (batches.length < 2) {
    throw new TooFewBatchesError(`expected at least 2 batches; found ${batches.length} (${batches.map((b) => JSON.stringify(b)).join(', ')})`);
  }
  const refBatch = options.refBatch ?? null;
  if (refBatch !== null && !batches.includes(refBatch)) {
    throw new UnknownBatchError(`reference batch ${JSON.stringify(refBatch)} is not among the batches (${batches.join(', ')})`);
  }
  const categorical = Object.entries(covariates.categorical ?? {}).map(([name, values]) => {
    const levels = sortLevels(values, `categorical covariate "${name}"`);
    return { name, levels, dropped: levels[0] as string };
  });
  const continuous = Object.keys(covariates.continuous ?? {});
  const problem = findNamingProblem(batches, categorical, continuous);
  if (problem !== null) throw new CovariateNameError(problem);
  return { batches, refBatch, categorical, continuous, columns: listDesignColumns(batches, categorical, continuous) };
}

/**
 * Encodes covariates with an existing coding (the training one). A batch or categorical level the
 * coding does not know is an error naming it and the sample; so is a covariate the coding needs
 * but the input lacks, or one it does not know.
 *
 * @throws {@link InvalidArgumentError} when `coding` is not a design coding as {@link codeDesign}
 * makes one, or `covariates` is not of the right kind.
 * @throws {@link ShapeMismatchError} when a covariate column has another length than `batch`.
 * @throws {@link InvalidValueError} when a label is missing or a continuous value is not finite.
 * @throws {@link UnknownBatchError} when a batch is not one of the coding's.
 * @throws {@link UnknownCovariateError} when a categorical level is not one of the coding's, or
 * the covariates are not the coding's.
 *
 * @example
 * ```ts
 * const rows = encodeCovariates(model.coding, { batch: ['siteB'], categorical: { sex: ['M'] }, continuous: { age: [63] } });
 * Array.from(rows.covariates); // [1, 63]
 * encodeCovariates(model.coding, { batch: ['siteB'], categorical: { sex: ['X'] }, continuous: { age: [63] } });
 * // throws UnknownCovariateError: sample 0: categorical covariate "sex" has level "X", unseen in training (known: F, M)
 * encodeCovariates(model.coding, { batch: ['siteB'], categorical: { sex: ['M'] } });
 * // throws UnknownCovariateError: covariates do not match the design (expected categorical "sex", continuous "age"): missing continuous "age"
 * ```
 */
export function encodeCovariates(coding: DesignCoding, covariates: Covariates): EncodedRows {
  requireCoding(coding, 'encodeCovariates');
  const samples = checkCovariates(covariates, 'encodeCovariates');
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
      throw new UnknownBatchError(`batch ${JSON.stringify(label)} was not seen in training (known: ${coding.batches.join(', ')})`, { sample: i });
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
        throw new UnknownCovariateError(`categorical covariate "${name}" has level ${JSON.stringify(values[i])}, unseen in training (known: ${levels.join(', ')})`, {
          sample: i,
        });
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

/**
 * The distinct labels in code-point order. Labels that differ only in surrounding spaces or in
 * Unicode form ("A " and "A", a composed and a decomposed "é") look like one level to a person and
 * would silently be two: an error naming both.
 */
function sortLevels(values: readonly string[], what: string): string[] {
  const levels = [...new Set(values)].sort(compareCodePoints);
  const seen = new Map<string, string>();
  for (const level of levels) {
    const key = level.trim().normalize('NFC');
    const twin = seen.get(key);
    if (twin !== undefined) {
      throw new CovariateNameError(`${what} has the labels ${JSON.stringify(twin)} and ${JSON.stringify(level)}, which differ only in spaces or Unicode form; write them the same way`);
    }
    seen.set(key, level);
  }
  return levels;
}
