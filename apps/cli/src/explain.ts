import { CombatError } from '@combat/core';
import { DataError } from './cli-io.js';

/**
 * What the samples and features of a library call are on the command line: the file the rows
 * came from, each row's id, and each feature's column name.
 *
 * @example
 * ```ts
 * const rows: RowContext = { source: 'rois.csv', idColumn: 'subject', ids: ['s1', 's2'], features: ['lh_a', 'lh_b'] };
 * ```
 */
export interface RowContext {
  readonly source: string;
  readonly idColumn?: string;
  readonly ids?: readonly (string | null)[];
  readonly features?: readonly string[];
}

/** Library options that avoid or accept a condition, as the flags that set them. */
const FLAGS: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  eb: (value) => (value === false ? '--no-eb' : undefined),
  parametric: (value) => (value === false ? '--non-parametric' : undefined),
  meanOnly: (value) => (value === true ? '--mean-only' : undefined),
  allowAffineMismatch: (value) => (value === true ? '--allow-affine-mismatch' : undefined),
  dtype: (value) => (typeof value === 'string' ? `--dtype ${value}` : undefined),
};

/**
 * An error of the `@combat/*` packages in the command's words: its location as a file row (1-based,
 * with the row's id) and a column name when `rows` says what the samples and features are, and its
 * remedy as flags (`--no-eb` for `{ eb: false }`).
 *
 * @example
 * ```ts
 * describeError(error, { source: 'rois.csv', features: ['lh_a'] }); // 'rois.csv: row 4, column "lh_a": ...'
 * ```
 */
export function describeError(error: CombatError, rows?: RowContext): string {
  const where: string[] = [];
  if (rows !== undefined && (error.sample !== undefined || error.feature !== undefined)) {
    if (error.sample !== undefined) where.push(describeRow(error.sample, rows));
    if (error.feature !== undefined) where.push(rows.features?.[error.feature] === undefined ? `feature ${error.feature + 1}` : `column "${rows.features[error.feature]}"`);
    where[0] = `${rows.source}: ${where[0]}`;
  } else {
    if (error.sample !== undefined) where.push(`sample ${error.sample + 1}`);
    if (error.feature !== undefined) where.push(`feature ${error.feature + 1}`);
  }
  // A remedy with no flag (a library-only option) is left unsaid rather than given in library words.
  const flags = Object.entries(error.remedy ?? {}).flatMap(([option, value]) => FLAGS[option]?.(value) ?? []);
  return `${where.length > 0 ? `${where.join(', ')}: ` : ''}${error.detail}${flags.length > 0 ? `; use ${flags.join(' ')}` : ''}`;
}

/**
 * A row of the input as a person reads it: `row 4 (subject "s3")`, 1-based.
 *
 * @example
 * ```ts
 * describeRow(3, { source: 'rois.csv', idColumn: 'subject', ids: ['s0', 's1', 's2', 's3'] }); // 'row 4 (subject "s3")'
 * ```
 */
export function describeRow(sample: number, rows: RowContext): string {
  const id = rows.ids?.[sample];
  return `row ${sample + 1}${id === undefined || id === null ? '' : ` (${rows.idColumn ?? 'id'} ${JSON.stringify(id)})`}`;
}

/**
 * Runs a library call whose samples are the rows of `rows.source`, rewording its errors with
 * {@link describeError} as a {@link DataError}.
 *
 * @example
 * ```ts
 * const result = inRows(rows, () => harmonize(matrix, covariates, options));
 * ```
 */
export function inRows<T>(rows: RowContext, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw reword(error, rows);
  }
}

/**
 * {@link inRows} for asynchronous work, such as a streaming volume fit whose samples are the rows
 * of the covariates table.
 *
 * @example
 * ```ts
 * await inRowsAsync(rows, () => adjustVolumes(estimates, volumes, covars, options, sink));
 * ```
 */
export async function inRowsAsync<T>(rows: RowContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw reword(error, rows);
  }
}

function reword(error: unknown, rows: RowContext): unknown {
  if (error instanceof CombatError && (error.sample !== undefined || error.feature !== undefined || error.remedy !== undefined)) {
    return new DataError(describeError(error, rows));
  }
  return error;
}
