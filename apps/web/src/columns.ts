import type { Table } from '@combat/io-arrow';

/**
 * What the page knows of a table's column to offer it in a picker: whether every present cell is
 * a number, whether it looks like an identifier (every value a distinct whole number, more than
 * two rows), and the first cell that is not a number (`row` 1-based) when most of its cells are.
 */
export interface ColumnFacts {
  readonly name: string;
  readonly numeric: boolean;
  readonly identifier: boolean;
  /** Distinct values in order of first appearance, when there are at most {@link LEVELS_SHOWN}. */
  readonly levels: readonly string[] | null;
  readonly firstText: { readonly row: number; readonly cell: string } | null;
}

/** A column with more distinct values than this gets no list of levels (a reference batch is picked among a batch column's levels). */
const LEVELS_SHOWN = 200;

/** The facts of each column of a table, by the rules the CLI uses to offer features (`featuresNeeded`). */
export function columnFacts(table: Table): ColumnFacts[] {
  return table.names.map((name) => {
    const column = table.columns.get(name);
    if (column === undefined) throw new Error(`${table.source}: column "${name}" listed but absent`);
    const distinct = new Set<string>();
    for (const cell of column.cells) {
      if (cell !== null) distinct.add(cell);
      if (distinct.size > LEVELS_SHOWN) break;
    }
    const levels = distinct.size > LEVELS_SHOWN ? null : [...distinct];
    if (column.numbers !== null) {
      const seen = new Set<number>();
      let identifier = table.rows > 2;
      for (const x of column.numbers) {
        if (!identifier) break;
        if (!Number.isInteger(x) || seen.has(x)) identifier = false;
        seen.add(x);
      }
      return { name, numeric: true, identifier, levels, firstText: null };
    }
    let numbers = 0;
    let firstText: { row: number; cell: string } | null = null;
    column.cells.forEach((cell, row) => {
      if (cell === null) return;
      if (Number.isFinite(Number(cell))) numbers++;
      else firstText ??= { row: row + 1, cell };
    });
    return { name, numeric: false, identifier: false, levels, firstText: numbers > 0 && numbers >= table.rows / 2 ? firstText : null };
  });
}

/**
 * The features the page offers, as the CLI offers them when `--features` is missing: the numeric
 * columns that are neither the id, the batch nor a covariate, less those that look like
 * identifiers; nothing is chosen for the user. `notes` says what was left out and why.
 */
export function offeredFeatures(facts: readonly ColumnFacts[], reserved: ReadonlySet<string>): { offered: string[]; notes: string[] } {
  const candidates = facts.filter((fact) => !reserved.has(fact.name));
  const identifiers = candidates.filter((fact) => fact.numeric && fact.identifier).map((fact) => fact.name);
  const offered = candidates.filter((fact) => fact.numeric && !fact.identifier).map((fact) => fact.name);
  const notes: string[] = [];
  if (identifiers.length > 0) {
    notes.push(`Left out: ${identifiers.join(', ')}, where every value is a distinct whole number, as in an identifier (choose it as the id column).`);
  }
  for (const fact of candidates) {
    if (fact.firstText !== null) notes.push(`Not offered: "${fact.name}" is numeric except at row ${fact.firstText.row}, ${JSON.stringify(fact.firstText.cell)}; fix that cell to use it.`);
  }
  return { offered, notes };
}
