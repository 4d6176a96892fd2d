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
export function cellNumber(text: string): number | null {
  if (missing(text)) return NaN;
  const value = parseNumber(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * The cells of a chunk's columns read as numbers (see `ChunkOptions.numbers`): the values of each
 * row (sample-major, NaN where missing), and the cells of the rows holding a cell that is not a
 * number, kept as text (by row of the chunk) so that the column can say which.
 */
export interface RowNumbers {
  readonly data: Float64Array;
  /** Columns read as numbers: the width of a row of `data`. */
  readonly width: number;
  readonly invalid: ReadonlyMap<number, readonly string[]>;
}

/**
 * A column of a chunk read as numbers: its values, from the rows' `RowNumbers`, without their
 * text. `numbers` is null when a cell is not a finite number; `cells` are then the text of the
 * rows that hold one and the shortest round-trip form of the others' numbers (null where missing),
 * enough for `tableMatrix` to name the first cell that is not a number, as it does of text.
 */
export class NumberColumn implements Column {
  private values: Float64Array | null | undefined;
  private textCells: readonly (string | null)[] | undefined;

  constructor(
    readonly name: string,
    readonly rowNumbers: RowNumbers,
    /** This column's value in each row of `rowNumbers.data`. */
    readonly index: number,
    /** This column's cell in each row of `rowNumbers.invalid`. */
    readonly cell: number,
  ) {}

  get numbers(): Float64Array | null {
    if (this.values === undefined) this.values = [...this.rowNumbers.invalid.values()].some((row) => cellNumber(row[this.cell] as string) === null) ? null : this.column();
    return this.values;
  }

  get cells(): readonly (string | null)[] {
    if (this.textCells !== undefined) return this.textCells;
    const { invalid } = this.rowNumbers;
    this.textCells = Array.from(this.column(), (value, i) => {
      const text = invalid.get(i)?.[this.cell];
      if (text !== undefined) return missing(text) ? null : text;
      return Number.isNaN(value) ? null : String(value);
    });
    return this.textCells;
  }

  private column(): Float64Array {
    const { data, width } = this.rowNumbers;
    const rows = width === 0 ? 0 : data.length / width;
    return Float64Array.from({ length: rows }, (_, i) => data[i * width + this.index] as number);
  }
}

/**
 * The columns as a sample-major matrix, read straight from the rows they share (what
 * `tableMatrix` makes of them, without a column's numbers in between), or null when they are not
 * columns of one chunk's rows or a cell is not a finite number (the caller then says which).
 */
export function rowMatrix(columns: readonly Column[], rows: number): Float64Array | null {
  const first = columns[0];
  if (first instanceof NumberColumn) return numberMatrix(columns, rows, first.rowNumbers);
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

/** {@link rowMatrix} of columns read as numbers of one chunk, none with a cell that is not a number. */
function numberMatrix(columns: readonly Column[], rows: number, rowNumbers: RowNumbers): Float64Array | null {
  if (rowNumbers.invalid.size > 0 || !columns.every((column) => column instanceof NumberColumn && column.rowNumbers === rowNumbers)) return null;
  const { data: values, width } = rowNumbers;
  const V = columns.length;
  const indices = Int32Array.from(columns, (column) => (column as NumberColumn).index);
  const data = new Float64Array(rows * V);
  for (let i = 0; i < rows; i++) for (let v = 0; v < V; v++) data[i * V + v] = values[i * width + (indices[v] as number)] as number;
  return data;
}
