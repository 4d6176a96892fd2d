import { CombatError } from '@combat/core';
import { describeRow, TableFormatError, type Table } from '@combat/io-arrow';
import type { Field, FieldProblem } from './protocol.js';
import { FileError } from './table-file.js';

/** A problem known to concern one control of the page. */
export class FieldError extends Error {
  override readonly name = 'FieldError';

  constructor(
    readonly field: Field,
    message: string,
  ) {
    super(message);
  }
}

/** The samples and features of a library call, as the page names them: rows of the data table, feature columns. */
export interface RowContext {
  readonly table: Table;
  readonly idColumn?: string;
  readonly features: readonly string[];
}

/** Library options that avoid a condition, as the page's controls (and the CLI's flags) that set them. */
const CONTROLS: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  eb: (value) => (value === false ? '"No empirical Bayes" (--no-eb)' : undefined),
  parametric: (value) => (value === false ? '"Non-parametric" (--non-parametric)' : undefined),
  meanOnly: (value) => (value === true ? '"Mean only" (--mean-only)' : undefined),
  newBatches: (value) => (value === 'estimate' ? '"Estimate new batches" (--estimate-new-batches)' : undefined),
  dtype: (value) => (typeof value === 'string' ? `"Write ${value}" (--dtype ${value})` : undefined),
};

/**
 * A library error in the CLI's words (its `describeError`): the sample as a row of the file with
 * its id, the feature as its column name, and the remedy as the control (and flag) that sets it.
 */
export function describeError(error: CombatError, rows: RowContext): string {
  const where: string[] = [];
  if (error.sample !== undefined) where.push(error.sample < rows.table.rows ? describeRow(rows.table, error.sample, { idColumn: rows.idColumn }) : `sample ${error.sample + 1}`);
  if (error.feature !== undefined) where.push(rows.features[error.feature] === undefined ? `feature ${error.feature + 1}` : `column "${rows.features[error.feature]}"`);
  if (where.length > 0) where[0] = `${rows.table.source}: ${where[0]}`;
  const remedies = Object.entries(error.remedy ?? {}).flatMap(([option, value]) => CONTROLS[option]?.(value) ?? []);
  return `${where.length > 0 ? `${where.join(', ')}: ` : ''}${error.detail}${remedies.length > 0 ? `; use ${remedies.join(' and ')}` : ''}`;
}

/**
 * Runs a step of a run, turning what it throws into a problem next to `field` (a {@link FieldError}
 * keeps its own field; a library error is worded by {@link describeError} when `rows` is given).
 */
export function inField<T>(field: Field, work: () => T, rows?: RowContext): T {
  try {
    return work();
  } catch (error) {
    throw asProblem(error, field, rows);
  }
}

/** What the page shows of an error thrown at `field`. */
export function asProblem(error: unknown, field: Field, rows?: RowContext): FieldError {
  if (error instanceof FieldError) return error;
  if (error instanceof FileError) return new FieldError(field, error.message);
  if (error instanceof CombatError) {
    const message = rows !== undefined && !(error instanceof TableFormatError) ? describeError(error, rows) : error.message;
    return new FieldError(rows !== undefined && error.feature !== undefined ? 'features' : field, message);
  }
  return new FieldError(field, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

/** A problem as the worker sends it. */
export function toProblem(error: FieldError): FieldProblem {
  return { field: error.field, message: error.message };
}
