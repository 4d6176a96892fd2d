import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

/** Where a stored file's bytes are in a finished archive: `blob.slice(start, end)` gives them back. */
export interface ZipSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * A zip built as its files come (fflate's `Zip`): gzipped files (`.nii.gz`) are stored as they
 * are ({@link ZipArchive.store}, which says where), the others deflated ({@link ZipArchive.add}).
 * The archive's bytes gather in parts, and {@link ZipArchive.finish} gives them as one Blob, so
 * no part is copied into a second buffer, and a stored file can be read back from the archive
 * alone (a slice of its Blob) rather than kept beside it.
 */
export class ZipArchive {
  private readonly parts: Uint8Array<ArrayBuffer>[] = [];
  private readonly zip: Zip;
  private length = 0;
  private storing: { bytes: Uint8Array; start: number | null } | null = null;
  private failure: Error | null = null;
  private ended = false;

  constructor() {
    this.zip = new Zip((error, chunk, final) => {
      if (error !== null) this.failure = error;
      else {
        // fflate hands a stored file's bytes on as they were given: that chunk is the file.
        if (this.storing?.bytes === chunk) this.storing.start = this.length;
        this.parts.push(chunk as Uint8Array<ArrayBuffer>);
        this.length += chunk.length;
      }
      if (final) this.ended = true;
    });
  }

  /** Adds a file under `name` (a path inside the archive, with `/`), deflated. */
  add(name: string, bytes: Uint8Array): void {
    const entry = new ZipDeflate(name, { level: 6 });
    this.zip.add(entry);
    entry.push(bytes, true);
    if (this.failure !== null) throw this.failure;
  }

  /** Adds a file that is compressed already (a `.nii.gz`) as it is, and says where its bytes are in the archive. */
  store(name: string, bytes: Uint8Array): ZipSpan {
    const entry = new ZipPassThrough(name);
    this.storing = { bytes, start: null };
    this.zip.add(entry);
    entry.push(bytes, true);
    const { start } = this.storing;
    this.storing = null;
    if (this.failure !== null) throw this.failure;
    if (start === null) throw new Error(`the zip did not write ${name} as it was given`);
    return { start, end: start + bytes.length };
  }

  /** Ends the archive and gives its bytes. */
  finish(): Blob {
    this.zip.end();
    if (this.failure !== null) throw this.failure;
    if (!this.ended) throw new Error('the zip did not end');
    return new Blob(this.parts, { type: 'application/zip' });
  }
}
