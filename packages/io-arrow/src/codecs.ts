import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';

let registered = false;

/**
 * Registers LZ4 (frame) and ZSTD decoders with apache-arrow, so compressed IPC files and streams
 * (what pandas' `to_feather` and Arrow C++ write by default) can be read. Idempotent.
 *
 * @example
 * ```ts
 * registerCompressionCodecs();
 * tableFromIPC(bytes);
 * ```
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data) => Uint8Array.from(lz4.decompress(data)) });
  // A fresh buffer: Arrow views the result as 64-bit arrays, which need an aligned offset.
  compressionRegistry.set(CompressionType.ZSTD, { decode: (data) => new Uint8Array(zstdDecompress(data)) });
  registered = true;
}
