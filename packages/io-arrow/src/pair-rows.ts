import { checkString } from '@combat/base/internal';
import { TableFormatError } from './errors.js';
import { describeRow, requireColumn, type Column, type Table } from './table.js';

/**
 * The cells of a table's id column, each present and unique; a missing or repeated id is an error
 * naming the table, the row and the id.
 *
 * @throws {@link TableFormatError} when the table has no column `idColumn`, or an id is missing or
 * repeated.
 * @example
 * ```ts
 * uniqueIds(table, 'subject').slice(0, 2); // ['sub-001', 'sub-002']
 * uniqueIds(table, 'site');
 * // throws TableFormatError: data.csv: id "A" (column "site") appears in rows 1 and 2; ids must be unique
 * ```
 */
export function uniqueIds(table: Table, idColumn: string): string[] {
  checkString(idColumn, 'idColumn');
  const cells = requireColumn(table, idColumn, 'id column').cells;
  const first = new Map<string, number>();
  return cells.map((id, row) => {
    if (id === null) throw new TableFormatError(`${table.source}: ${describeRow(table, row)}, column "${idColumn}": the id is missing; every row needs one`);
    const earlier = first.get(id);
    if (earlier !== undefined) throw new TableFormatError(`${table.source}: id ${JSON.stringify(id)} (column "${idColumn}") appears in rows ${earlier + 1} and ${row + 1}; ids must be unique`);
    first.set(id, row);
    return id;
  });
}

/**
 * Pairs the rows of a data table with those of a covariates table by an id column both hold: for
 * each data row, its row in `covariates`. Every id must be present and unique in each table
 * ({@link uniqueIds}) and the two tables must hold the same ids (a missing or extra id is named
 * with its row); each column of `shared` that both tables hold (the batch, say, kept in both) must
 * say the same of every subject ({@link sameCell}), or it is an error naming the subject and both
 * values.
 *
 * @throws {@link TableFormatError} as {@link uniqueIds} does, or when the ids or a shared column
 * disagree.
 * @example
 * ```ts
 * const ids = table.columns.get('subject')!.cells;
 * const sites = parseDelimited(['subject,site', ...ids.map((id, i) => `${id},${i < 4 ? 'A' : 'B'}`).reverse()].join('\n'), { source: 'sites.csv' });
 * pairRows(table, sites, 'subject', ['site']).slice(0, 3); // [7, 6, 5]
 * pairRows(table, parseDelimited('subject,site\nsub-001,A\n', { source: 'one.csv' }), 'subject', ['site']);
 * // throws TableFormatError: data.csv: 7 ids with no row in one.csv: "sub-002" (row 2), "sub-003" (row 3), "sub-004" (row 4), "sub-005" (row 5), "sub-006" (row 6), and 2 more
 * ```
 */
export function pairRows(data: Table, covariates: Table, idColumn: string, shared: readonly string[]): number[] {
  const ids = uniqueIds(data, idColumn);
  const rowOf = new Map(uniqueIds(covariates, idColumn).map((id, row) => [id, row]));
  const unpaired = ids.map((id, row) => ({ id, row })).filter(({ id }) => !rowOf.has(id));
  if (unpaired.length > 0) throw new TableFormatError(`${data.source}: ${count(unpaired.length, 'id')} with no row in ${covariates.source}: ${listRows(unpaired)}`);
  const wanted = new Set(ids);
  const extra = [...rowOf].filter(([id]) => !wanted.has(id)).map(([id, row]) => ({ id, row }));
  if (extra.length > 0) {
    throw new TableFormatError(`${covariates.source}: ${count(extra.length, 'id')} with no row in ${data.source}: ${listRows(extra)}; every subject must be in both tables`);
  }
  const order = ids.map((id) => rowOf.get(id) as number);
  for (const name of shared) {
    const [mine, theirs] = [data.columns.get(name), covariates.columns.get(name)];
    if (mine === undefined || theirs === undefined) continue;
    const i = order.findIndex((row, k) => !sameCell(mine, k, theirs, row));
    if (i >= 0) {
      const row = order[i] as number;
      throw new TableFormatError(
        `${data.source}: ${describeRow(data, i, { idColumn })}, column "${name}": ${JSON.stringify(mine.cells[i] ?? null)} here but ${JSON.stringify(theirs.cells[row] ?? null)} in ${covariates.source} (row ${row + 1}); the tables disagree about this subject`,
      );
    }
  }
  return order;
}

/**
 * Whether a cell of one table says what a cell of another says: the same text, or both missing,
 * or, in two numeric columns, the same number (`83` and `83.0`).
 *
 * @example
 * ```ts
 * const age = table.columns.get('age')!;
 * [sameCell(age, 0, age, 0), sameCell(age, 0, age, 1)]; // [true, false]
 * ```
 */
export function sameCell(mine: Column, i: number, theirs: Column, row: number): boolean {
  const [a, b] = [mine.cells[i] ?? null, theirs.cells[row] ?? null];
  return a === b || (a !== null && b !== null && mine.numbers != null && theirs.numbers != null && Number(a) === Number(b));
}

function listRows(entries: readonly { id: string; row: number }[]): string {
  const shown = entries.slice(0, 5).map(({ id, row }) => `${JSON.stringify(id)} (row ${row + 1})`);
  return `${shown.join(', ')}${entries.length > 5 ? `, and ${entries.length - 5} more` : ''}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
