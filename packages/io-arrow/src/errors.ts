import { CombatError } from '@combat/core';

/**
 * A table that cannot be read or used: unparsable CSV, a broken Arrow file, an unknown extension,
 * a missing column (the message lists the columns that exist), a non-numeric cell where numbers
 * are needed (with its row and column). Model files raise core's `ModelFormatError`.
 *
 * @example
 * ```ts
 * try { await readTable('data.xlsx'); }
 * catch (e) { if (e instanceof TableFormatError) console.error(e.message); }
 * ```
 */
export class TableFormatError extends CombatError {
  readonly code = 'TABLE_FORMAT' as const;
}
