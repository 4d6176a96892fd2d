import type { CombatOptions } from '@combat/core';
import type { CovariateColumns } from '@combat/io-arrow';
import { UsageError } from './cli-io.js';

/**
 * The covariate and mode flags shared by `harmonize` and `harmonize-volumes`, as commander
 * parses them.
 */
export interface ModelFlags {
  readonly batch: string;
  readonly categorical?: string[];
  readonly continuous?: string[];
  /** `COL` or `COL:DF` entries of `--spline` (DF defaults to 4). */
  readonly spline?: string[];
  readonly refBatch?: string;
  readonly meanOnly?: boolean;
  readonly nonParametric?: boolean;
  readonly eb?: boolean;
}

/**
 * The flags every command that writes files takes.
 */
export interface OutputFlags {
  /** Replace output files that already exist (never an input). */
  readonly overwrite?: boolean;
  /** No summary and no progress bar; warnings and errors still go to standard error. */
  readonly quiet?: boolean;
}

/**
 * Splits a comma-separated flag value (`--categorical sex,dx`) into names.
 */
export function commaList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw new UsageError(`"${value}" has an empty name; expected names separated by commas`);
  return names;
}

/**
 * A repeatable flag's values so far and this one, comma-separated (`--spline age:4 --spline icv`
 * or `--spline age:4,icv`).
 */
export function collectList(value: string, previous: string[]): string[] {
  return [...previous, ...commaList(value)];
}

/**
 * The ComBat options the mode flags ask for.
 */
export function combatOptions(flags: ModelFlags): CombatOptions {
  const splines = splineFlags(flags);
  return {
    eb: flags.eb ?? true,
    parametric: !flags.nonParametric,
    meanOnly: flags.meanOnly ?? false,
    refBatch: flags.refBatch ?? null,
    ...(splines.size === 0 ? {} : { splines: Object.fromEntries([...splines].map(([name, df]) => [name, { df }])) }),
  };
}

/**
 * The `--spline COL[:DF]` entries as degrees of freedom by column (DF a whole number of at least 1,
 * 4 when absent).
 */
export function splineFlags(flags: ModelFlags): Map<string, number> {
  const splines = new Map<string, number>();
  for (const entry of flags.spline ?? []) {
    const colon = entry.lastIndexOf(':');
    const name = colon < 0 ? entry : entry.slice(0, colon);
    const df = colon < 0 ? '4' : entry.slice(colon + 1);
    if (name === '' || !/^[1-9]\d*$/.test(df)) throw new UsageError(`--spline ${entry}: expected COLUMN or COLUMN:DF with DF a whole number of at least 1`);
    if (splines.has(name)) throw new UsageError(`--spline names column "${name}" twice; give each spline once`);
    splines.set(name, Number(df));
  }
  return splines;
}

/**
 * The columns the flags give a role (the id, the batch, each covariate), mapped to the flag that
 * names them. A column named by two flags is a usage error.
 */
export function flagOfColumn(flags: ModelFlags, idColumn?: string): Map<string, string> {
  const roles = new Map<string, string>();
  const named: [string | undefined, string][] = [
    [idColumn, '--id'],
    [flags.batch, '--batch'],
    ...(flags.categorical ?? []).map((name): [string, string] => [name, '--categorical']),
    ...(flags.continuous ?? []).map((name): [string, string] => [name, '--continuous']),
    ...[...splineFlags(flags).keys()].map((name): [string, string] => [name, '--spline']),
  ];
  for (const [name, flag] of named) {
    if (name === undefined) continue;
    const earlier = roles.get(name);
    if (earlier !== undefined) throw new UsageError(`column "${name}" is given both as ${earlier} and as ${flag}; give each column one role`);
    roles.set(name, flag);
  }
  return roles;
}

/**
 * The batch column and the reference batch, as a fit's errors name them (see `RowContext`).
 */
export function batchFlags(flags: ModelFlags): { column: string; refBatch?: string } {
  return { column: flags.batch, ...(flags.refBatch === undefined ? {} : { refBatch: flags.refBatch }) };
}

/**
 * The batch and covariate columns the flags name (the id column is apart: `--id`, `--image-column`).
 */
export function covariateColumns(flags: ModelFlags): CovariateColumns {
  // A spline's column is a continuous covariate; the model keeps its knots.
  return { batch: flags.batch, categorical: flags.categorical ?? [], continuous: [...(flags.continuous ?? []), ...splineFlags(flags).keys()] };
}
