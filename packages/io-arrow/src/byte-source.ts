/**
 * Bytes read where they lie, a part at a time: how the chunked readers (`delimited-chunks.ts`,
 * `arrow-chunks.ts`) read a file without holding it, in any runtime (Node's file handle behind
 * `openTable`; a browser's `Blob` would do the same).
 */
export interface ByteSource {
  /** The number of bytes. */
  readonly size: number;
  /** `length` bytes from `position` (fewer at the end), valid at least until the next read. */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** How a table is read in chunks: its name in messages, about how many bytes a chunk holds, and which columns it keeps. */
export interface ChunkOptions {
  readonly source: string;
  readonly chunkBytes: number;
  /** The columns each chunk keeps (absent: all), checked to be the table's by the caller. */
  readonly columns?: readonly string[];
  /**
   * Columns of text (CSV, TSV) read as numbers as each row is split, their text not kept (see
   * `TableChunks.chunks`); those of an Arrow file hold their numbers already.
   */
  readonly numbers?: readonly string[];
}
