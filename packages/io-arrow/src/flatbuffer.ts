/**
 * A reader of one flatbuffer (the metadata of an Arrow IPC message, or a file's footer) that
 * refuses, instead of reading garbage, any offset that leaves the buffer, any vector longer than
 * the bytes it would take, and more tables than the buffer has room for (offsets may share or
 * loop). It reads what apache-arrow's generated code reads, the same way (signed offsets
 * included), so that what it accepts apache-arrow can read without running away.
 */
export class FlatBuffer {
  private readonly view: DataView;
  private tables = 0;

  /**
   * @param bytes - the whole input; the flatbuffer is `bytes[start, end)`.
   * @param fail - throws an error saying what is wrong (a sentence without the location).
   */
  constructor(
    bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
    private readonly fail: (detail: string) => never,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The root table. */
  root(): number {
    return this.table(this.start + this.int(this.start, 4));
  }

  /** A scalar field of a table (`size` bytes, signed little-endian), or `fallback` when absent. */
  scalar(table: number, field: number, size: 1 | 2 | 4 | 8, fallback: number): number {
    const at = this.field(table, field);
    return at === 0 ? fallback : this.int(at, size);
  }

  /** A table field of a table, or null when absent. */
  child(table: number, field: number): number | null {
    const at = this.field(table, field);
    return at === 0 ? null : this.table(at + this.int(at, 4));
  }

  /**
   * A vector field of a table as its first element's position and its length, checked to fit;
   * empty when absent.
   */
  vector(table: number, field: number, elementSize: number): { readonly at: number; readonly length: number } {
    const at = this.field(table, field);
    if (at === 0) return { at: 0, length: 0 };
    const vector = at + this.int(at, 4);
    const length = this.int(vector, 4);
    if (length < 0 || length * elementSize > this.end - vector - 4) {
      this.fail(`metadata has a vector of ${length} entries of ${elementSize} bytes at byte ${vector}, past the end of its ${this.end - this.start} bytes`);
    }
    return { at: vector + 4, length };
  }

  /** A vector of tables as the tables' positions. */
  tableVector(table: number, field: number): number[] {
    const { at, length } = this.vector(table, field, 4);
    return Array.from({ length }, (_, k) => this.table(at + 4 * k + this.int(at + 4 * k, 4)));
  }

  /** A string field of a table (UTF-8, decoded leniently: it names things in messages), or null. */
  string(table: number, field: number): string | null {
    if (this.field(table, field) === 0) return null;
    const { at, length } = this.vector(table, field, 1);
    return new TextDecoder().decode(new Uint8Array(this.view.buffer, this.view.byteOffset + at, length));
  }

  /**
   * A signed little-endian integer of `size` bytes at an absolute position inside the buffer (a
   * 64-bit one must be a safe integer).
   */
  int(at: number, size: 1 | 2 | 4 | 8): number {
    if (!(at >= this.start && at + size <= this.end)) this.fail(`metadata refers to byte ${at}, outside its bytes ${this.start} to ${this.end}`);
    if (size === 1) return this.view.getInt8(at);
    if (size === 2) return this.view.getInt16(at, true);
    if (size === 4) return this.view.getInt32(at, true);
    const value = Number(this.view.getBigInt64(at, true));
    return Number.isSafeInteger(value) ? value : this.fail(`metadata holds ${value} at byte ${at}, beyond what a JavaScript number holds exactly`);
  }

  private table(at: number): number {
    if (++this.tables > (this.end - this.start) / 4) this.fail('metadata refers to more tables than it has bytes for (offsets that share or loop)');
    const vtable = at - this.int(at, 4);
    const size = this.int(vtable, 2);
    if (size < 4 || size % 2 !== 0 || vtable + size > this.end) this.fail(`metadata has a table at byte ${at} with a broken field table`);
    return at;
  }

  /** The absolute position of a field of a table, or 0 when absent. */
  private field(table: number, field: number): number {
    const vtable = table - this.int(table, 4);
    const slot = 4 + 2 * field;
    if (slot >= this.int(vtable, 2)) return 0;
    const offset = this.int(vtable + slot, 2);
    if (offset < 0) this.fail(`metadata has a table at byte ${table} whose field ${field} lies before it`);
    return offset === 0 ? 0 : table + offset;
  }
}
