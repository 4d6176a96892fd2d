import type { Table } from '@combat/io-arrow';
import { UsageError } from './cli-io.js';

/**
 * The feature columns `--features` names, less those `--exclude` names, in table order. Each
 * pattern is a column name, a glob (`lh_*`, `?` for one character) or a range of columns in
 * table order (`first:last`, inclusive); a name that exists as a column is always that column.
 * Every pattern must match something; a feature may not be the id, the batch or a covariate
 * (`reserved`, column name to its flag).
 */
export function selectFeatures(table: Table, features: readonly string[], exclude: readonly string[], reserved: ReadonlyMap<string, string>): string[] {
  const chosen = new Set(features.flatMap((pattern) => matchColumns(table, pattern, '--features')));
  for (const name of exclude.flatMap((pattern) => matchColumns(table, pattern, '--exclude'))) chosen.delete(name);
  const names = table.names.filter((name) => chosen.has(name));
  const roles = names.filter((name) => reserved.has(name));
  if (roles.length > 0) {
    throw new UsageError(
      `--features includes ${roles.map((name) => `"${name}" (given as ${reserved.get(name)})`).join(', ')}; a column is a feature or has another role, not both (leave it out with --exclude)`,
    );
  }
  if (names.length === 0) throw new UsageError('--features and --exclude leave no feature columns');
  return names;
}

/**
 * The usage error for a table command run without `--features`: it lists the numeric columns that
 * are not the id, the batch or a covariate as a `--features` flag ready to paste, leaving out
 * columns that look like identifiers (every value a distinct whole number) and saying so, and
 * names the columns that hold numbers in some rows only (with the first cell that is not one).
 */
export function featuresNeeded(table: Table, reserved: ReadonlyMap<string, string>): UsageError {
  const candidates = table.names.filter((name) => !reserved.has(name));
  const numeric = candidates.filter((name) => table.columns.get(name)?.numbers != null);
  const identifiers = numeric.filter((name) => looksLikeIdentifier(table.columns.get(name)?.numbers as Float64Array));
  const offered = numeric.filter((name) => !identifiers.includes(name));
  const lines = ['name the feature columns to harmonize with --features (names, globs such as lh_*, or ranges first:last).'];
  if (offered.length === 0) {
    lines.push(`${table.source} has no numeric column to offer besides ${[...reserved.keys()].join(', ')}.`);
  } else {
    lines.push(`The numeric columns of ${table.source} besides the id, batch and covariates (${offered.length}):`, `  --features ${compactList(table.names, new Set(offered))}`);
  }
  if (identifiers.length > 0) {
    lines.push(`Left out: ${identifiers.join(', ')}, where every value is a distinct whole number, as in an identifier (name it with --id; add it to --features only if it is a measurement).`);
  }
  for (const name of candidates) {
    const cells = table.columns.get(name)?.cells ?? [];
    if (table.columns.get(name)?.numbers != null) continue;
    const numbers = cells.filter((cell) => cell !== null && Number.isFinite(Number(cell))).length;
    const row = cells.findIndex((cell) => cell !== null && !Number.isFinite(Number(cell)));
    if (numbers > 0 && numbers >= cells.length / 2) {
      lines.push(`Not offered: "${name}" is numeric except at row ${row + 1}, ${JSON.stringify(cells[row])}; fix that cell to use it.`);
    }
  }
  return new UsageError(lines.join('\n'));
}

/** The columns one pattern names. */
function matchColumns(table: Table, pattern: string, flag: string): string[] {
  if (table.columns.has(pattern)) return [pattern];
  if (/[*?]/.test(pattern)) {
    const glob = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'u');
    const names = table.names.filter((name) => glob.test(name));
    if (names.length === 0) throw new UsageError(`${flag} ${pattern}: no column of ${table.source} matches`);
    return names;
  }
  const ranges = [...pattern.matchAll(/:/g)]
    .map((m) => [pattern.slice(0, m.index), pattern.slice((m.index as number) + 1)] as const)
    .filter(([first, last]) => table.columns.has(first) && table.columns.has(last));
  if (ranges.length > 1) throw new UsageError(`${flag} ${pattern}: ambiguous range; it splits into columns more than one way`);
  if (ranges.length === 1) {
    const [first, last] = ranges[0] as readonly [string, string];
    const [from, to] = [table.names.indexOf(first), table.names.indexOf(last)];
    if (from > to) throw new UsageError(`${flag} ${pattern}: "${first}" comes after "${last}" in ${table.source}; write the range in table order`);
    return table.names.slice(from, to + 1);
  }
  throw new UsageError(`${flag} ${pattern}: ${table.source} has no such column${pattern.includes(':') ? ' or range of columns' : ''}; columns are ${abbreviate(table.names)}`);
}

/** The chosen columns as the shortest flag value: runs of three or more adjacent columns as ranges. */
function compactList(names: readonly string[], chosen: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (let at = 0; at < names.length; ) {
    if (!chosen.has(names[at] as string)) {
      at++;
      continue;
    }
    let end = at;
    while (end + 1 < names.length && chosen.has(names[end + 1] as string)) end++;
    const run = names.slice(at, end + 1);
    parts.push(...(run.length >= 3 ? [`${run[0]}:${run.at(-1)}`] : run));
    at = end + 1;
  }
  const value = parts.join(',');
  return /^[\w.,:+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function looksLikeIdentifier(values: Float64Array): boolean {
  return values.length > 2 && values.every(Number.isInteger) && new Set(values).size === values.length;
}

function abbreviate(names: readonly string[]): string {
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, ... (${names.length} in all)`;
}
