import { CompressionType, compressionRegistry } from 'apache-arrow';
import { decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';

let registered = false;

/**
 * Registers LZ4 (frame) and ZSTD decoders with apache-arrow, so compressed IPC files and streams
 * (what pandas' `to_feather` and Arrow C++ write by default) can be read. Idempotent; the
 * decoders call it before they read.
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: decodeLz4Frame });
  // A fresh buffer: Arrow views the result as 64-bit arrays, which need an aligned offset.
  compressionRegistry.set(CompressionType.ZSTD, { decode: (data) => new Uint8Array(zstdDecompress(data)) });
  registered = true;
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_SIZES: Readonly<Record<number, number>> = { 4: 1 << 16, 5: 1 << 18, 6: 1 << 20, 7: 1 << 22 };

/**
 * Decodes one LZ4 frame into a buffer sized from its block headers, after checking that every
 * block lies inside the data: lz4js itself trusts the sizes a frame declares (a lying one makes it
 * allocate what the frame claims, spin over bytes that are not there, or drop what does not fit).
 */
export function decodeLz4Frame(data: Uint8Array): Uint8Array {
  const word = (at: number): number => ((data[at] as number) | ((data[at + 1] as number) << 8) | ((data[at + 2] as number) << 16) | ((data[at + 3] as number) << 24)) >>> 0;
  if (data.length < 7 || word(0) !== LZ4_MAGIC) throw new Error('not an LZ4 frame (no magic number)');
  const flags = data[4] as number;
  const blockSize = LZ4_BLOCK_SIZES[((data[5] as number) >> 4) & 7];
  if ((flags & 0xc0) !== 0x40 || (flags & 1) !== 0 || blockSize === undefined) throw new Error('LZ4 frame of an unknown version, with a dictionary, or an invalid block size');
  const contentSize = (flags & 8) !== 0 ? word(6) + word(10) * 2 ** 32 : undefined;
  const blockChecksum = (flags & 0x10) !== 0 ? 4 : 0;
  let at = contentSize === undefined ? 7 : 15;
  let bound = 0;
  for (;;) {
    if (at + 4 > data.length) throw new Error('LZ4 frame ends before its end mark');
    const header = word(at);
    at += 4;
    if (header === 0) break;
    const size = header & 0x7fffffff;
    if (size > blockSize || at + size + blockChecksum > data.length) throw new Error(`LZ4 block of ${size} bytes at byte ${at - 4} does not fit the frame`);
    // A compressed byte expands to at most 255.
    bound += header >>> 31 === 1 ? size : Math.min(blockSize, 255 * size);
    at += size + blockChecksum;
  }
  const out = new Uint8Array(bound);
  const length = lz4.decompressFrame(data, out);
  if (length > bound || (contentSize !== undefined && length !== contentSize)) {
    throw new Error(`LZ4 frame decodes to ${length} bytes; its ${contentSize === undefined ? 'blocks allow' : 'header says'} ${contentSize ?? bound}`);
  }
  return out.subarray(0, length);
}
