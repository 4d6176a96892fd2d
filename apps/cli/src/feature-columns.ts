import type { Table } from '@combat/io-arrow';
import type { TableChunks } from '@combat/io-arrow/node';
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
 * Reads the table in one pass over its chunks.
 */
export async function featuresNeeded(file: TableChunks, reserved: ReadonlyMap<string, string>): Promise<UsageError> {
  const candidates = file.names.filter((name) => !reserved.has(name));
  const facts = await describeColumns(file, candidates);
  const numeric = candidates.filter((name) => facts.get(name)?.numeric === true);
  const identifiers = numeric.filter((name) => facts.get(name)?.identifier === true);
  const offered = numeric.filter((name) => !identifiers.includes(name));
  const lines = ['name the feature columns to harmonize with --features (names, globs such as lh_*, or ranges first:last).'];
  if (offered.length === 0) {
    lines.push(`${file.source} has no numeric column to offer besides ${[...reserved.keys()].join(', ')}.`);
  } else {
    lines.push(`The numeric columns of ${file.source} besides the id, batch and covariates (${offered.length}):`, `  --features ${compactList(file.names, new Set(offered))}`);
  }
  if (identifiers.length > 0) {
    lines.push(`Left out: ${identifiers.join(', ')}, where every value is a distinct whole number, as in an identifier (name it with --id; add it to --features only if it is a measurement).`);
  }
  for (const name of candidates) {
    const { numeric: isNumeric, numbers, rows, firstText } = facts.get(name) as ColumnFacts;
    if (isNumeric) continue;
    if (numbers > 0 && numbers >= rows / 2) {
      lines.push(`Not offered: "${name}" is numeric except at row ${(firstText?.row ?? -1) + 1}, ${JSON.stringify(firstText?.cell)}; fix that cell to use it.`);
    }
  }
  return new UsageError(lines.join('\n'));
}

/** What {@link featuresNeeded} says of a column, gathered chunk by chunk. */
interface ColumnFacts {
  /** Every present cell a number. */
  numeric: boolean;
  /** Numeric, more than two rows, and every value a distinct whole number (decided once every row is seen). */
  identifier: boolean;
  /** The values seen while the column may be an identifier. */
  seen: Set<number> | null;
  /** Rows, and cells that read as finite numbers. */
  rows: number;
  numbers: number;
  /** The first cell that does not read as a finite number (its 0-based row in the file). */
  firstText: { row: number; cell: string } | null;
}

/** Distinct values held to tell identifiers, over all columns: beyond it a column is not taken for one. */
const IDENTIFIER_VALUES = 1 << 22;

async function describeColumns(file: TableChunks, names: readonly string[]): Promise<Map<string, ColumnFacts>> {
  const facts = new Map<string, ColumnFacts>(names.map((name) => [name, { numeric: true, identifier: true, seen: new Set(), rows: 0, numbers: 0, firstText: null }]));
  let held = 0;
  for await (const chunk of file.chunks({ columns: names })) {
    const first = chunk.firstRow ?? 0;
    for (const [name, column] of chunk.columns) {
      const fact = facts.get(name) as ColumnFacts;
      fact.rows += chunk.rows;
      if (column.numbers !== null) {
        for (const x of column.numbers) {
          if (x === x) fact.numbers++;
          if (fact.seen === null) continue;
          if (Number.isInteger(x) && !fact.seen.has(x) && held < IDENTIFIER_VALUES) {
            fact.seen.add(x);
            held++;
          } else {
            fact.seen = null;
            fact.identifier = false;
          }
        }
        continue;
      }
      fact.numeric = false;
      fact.identifier = false;
      fact.seen = null;
      column.cells.forEach((cell, row) => {
        if (cell === null) return;
        if (Number.isFinite(Number(cell))) fact.numbers++;
        else fact.firstText ??= { row: first + row, cell };
      });
    }
  }
  for (const fact of facts.values()) fact.identifier &&= fact.rows > 2;
  return facts;
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

function abbreviate(names: readonly string[]): string {
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, ... (${names.length} in all)`;
}
