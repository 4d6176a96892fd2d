import { Gunzip } from 'fflate';
import { NiftiCollector } from './collect.js';
import { NiftiFormatError } from './errors.js';
import type { NiftiHeader } from './header.js';

/**
 * How far past the end of the image a reader keeps inflating (discarding) to reach the end of the
 * gzip stream and check its CRC and length: 1 MiB. An ordinary `.nii.gz` ends right after its
 * image, so it is checked whole; whatever lies further is ignored, unread.
 */
export const CHECK_LIMIT = 2 ** 20;

/** Deflate's largest expansion: 258 bytes from a 1-bit length code and a 1-bit distance code. */
export const MAX_RATIO = 1032;
/** Inflated bytes one slice may yield at most, beyond what the image still needs. */
const SLICE_OUTPUT = 16 * 2 ** 20;

/**
 * Inflates a `.nii.gz` held in memory with fflate's streaming Gunzip, a slice at a time, only as
 * far as the image needs (see {@link NiftiCollector}) plus up to {@link CHECK_LIMIT} to reach and
 * check each gzip member's CRC-32 and length (which fflate does not check). Corrupt or truncated
 * gzip is a NiftiFormatError.
 */
export function gunzipNifti(bytes: Uint8Array, source: string, maxBytes: number): { header: NiftiHeader; block: Uint8Array } {
  const collector = new NiftiCollector(source, maxBytes);
  const corrupt = (detail: string) => new NiftiFormatError(source, `corrupt gzip data: ${detail}`);
  let crc = 0;
  let length = 0;
  /** Checks the member that ends where the next one starts (or where the bytes end). */
  const checkMember = (end: number): void => {
    if (end < 8) throw corrupt(`the stream ends before its 8-byte trailer`);
    const view = new DataView(bytes.buffer, bytes.byteOffset + end - 8, 8);
    if (view.getUint32(0, true) !== crc || view.getUint32(4, true) !== length % 2 ** 32) {
      throw corrupt(`the CRC-32 or length in the trailer at byte ${end - 8} does not match the inflated data`);
    }
    crc = 0;
    length = 0;
  };
  const inflater = new Gunzip((chunk) => {
    crc = crc32(crc, chunk);
    length += chunk.length;
    collector.push(chunk);
  });
  inflater.onmember = checkMember;
  let at = 0;
  try {
    while (at < bytes.length && !(collector.complete && collector.past >= CHECK_LIMIT)) {
      const end = Math.min(at + nextSlice(collector), bytes.length);
      inflater.push(bytes.subarray(at, end), end === bytes.length);
      at = end;
    }
  } catch (error) {
    throw error instanceof NiftiFormatError ? error : corrupt((error as Error).message);
  }
  if (at === bytes.length) checkMember(bytes.length);
  return collector.finish();
}

/**
 * How many compressed bytes to inflate next: no more than can yield what is still wanted (the
 * rest of the image and of the check) or 16 MiB, at 1032-fold; at most 1 MiB. Slices grow with
 * the image (fflate's cost per slice is high for small ones) and a gzip bomb yields 16 MiB at a time.
 */
function nextSlice(collector: NiftiCollector): number {
  const wanted = collector.missing + Math.max(0, CHECK_LIMIT - collector.past);
  return Math.min(2 ** 20, Math.ceil(Math.max(wanted, SLICE_OUTPUT) / MAX_RATIO));
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** The CRC-32 (gzip's) of `crc`'s data followed by `chunk`. */
function crc32(crc: number, chunk: Uint8Array): number {
  let c = ~crc;
  for (let k = 0; k < chunk.length; k++) c = CRC_TABLE[(c ^ chunk[k]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
