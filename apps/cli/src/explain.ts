import { CombatError } from '@combat/core';
import { describeRow, type Table } from '@combat/io-arrow';
import { DataError, UsageError } from './cli-io.js';

/**
 * What the samples and features of a library call are on the command line: the rows of `table`
 * (its `source` names the file, `idColumn` each row), each feature's column name, and, for
 * volume commands, the source each sample's volume has in the library's own messages.
 */
export interface RowContext {
  readonly table: Table;
  readonly idColumn?: string;
  readonly features?: readonly string[];
  readonly volumes?: readonly string[];
  /** The batch column and the reference batch of a fit (`--batch`, `--ref-batch`), to name them in its errors. */
  readonly batches?: { readonly column: string; readonly refBatch?: string };
}

/** Library options that avoid or accept a condition, as the flags that set them. */
const FLAGS: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  eb: (value) => (value === false ? '--no-eb' : undefined),
  parametric: (value) => (value === false ? '--non-parametric' : undefined),
  meanOnly: (value) => (value === true ? '--mean-only' : undefined),
  allowAffineMismatch: (value) => (value === true ? '--allow-affine-mismatch' : undefined),
  dtype: (value) => (typeof value === 'string' ? `--dtype ${value}` : undefined),
  newBatches: (value) => (value === 'estimate' ? '--estimate-new-batches' : undefined),
};

/**
 * An error of the `@combat/*` packages in the command's words: its location as a file row (1-based,
 * with the row's id) and a column name when `rows` says what the samples and features are, and its
 * remedy as flags (`--no-eb` for `{ eb: false }`). A volume the detail already names in front is
 * left to the row, so the file is named once.
 */
export function describeError(error: CombatError, rows?: RowContext): string {
  const where: string[] = [];
  let { detail } = error;
  if (rows !== undefined && (error.sample !== undefined || error.feature !== undefined)) {
    if (error.sample !== undefined) {
      const { table, idColumn } = rows;
      where.push(error.sample < table.rows ? describeRow(table, error.sample, { idColumn }) : `sample ${error.sample + 1}`);
      const volume = rows.volumes?.[error.sample];
      if (volume !== undefined && detail.startsWith(`${volume}: `)) detail = detail.slice(volume.length + 2);
    }
    if (error.feature !== undefined) where.push(rows.features?.[error.feature] === undefined ? `feature ${error.feature + 1}` : `column "${rows.features[error.feature]}"`);
    where[0] = `${rows.table.source}: ${where[0]}`;
  } else {
    if (error.sample !== undefined) where.push(`sample ${error.sample + 1}`);
    if (error.feature !== undefined) where.push(`feature ${error.feature + 1}`);
  }
  // A remedy with no flag (a library-only option) is left unsaid rather than given in library words.
  const flags = Object.entries(error.remedy ?? {}).flatMap(([option, value]) => FLAGS[option]?.(value) ?? []);
  return `${where.length > 0 ? `${where.join(', ')}: ` : ''}${detail}${flags.length > 0 ? `; use ${flags.join(' ')}` : ''}`;
}

/**
 * Runs a library call whose samples are the rows of `rows.table`, rewording its errors with
 * {@link describeError} as a {@link DataError}.
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
 */
export async function inRowsAsync<T>(rows: RowContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw reword(error, rows);
  }
}

function reword(error: unknown, rows: RowContext): unknown {
  // A fit's batches as a whole: where they came from, in the command's words.
  if (error instanceof CombatError && rows.batches !== undefined && error.sample === undefined) {
    if (error.code === 'UNKNOWN_BATCH' && rows.batches.refBatch !== undefined) return new UsageError(`--ref-batch ${rows.batches.refBatch}: ${error.detail}`);
    if (error.code === 'TOO_FEW_BATCHES') return new DataError(`${rows.table.source}: column "${rows.batches.column}" (--batch): ${error.detail}`);
  }
  if (error instanceof CombatError && (error.sample !== undefined || error.feature !== undefined || error.remedy !== undefined)) {
    return new DataError(describeError(error, rows));
  }
  return error;
}
