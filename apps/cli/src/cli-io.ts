/**
 * Where the command writes: standard output for results, standard error for warnings, errors and
 * the progress bar (shown only when standard error is a terminal).
 */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/**
 * A mistake in how the command was called (exit code 2), as opposed to a problem with the data
 * (exit code 1).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A problem with the command's outputs (exit code 1): an output that is an input, two outputs that
 * are one file, an existing file without `--overwrite`, a missing output folder.
 */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/**
 * A problem with the data, worded for the command line (exit code 1): core and reader errors
 * translated to files, rows, column names and flags.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
}
