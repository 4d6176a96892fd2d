import Papa from 'papaparse';
import { TableFormatError } from './errors.js';
import { columnFromText, type Table } from './table.js';

/**
 * Parses CSV or TSV text (a header row, then one row per record) with papaparse. Every row must
 * have as many cells as the header; header names must be unique.
 *
 * @example
 * ```ts
 * const table = parseDelimited('subject,site,age\ns1,A,61\n', { source: 'covars.csv' });
 * ```
 */
export function parseDelimited(text: string, options: { source: string; delimiter?: ',' | '\t' }): Table {
  const { source } = options;
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { delimiter: options.delimiter ?? ',', skipEmptyLines: true });
  const fatal = parsed.errors.find((e) => e.type === 'Quotes');
  if (fatal !== undefined) throw new TableFormatError(`${source}: row ${(fatal.row ?? 0) + 1}: ${fatal.message}`);
  const [header, ...rows] = parsed.data;
  if (header === undefined) throw new TableFormatError(`${source}: empty; expected a header row`);
  const duplicate = header.find((name, k) => header.indexOf(name) !== k);
  if (duplicate !== undefined) throw new TableFormatError(`${source}: column "${duplicate}" appears twice in the header`);
  rows.forEach((row, r) => {
    if (row.length !== header.length) {
      throw new TableFormatError(`${source}: row ${r + 1} has ${row.length} cells; the header has ${header.length}`);
    }
  });
  return {
    source,
    names: header,
    rows: rows.length,
    columns: new Map(header.map((name, k) => [name, columnFromText(name, rows.map((row) => row[k] as string))])),
  };
}

/**
 * Formats a table as CSV or TSV: every column in order, replaced columns as numbers in shortest
 * round-trip form (an empty cell where NaN), other columns exactly as they were read.
 *
 * @example
 * ```ts
 * formatDelimited(table, new Map([['f000', harmonizedColumn]]));
 * ```
 */
export function formatDelimited(table: Table, replaced: ReadonlyMap<string, Float64Array>, delimiter: ',' | '\t' = ','): string {
  const columns = table.names.map((name) => {
    const numbers = replaced.get(name);
    if (numbers !== undefined) return Array.from(numbers, (x) => (Number.isNaN(x) ? '' : String(x)));
    const column = table.columns.get(name);
    return column?.raw ?? column?.cells.map((cell) => cell ?? '') ?? [];
  });
  const rows = Array.from({ length: table.rows }, (_, r) => columns.map((c) => c[r] ?? ''));
  return `${Papa.unparse([table.names as string[], ...rows], { delimiter, newline: '\n' })}\n`;
}
