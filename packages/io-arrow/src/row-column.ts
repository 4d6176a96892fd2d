import { missing, parseNumber, type Column } from './table.js';

/**
 * A column of a chunk read from text, kept as the chunk's rows until asked for: its `raw` text,
 * `cells` and `numbers` are those `textColumn` makes of the cells, each made on first use. A
 * chunk of a wide table has many columns of few rows; made eagerly, their arrays would outweigh
 * the cells. {@link rowMatrix} and the CSV writer read the rows directly.
 */
export class RowColumn implements Column {
  private rawCells: readonly string[] | undefined;
  private presentCells: readonly (string | null)[] | undefined;
  private values: Float64Array | null | undefined;

  constructor(
    readonly name: string,
    /** The chunk's rows, every cell of each. */
    readonly rows: readonly (readonly string[])[],
    /** This column's cell in each row. */
    readonly index: number,
  ) {}

  get raw(): readonly string[] {
    return (this.rawCells ??= this.rows.map((row) => row[this.index] as string));
  }

  get cells(): readonly (string | null)[] {
    return (this.presentCells ??= this.raw.map((text) => (missing(text) ? null : text)));
  }

  get numbers(): Float64Array | null {
    if (this.values === undefined) this.values = rowNumbers(this.rows, this.index);
    return this.values;
  }
}

/** Cell `index` of each row as a number (NaN where missing), or null when one is not a finite number. */
function rowNumbers(rows: readonly (readonly string[])[], index: number): Float64Array | null {
  const numbers = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const value = cellNumber(rows[i]?.[index] as string);
    if (value === null) return null;
    numbers[i] = value;
  }
  return numbers;
}

/** A text cell's number: NaN where missing, null when it is not a finite number. */
function cellNumber(text: string): number | null {
  if (missing(text)) return NaN;
  const value = parseNumber(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * The columns as a sample-major matrix, read straight from the rows they share (what
 * `tableMatrix` makes of them, without a column's numbers in between), or null when they are not
 * columns of one chunk's rows or a cell is not a finite number (the caller then says which).
 */
export function rowMatrix(columns: readonly Column[], rows: number): Float64Array | null {
  const first = columns[0];
  if (!(first instanceof RowColumn) || !columns.every((column) => column instanceof RowColumn && column.rows === first.rows)) return null;
  const V = columns.length;
  const indices = new Int32Array(V);
  for (let v = 0; v < V; v++) indices[v] = (columns[v] as RowColumn).index;
  const data = new Float64Array(rows * V);
  for (let i = 0; i < rows; i++) {
    const row = first.rows[i] as readonly string[];
    for (let v = 0; v < V; v++) {
      const value = cellNumber(row[indices[v] as number] as string);
      if (value === null) return null;
      data[i * V + v] = value;
    }
  }
  return data;
}
