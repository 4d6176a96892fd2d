import type { CombatOptions, SplineOptions } from '@combat/core';
import type { CovariateColumns } from '@combat/io-arrow';
import { UsageError } from './cli-io.js';

/**
 * The batch and covariate flags of `harmonize`, `harmonize-volumes` and `fit-partial`, as
 * commander parses them.
 */
export interface CovariateFlags {
  readonly batch: string;
  readonly categorical?: string[];
  readonly continuous?: string[];
  /** `COL`, `COL:DF` (DF defaults to 4) or `COL:knots=K1,K2:boundary=LOW,HIGH` entries of `--spline`. */
  readonly spline?: string[];
}

/**
 * The mode flags of `harmonize`, `harmonize-volumes` and `merge`, as commander parses them.
 */
export interface ModeFlags {
  readonly refBatch?: string;
  readonly meanOnly?: boolean;
  readonly nonParametric?: boolean;
  readonly eb?: boolean;
}

/**
 * The covariate and mode flags shared by `harmonize` and `harmonize-volumes`.
 */
export interface ModelFlags extends CovariateFlags, ModeFlags {}

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
 * A repeatable `--spline` flag's values so far and this one, comma-separated like
 * {@link collectList}, except within an entry's knots: from `knots=` to the second value after
 * `boundary=`, commas separate knots (`--spline age:knots=40,55,70:boundary=20,90,icv:3` is two
 * entries).
 */
export function collectSplines(value: string, previous: string[]): string[] {
  const entries = [...previous];
  let open = false;
  for (const part of value.split(',')) {
    if (open) entries[entries.length - 1] += `,${part}`;
    else entries.push(...commaList(part));
    const entry = entries.at(-1) as string;
    const boundary = /:boundary=(.*)$/.exec(entry);
    open = boundary === null ? /:knots=/.test(entry) : (boundary[1] as string).split(',').length < 2;
  }
  return entries;
}

/**
 * The ComBat options the mode flags ask for.
 */
export function modeOptions(flags: ModeFlags): CombatOptions {
  return { eb: flags.eb ?? true, parametric: !flags.nonParametric, meanOnly: flags.meanOnly ?? false, refBatch: flags.refBatch ?? null };
}

/**
 * The ComBat options the mode and spline flags ask for.
 */
export function combatOptions(flags: ModelFlags): CombatOptions {
  const splines = splineFlags(flags);
  return { ...modeOptions(flags), ...(splines.size === 0 ? {} : { splines: Object.fromEntries(splines) }) };
}

/**
 * The `--spline` entries as spline options by column: `COL[:DF]` gives `{ df }` (DF a whole number
 * of at least 1, 4 when absent); `COL:knots=K1,K2,...:boundary=LOW,HIGH` gives explicit interior
 * and boundary knots (numbers; the interior ones may be none, `knots=`).
 */
export function splineFlags(flags: CovariateFlags): Map<string, SplineOptions> {
  const splines = new Map<string, SplineOptions>();
  for (const entry of flags.spline ?? []) {
    const [name, spline] = /:(knots|boundary)=/.test(entry) ? parseKnots(entry) : parseDf(entry);
    if (splines.has(name)) throw new UsageError(`--spline names column "${name}" twice; give each spline once`);
    splines.set(name, spline);
  }
  return splines;
}

function parseDf(entry: string): [string, SplineOptions] {
  const colon = entry.lastIndexOf(':');
  const name = colon < 0 ? entry : entry.slice(0, colon);
  const df = colon < 0 ? '4' : entry.slice(colon + 1);
  if (name === '' || !/^[1-9]\d*$/.test(df)) throw new UsageError(`--spline ${entry}: expected COLUMN or COLUMN:DF with DF a whole number of at least 1`);
  return [name, { df: Number(df) }];
}

function parseKnots(entry: string): [string, SplineOptions] {
  const match = /^(.+):knots=([^:]*):boundary=([^:]*)$/.exec(entry);
  const numbers = (list: string) => (list.trim() === '' ? [] : list.split(',').map((text) => (/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN)));
  const knots = numbers(match?.[2] ?? '');
  const boundary = numbers(match?.[3] ?? '');
  if (match === null || !knots.every(Number.isFinite) || boundary.length !== 2 || !boundary.every(Number.isFinite)) {
    throw new UsageError(`--spline ${entry}: expected COLUMN:knots=K1,K2,...:boundary=LOW,HIGH with numbers for the interior knots and the two boundary knots`);
  }
  const all = [boundary[0] as number, ...knots, boundary[1] as number];
  if (all.some((knot, k) => k > 0 && !(knot > (all[k - 1] as number)))) {
    throw new UsageError(`--spline ${entry}: expected the interior knots strictly ascending and strictly between the boundary knots, LOW below HIGH`);
  }
  return [match[1] as string, { knots, boundaryKnots: boundary as [number, number] }];
}

/**
 * The columns the flags give a role (the id, the batch, each covariate), mapped to the flag that
 * names them. A column named by two flags is a usage error.
 */
export function flagOfColumn(flags: CovariateFlags, idColumn?: string): Map<string, string> {
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
export function batchFlags(flags: CovariateFlags & ModeFlags): { column: string; refBatch?: string } {
  return { column: flags.batch, ...(flags.refBatch === undefined ? {} : { refBatch: flags.refBatch }) };
}

/**
 * The batch and covariate columns the flags name (the id column is apart: `--id`, `--image-column`).
 */
export function covariateColumns(flags: CovariateFlags): CovariateColumns {
  // A spline's column is a continuous covariate; the model keeps its knots.
  return { batch: flags.batch, categorical: flags.categorical ?? [], continuous: [...(flags.continuous ?? []), ...splineFlags(flags).keys()] };
}
