/**
 * The error classes every `@combat/*` package builds on. Each class has a literal `name` and
 * `code`, so they survive minifying bundlers and can be told apart without `instanceof` across
 * copies of a package; each message says what was expected, what was found, and where.
 */

import { formatMessage } from './reword.js';

/**
 * Where an error arose in the caller's arrays, and which options would avoid it. Indices are
 * 0-based positions in the arrays the caller passed; an application that knows what they stand
 * for (a file's row, a column's name) can say so in its own words from these fields.
 *
 * @example
 * ```ts
 * const context: ErrorContext = { sample: 3, feature: 7, remedy: { eb: false } };
 * new InvalidArgumentError('too few', context).message; // 'sample 3, feature 7: too few; use { eb: false }'
 * ```
 */
export interface ErrorContext {
  /** The sample (row of the data matrix, entry of the covariate arrays). */
  readonly sample?: number;
  /** The feature (column of the data matrix). */
  readonly feature?: number;
  /** Options of the call that would avoid or accept the condition, e.g. `{ eb: false }`. */
  readonly remedy?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every error the `@combat/*` packages throw on purpose. `message` is `detail`
 * prefixed with the location (`sample 3, feature 7: `) and followed by the remedy
 * (`; use { eb: false }`); the parts are kept as fields for applications that word them
 * differently.
 *
 * @example
 * ```ts
 * const error: CombatError = new InvalidArgumentError('expected a number', { sample: 2 });
 * [error.name, error.code, error.sample, error.detail]; // ['InvalidArgumentError', 'INVALID_ARGUMENT', 2, 'expected a number']
 * ```
 */
export abstract class CombatError extends Error {
  /** The class's name, as a literal (minifiers rename classes, not strings). */
  abstract override readonly name: string;
  /** A stable code for the kind of error, e.g. `'INVALID_ARGUMENT'`. */
  abstract readonly code: string;
  /** What went wrong, without the location and the remedy. */
  readonly detail: string;
  // Declared only, so an error without a location has no `sample` property at all.
  declare readonly sample?: number;
  declare readonly feature?: number;
  declare readonly remedy?: Readonly<Record<string, unknown>>;

  constructor(detail: string, context: ErrorContext = {}) {
    super(formatMessage(detail, context));
    this.detail = detail;
    if (context.sample !== undefined) Object.defineProperty(this, 'sample', { value: context.sample, enumerable: true });
    if (context.feature !== undefined) Object.defineProperty(this, 'feature', { value: context.feature, enumerable: true });
    if (context.remedy !== undefined) Object.defineProperty(this, 'remedy', { value: context.remedy, enumerable: true });
  }
}

/**
 * An argument of the wrong kind, in any package: undefined or null where an object or array is
 * needed, a value of the wrong type, an option that is not one of its allowed values. The message
 * names the function or the argument.
 *
 * @example
 * ```ts
 * new InvalidArgumentError('options.level: expected an integer from 0 to 9; received 12').code; // 'INVALID_ARGUMENT'
 * ```
 */
export class InvalidArgumentError extends CombatError {
  override readonly name = 'InvalidArgumentError' as const;
  readonly code = 'INVALID_ARGUMENT' as const;
}

/**
 * A write refused because its path is one of the inputs (after resolving links), by any writer
 * of any package or application. `path` is the output asked for, `input` the input it would
 * replace, and `role` (optional) what the output is for, e.g. a command-line flag.
 *
 * @example
 * ```ts
 * new InputOverwriteError('out.csv', 'data.csv').message; // 'refusing to write out.csv: it is an input (data.csv); choose another output path'
 * new InputOverwriteError('data.csv', 'data.csv', '--out').message; // 'refusing to write data.csv (--out): it is an input (data.csv); choose another output path'
 * ```
 */
export class InputOverwriteError extends CombatError {
  override readonly name = 'InputOverwriteError' as const;
  readonly code = 'INPUT_OVERWRITE' as const;
  constructor(
    /** The output path asked for. */
    readonly path: string,
    /** The input it resolves to. */
    readonly input: string,
    /** What the output is for, named in the message when given. */
    readonly role?: string,
  ) {
    super(`refusing to write ${path}${role === undefined ? '' : ` (${role})`}: it is an input (${input}); choose another output path`);
  }
}

/**
 * An input that cannot be read (a missing file, a folder, no permission), by any reader of any
 * package or application: not a format error, since nothing of its content was seen. `path` is
 * the input, and `cause` the error the system gave.
 *
 * @example
 * ```ts
 * const cause = new Error("ENOENT: no such file or directory, open 'data.csv'");
 * const error = new InputReadError('data.csv', cause);
 * error.message; // "data.csv: cannot be read: ENOENT: no such file or directory, open 'data.csv'"
 * [error.code, error.path, error.cause === cause]; // ['INPUT_READ', 'data.csv', true]
 * ```
 */
export class InputReadError extends CombatError {
  override readonly name = 'InputReadError' as const;
  readonly code = 'INPUT_READ' as const;
  constructor(
    /** The input that cannot be read. */
    readonly path: string,
    /** Why: the error reading it gave (as the standard `cause`). */
    cause: unknown,
  ) {
    super(`${path}: cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`);
    // As `new Error(message, { cause })` sets it: not enumerable.
    Object.defineProperty(this, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  }
}
