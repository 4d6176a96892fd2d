/**
 * Reading and encoding for the threads of {@link NiftiThreads} (its workers, or the calling thread
 * when it has one): zlib's synchronous inflate and deflate, on the thread itself, so that no zlib
 * thread works beside it and `threads` is the number of threads busy.
 */
import { readFile, stat } from 'node:fs/promises';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import type { Volume } from '@combat/base';
import { checkNonEmptyString } from '@combat/base/internal';
import { readOptions } from './arguments.js';
import { buildImage, isGzip, type NiftiImage } from './decode.js';
import { encodeVolume } from './encode.js';
import { CHECK_LIMIT, MAX_RATIO } from './gunzip.js';
import { declaredHeaderSize, parseHeaderFields } from './header.js';
import { checkImageSize, imageEnd } from './layout.js';
import { deflateOptions, encodeOptions } from './file-encoding.js';
import { readNifti, type EncodeFileOptions, type ReadNiftiOptions } from './node.js';

/** Files read whole and inflated in one call, at most: 256 MiB. */
const WHOLE_FILE = 2 ** 28;
/** Compressed bytes inflated first, to find the header and the image's size: 64 KiB. */
const HEAD = 2 ** 16;

/**
 * `readNifti` on the calling thread: a `.nii.gz` of up to 256 MiB is read whole and inflated by
 * zlib's synchronous gunzip into one buffer, its header first (to refuse an image over `maxBytes`
 * before inflating it), then the stream as far as the image plus the 1 MiB in which `readNifti`
 * also reads to the end and checks the CRC. Whatever else (an uncompressed or larger file, a
 * stream that runs further or stops short, any error) is read by `readNifti` itself, which gives
 * the image or the error. So the result is always `readNifti`'s.
 */
export async function readNiftiOnThread(path: string, options: ReadNiftiOptions = {}): Promise<NiftiImage> {
  return readOnThread(path, options, false);
}

/**
 * {@link readNiftiOnThread} for an image that is only looked at and dropped (to take some of its
 * voxels): when they are aligned in it, unscaled and in the platform's byte order, its voxels are a
 * view into the buffer zlib inflated into (the header before them, and room for up to 1 MiB after
 * the image), instead of a copy of their own.
 */
export async function readNiftiInPlace(path: string, options: ReadNiftiOptions = {}): Promise<NiftiImage> {
  return readOnThread(path, options, true);
}

/** One read on the calling thread, its voxels in place or not (see {@link readNiftiInPlace}). */
async function readOnThread(path: string, options: ReadNiftiOptions, inPlace: boolean): Promise<NiftiImage> {
  checkNonEmptyString(path, 'path');
  const { maxBytes } = readOptions(options, path);
  return (await readWhole(path, maxBytes, inPlace).catch(() => undefined)) ?? readNifti(path, options);
}

/** The image of a whole gzipped file of up to {@link WHOLE_FILE} bytes, or undefined for `readNifti` to read. */
async function readWhole(path: string, maxBytes: number, inPlace: boolean): Promise<NiftiImage | undefined> {
  if ((await stat(path)).size > WHOLE_FILE) return undefined;
  const bytes = await readFile(path);
  if (!isGzip(bytes)) return undefined;
  const head = gunzipSync(bytes.subarray(0, HEAD), { finishFlush: constants.Z_SYNC_FLUSH });
  if (head.length < (declaredHeaderSize(head) ?? 348)) return undefined;
  const header = parseHeaderFields(head, path);
  checkImageSize(header, path, maxBytes);
  const end = imageEnd(header);
  // Beyond this length gunzipSync throws, and readNifti reads the image without the stream's end.
  // One chunk a byte longer than what zlib can give (no more than the compressed bytes can hold,
  // whatever the header claims) holds all it inflates, so it comes out without being concatenated,
  // in a buffer of its own (zlib's, too large for Node's shared pool); otherwise nothing is viewed.
  const limit = end + CHECK_LIMIT;
  const chunk = Math.min(limit, bytes.length * MAX_RATIO) + 1;
  const raw = gunzipSync(bytes, { maxOutputLength: limit, chunkSize: chunk });
  if (raw.length < end) return undefined;
  const own = raw.byteOffset === 0 && raw.buffer.byteLength === chunk;
  return buildImage(header, raw.subarray(header.voxOffset, end), inPlace && own, path, path);
}

/**
 * `encodeNiftiFile` on the calling thread: the same bytes (zlib deflates a whole buffer the same
 * way, synchronously or not) or the same error.
 */
export function encodeNiftiFileOnThread(path: string, volume: Volume, options: EncodeFileOptions = {}): Uint8Array {
  const { encoding, strategy } = encodeOptions(path, options);
  const raw = encodeVolume(volume, { ...encoding, gzip: false }, path);
  return path.endsWith('.gz') ? gzipSync(raw, deflateOptions(encoding.level, strategy)) : raw;
}
