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
 * throw new UsageError('--features and --exclude cannot be used together');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Writes a result's warnings to standard error, one line each.
 *
 * @example
 * ```ts
 * reportWarnings(io, result.warnings);
 * ```
 */
export function reportWarnings(io: CliIo, warnings: readonly { readonly message: string }[]): void {
  for (const warning of warnings) io.stderr.write(`combat: warning: ${warning.message}\n`);
}
