import { readFileSync } from 'node:fs';
import Papa from 'papaparse';

/** A CSV file as its header and its rows, every cell kept as the text the file holds. */
export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

/**
 * The one CSV reader of the tests (for fixtures and other reference tables; the packages' own
 * parser is what the tests check, so it does not read their expectations). Blank lines are
 * skipped; any parse error throws, naming the file.
 */
export function readCsvFixture(path: string): CsvTable {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`${path}: ${parsed.errors[0]?.message}`);
  return { columns: parsed.meta.fields ?? [], rows: parsed.data };
}

/** Parses with Number(), which reads "NaN" as NaN and every other cell at full float64 precision. */
export function numericMatrix(table: CsvTable, columns: string[]): Float64Array {
  const out = new Float64Array(table.rows.length * columns.length);
  table.rows.forEach((row, i) => columns.forEach((c, v) => (out[i * columns.length + v] = Number(row[c]))));
  return out;
}
