import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

/**
 * A zip built as its files come (fflate's `Zip`): gzipped files (`.nii.gz`) are stored as they
 * are, the others deflated. The archive's bytes gather in parts, and {@link ZipArchive.finish}
 * gives them as one Blob, so no part is copied into a second buffer.
 */
export class ZipArchive {
  private readonly parts: Uint8Array<ArrayBuffer>[] = [];
  private readonly zip: Zip;
  private failure: Error | null = null;
  private ended = false;

  constructor() {
    this.zip = new Zip((error, chunk, final) => {
      if (error !== null) this.failure = error;
      else this.parts.push(chunk as Uint8Array<ArrayBuffer>);
      if (final) this.ended = true;
    });
  }

  /** Adds a file under `name` (a path inside the archive, with `/`). */
  add(name: string, bytes: Uint8Array): void {
    const entry = name.endsWith('.gz') ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
    this.zip.add(entry);
    entry.push(bytes, true);
    if (this.failure !== null) throw this.failure;
  }

  /** Ends the archive and gives its bytes. */
  finish(): Blob {
    this.zip.end();
    if (this.failure !== null) throw this.failure;
    if (!this.ended) throw new Error('the zip did not end');
    return new Blob(this.parts, { type: 'application/zip' });
  }
}
