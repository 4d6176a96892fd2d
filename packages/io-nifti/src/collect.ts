import { declaredHeaderSize, parseHeaderFields, type NiftiHeader } from './header.js';
import { allocate, checkImageSize, imageEnd, truncatedVoxelData } from './layout.js';

/**
 * Gathers an uncompressed NIfTI as it arrives in chunks (from a file or an inflating stream) and
 * keeps only what the image needs. Once the header has arrived it is checked, the image's size is
 * checked against `maxBytes`, and from then on only the voxel block's bytes are kept: the reader
 * stops feeding it when {@link NiftiCollector.complete} is true. Nothing is allocated for the
 * header's claim until the bytes are there, so memory follows what the source really holds.
 */
export class NiftiCollector {
  /** Bytes pushed in all, kept or not. */
  received = 0;
  private header: NiftiHeader | undefined;
  private end = 0;
  private head: Uint8Array[] = [];
  private readonly block: Uint8Array[] = [];

  constructor(
    private readonly source: string,
    private readonly maxBytes: number,
  ) {}

  /** Whether every byte of the image (header and voxel block) has arrived. */
  get complete(): boolean {
    return this.header !== undefined && this.received >= this.end;
  }

  /** Bytes the image still needs (0 before its header has arrived, and once it is complete). */
  get missing(): number {
    return this.header === undefined ? 0 : Math.max(0, this.end - this.received);
  }

  /** Bytes pushed after the end of the image (0 until it is complete). */
  get past(): number {
    return this.header === undefined ? 0 : Math.max(0, this.received - this.end);
  }

  /** Takes the next bytes of the uncompressed stream. */
  push(chunk: Uint8Array): void {
    const start = this.received;
    this.received += chunk.length;
    if (this.header !== undefined) {
      this.keep(chunk, start);
      return;
    }
    this.head.push(chunk);
    this.readHeader(false);
  }

  /**
   * The header and the voxel block (a new, exactly sized buffer), once the stream has ended or
   * the image is complete; a truncated header or voxel block is a NiftiFormatError.
   */
  finish(): { header: NiftiHeader; block: Uint8Array } {
    if (this.header === undefined) this.readHeader(true);
    const header = this.header as NiftiHeader;
    if (!this.complete) throw truncatedVoxelData(header, this.received, this.source);
    const length = this.end - header.voxOffset;
    const block = allocate(() => new Uint8Array(length), length, header, this.source);
    let at = 0;
    for (const chunk of this.block) {
      block.set(chunk, at);
      at += chunk.length;
    }
    this.block.length = 0;
    return { header, block };
  }

  /** Parses the header once enough bytes are there (or, at the end, whatever arrived). */
  private readHeader(final: boolean): void {
    const bytes = concatenate(this.head, this.received);
    this.head = [bytes];
    if (!final && bytes.length < (declaredHeaderSize(bytes) ?? 348)) return;
    const header = parseHeaderFields(bytes, this.source);
    checkImageSize(header, this.source, this.maxBytes);
    this.header = header;
    this.end = imageEnd(header);
    this.head = [];
    this.keep(bytes, 0);
  }

  /** Keeps the part of a chunk (starting at `start` in the stream) inside the voxel block. */
  private keep(chunk: Uint8Array, start: number): void {
    const from = Math.max(0, (this.header as NiftiHeader).voxOffset - start);
    const to = Math.min(chunk.length, this.end - start);
    if (to > from) this.block.push(chunk.subarray(from, to));
  }
}

function concatenate(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
