import { CombatError } from '@combat/base';

/**
 * A table that cannot be used: unparsable CSV, a broken Arrow file, a missing column (the message
 * lists the columns that exist), a missing or non-numeric cell where a value or a number is
 * needed (with its row and column). A file that cannot be read at all is `@combat/base`'s
 * `InputReadError`; a model file that is not one, core's `ModelFormatError`; an argument of the
 * wrong type (an unknown table extension included), `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * const error = (() => {
 *   try {
 *     return requireColumn(table, 'scanner');
 *   } catch (thrown) {
 *     return thrown;
 *   }
 * })();
 * error instanceof TableFormatError; // true
 * (error as TableFormatError).code; // 'TABLE_FORMAT'
 * (error as TableFormatError).message; // 'data.csv: column "scanner" not found; columns are subject, site, sex, age, lh_x, lh_y, rh_x'
 * ```
 */
export class TableFormatError extends CombatError {
  override readonly name = 'TableFormatError' as const;
  readonly code = 'TABLE_FORMAT' as const;
}

/**
 * A statistics file that cannot be used: bytes that are not an Arrow IPC statistics file, a file
 * changed after it was written (its checksum), another format or format version, missing, extra
 * or ill-typed fields and columns, or sums no accumulator produces. The message starts with the
 * file's name and names the field; a model file given where statistics belong says so.
 *
 * @example
 * ```ts
 * const error = (() => {
 *   try {
 *     return decodeStatisticsFile(modelBytes, { source: 'model.arrow' });
 *   } catch (thrown) {
 *     return thrown;
 *   }
 * })();
 * error instanceof StatisticsFormatError; // true
 * (error as StatisticsFormatError).code; // 'STATISTICS_FORMAT'
 * (error as StatisticsFormatError).message; // 'model.arrow: a ComBat model file, not a statistics file: a fitted model is applied, not merged'
 * ```
 */
export class StatisticsFormatError extends CombatError {
  override readonly name = 'StatisticsFormatError' as const;
  readonly code = 'STATISTICS_FORMAT' as const;
}
