/**
 * Where the command writes: standard output for results, standard error for warnings, errors and
 * the progress bar (shown only when standard error is a terminal).
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr };
 * ```
 */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/**
 * A mistake in how the command was called (exit code 2), as opposed to a problem with the data
 * (exit code 1).
 *
 * @example
 * ```ts
 * throw new UsageError('--covars needs --id COLUMN');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A problem with the command's outputs (exit code 1): an output that is an input, two outputs that
 * are one file, an existing file without `--overwrite`, a missing output folder.
 *
 * @example
 * ```ts
 * throw new OutputError('out.csv (--out) exists; choose another path, or pass --overwrite to replace it');
 * ```
 */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/**
 * A problem with the data, worded for the command line (exit code 1): core and reader errors
 * translated to files, rows, column names and flags.
 *
 * @example
 * ```ts
 * throw new DataError('rois.csv: row 4 (subject "s3"), column "lh_x": value is Infinity; expected a finite number or a missing cell');
 * ```
 */
export class DataError extends Error {
  override readonly name = 'DataError';
}
