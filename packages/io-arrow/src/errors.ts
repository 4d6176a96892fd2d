import { CombatError } from '@combat/base';

/**
 * A table that cannot be read or used: unparsable CSV, a broken Arrow file, a file that cannot be
 * read, a missing column (the message lists the columns that exist), a missing or non-numeric
 * cell where a value or a number is needed (with its row and column). Model files raise core's
 * `ModelFormatError`; arguments of the wrong type, `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * const error = await readTable('scans.xlsx').catch((thrown: unknown) => thrown);
 * error instanceof TableFormatError; // true
 * (error as TableFormatError).code; // 'TABLE_FORMAT'
 * (error as TableFormatError).message; // 'scans.xlsx: unknown table extension ".xlsx"; expected .csv, .tsv, .arrow or .feather'
 * ```
 */
export class TableFormatError extends CombatError {
  override readonly name = 'TableFormatError' as const;
  readonly code = 'TABLE_FORMAT' as const;
}
