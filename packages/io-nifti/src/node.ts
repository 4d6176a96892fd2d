/**
 * File-system helpers of @combat/io-nifti, for Node: read and write `.nii`/`.nii.gz` files and
 * file-backed volume resources. Inflating and deflating use Node's zlib.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import { InputReadError, type Volume, type VolumeResource } from '@combat/base';
import { checkNonEmptyString, checkOptions, refuseArgument } from '@combat/base/internal';
import { writeFileAtomically } from '@combat/base/node';
import { readOptions } from './arguments.js';
import { NiftiCollector } from './collect.js';
import { buildImage, isGzip, type NiftiImage } from './decode.js';
import { encodeVolume, type EncodeOptions } from './encode.js';
import { deflateOptions, encodeOptions } from './file-encoding.js';
import { NiftiFormatError } from './errors.js';
import type { NiftiHeader } from './header.js';
import { CHECK_LIMIT } from './gunzip.js';
import { NiftiThreads } from './nifti-threads.js';
import { readVoxels, type NiftiVoxels } from './read-voxels.js';

export { NiftiThreads, type NiftiThreadsOptions } from './nifti-threads.js';
export { type NiftiVoxels } from './read-voxels.js';

const deflate = promisify(gzip);

/**
 * Bytes read from a file, and inflated or deflated by zlib, at a time (zlib waits for each to be
 * taken; each is a trip to zlib's thread and back): 1 MiB, a few for an ordinary volume. Reading a
 * 91x109x91 float32 .nii.gz took 11.7 ms of CPU this way, 18.8 ms 64 KiB at a time.
 */
const CHUNK = 2 ** 20;

/**
 * Options of {@link readNifti} and {@link NiftiFileResource}: the largest voxel array to
 * allocate, in bytes (default 1 GiB; the image in its on-disk type, or in float64 when scaled).
 *
 * @example
 * ```ts
 * const options: ReadNiftiOptions = { maxBytes: 2 ** 30 };
 * (await readNifti('sub-01_FA.nii.gz', options)).shape; // [7, 6, 5]
 * await readNifti('sub-01_FA.nii.gz', { maxBytes: 100 });
 * // throws NiftiFormatError: sub-01_FA.nii.gz: image too large: dims 7x6x5 of int16 need 420 bytes
 * ```
 */
export interface ReadNiftiOptions {
  readonly maxBytes?: number;
}

/**
 * Reads a `.nii` or `.nii.gz` file (gzip is detected from the bytes, not the name), streaming:
 * the file is read, and inflated with zlib, only as far as the header says the image needs (the
 * rest is ignored, as nibabel does), so memory follows what the file really holds. A gzip stream
 * that ends within 1 MiB after the image is read to its end, so zlib checks its CRC. An image
 * larger than `maxBytes` (default 1 GiB) is refused before anything is allocated. The image's
 * `source` is `path`.
 *
 * @throws {@link InputReadError} when the file cannot be read (it does not exist, it is a folder,
 * permission is denied...); the message starts with the path.
 * @throws {@link NiftiFormatError} when the file is not a NIfTI image this package reads (corrupt
 * gzip data included), or the image is larger than `maxBytes`; the message starts with the path.
 * @throws {@link InvalidArgumentError} when `path` is not a non-empty string or an option is of the wrong kind.
 * @example
 * ```ts
 * import { readNifti } from '@combat/io-nifti/node';
 * const image = await readNifti('sub-01_FA.nii.gz');
 * image.shape; // [7, 6, 5]
 * image.header.datatype; // 'int16'
 * image.source; // 'sub-01_FA.nii.gz'
 * await readNifti('missing.nii.gz'); // throws InputReadError: missing.nii.gz: cannot be read: ENOENT
 * ```
 */
export async function readNifti(path: string, options: ReadNiftiOptions = {}): Promise<NiftiImage> {
  checkNonEmptyString(path, 'path');
  const { maxBytes } = readOptions(options, path);
  const collector = new NiftiCollector(path, maxBytes);
  const { stream, gzipped } = await openStream(path);
  try {
    for await (const chunk of stream) {
      collector.push(chunk as Uint8Array);
      if (collector.complete && (!gzipped || collector.past >= CHECK_LIMIT)) break;
    }
  } catch (error) {
    if (error instanceof NiftiFormatError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    if (typeof code === 'string' && code.startsWith('Z_')) throw new NiftiFormatError(path, `corrupt gzip data: ${message}`);
    throw new InputReadError(path, error);
  } finally {
    stream.destroy();
  }
  const { header, block } = collector.finish();
  return buildImage(header, block, true, path, path);
}

/** The file's bytes as a stream, inflated when they start with the gzip magic number. */
async function openStream(path: string): Promise<{ stream: Readable; gzipped: boolean }> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const magic = new Uint8Array(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    // The stream closes the file when it ends or is destroyed.
    const input = handle.createReadStream({ start: 0, highWaterMark: CHUNK });
    const gzipped = isGzip(magic.subarray(0, bytesRead));
    return { stream: gzipped ? pipeline(input, createGunzip({ chunkSize: CHUNK }), () => undefined) : input, gzipped };
  } catch (error) {
    await handle?.close();
    throw new InputReadError(path, error);
  }
}

/**
 * Options of {@link encodeNiftiFile}: the voxel type (float32 by default), the gzip level and
 * zlib's strategy (gzip itself follows the path's `.gz` suffix). `strategy: 'run-length'` looks
 * for runs of a repeated byte only (zlib's `Z_RLE`, as PNG encoders use): on images, whose
 * background is runs of zeros and whose voxels barely repeat otherwise, files about as small as
 * level 1's, several times faster; the level then changes nothing but 0 (stored).
 *
 * @example
 * ```ts
 * const options: EncodeFileOptions = { dtype: 'float64', level: 9 };
 * const bytes = await encodeNiftiFile('out.nii', await readNifti('sub-01_FA.nii.gz'), options);
 * bytes.length; // 352 + 7 * 6 * 5 * 8
 * const fast = await encodeNiftiFile('out.nii.gz', await readNifti('sub-01_FA.nii.gz'), { level: 1, strategy: 'run-length' });
 * decodeNifti(fast).data[0]; // 83
 * ```
 */
export type EncodeFileOptions = Omit<EncodeOptions, 'gzip'> & {
  /** zlib's strategy: `'default'`, or `'run-length'` (`Z_RLE`). */
  readonly strategy?: 'default' | 'run-length';
};

/**
 * The bytes {@link writeNifti} writes for a path: the volume as NIfTI-1 (see `encodeNifti`),
 * deflated with Node's zlib when the path ends in `.gz`. For an application that stages its
 * outputs itself.
 *
 * @throws {@link NiftiWriteError} when a value float32 cannot hold or the shape does not fit
 * NIfTI-1 (see `encodeNifti`); the message starts with the path.
 * @throws {@link InvalidArgumentError} when `path` is not a non-empty string, `volume` is not a
 * volume, or an option is of the wrong kind.
 * @example
 * ```ts
 * const image = await readNifti('sub-01_FA.nii.gz');
 * const bytes = await encodeNiftiFile('out/sub-01_FA.nii.gz', image, { dtype: 'float32' });
 * [bytes[0], bytes[1]]; // [0x1f, 0x8b]
 * decodeNifti(bytes).data[0]; // 83
 * await encodeNiftiFile('out/big.nii', { ...image, data: new Float64Array(210).fill(1e40) });
 * // throws NiftiWriteError: out/big.nii: voxel (0, 0, 0) is 1e+40, beyond float32's range
 * ```
 */
export async function encodeNiftiFile(path: string, volume: Volume, options: EncodeFileOptions = {}): Promise<Uint8Array> {
  const { encoding, strategy } = encodeOptions(path, options);
  const raw = encodeVolume(volume, { ...encoding, gzip: false }, path);
  if (!path.endsWith('.gz')) return raw;
  return deflate(raw, { ...deflateOptions(encoding.level, strategy), chunkSize: CHUNK });
}

/**
 * Options of {@link writeNifti}: the encoding, and files the write must never replace.
 *
 * @example
 * ```ts
 * const options: WriteNiftiOptions = { dtype: 'float32', protect: ['in/sub-01_FA.nii.gz'] };
 * await writeNifti('in/sub-01_FA.nii.gz', await readNifti('sub-01_FA.nii.gz'), options);
 * // throws InputOverwriteError: refusing to write in/sub-01_FA.nii.gz: it is an input
 * ```
 */
export interface WriteNiftiOptions extends EncodeFileOptions {
  /** Paths that must not be overwritten (the inputs); the volume's own `source` is always included. */
  readonly protect?: readonly string[];
}

/**
 * Writes a volume as NIfTI-1 (the bytes of {@link encodeNiftiFile}), gzipped when the path ends
 * in `.gz`. The file appears whole or not at all (written to a temporary file beside it, then
 * renamed), and never replaces an input: the volume's own `source` or any path in `protect`
 * (links resolved).
 *
 * @throws {@link InputOverwriteError} when `path` is the volume's `source` or one of `protect`.
 * @throws {@link NiftiWriteError} when a value float32 cannot hold or the shape does not fit
 * NIfTI-1 (see `encodeNifti`); nothing is written.
 * @throws {@link InvalidArgumentError} when `path` is not a non-empty string, `volume` is not a
 * volume, or an option is of the wrong kind.
 * @example
 * ```ts
 * const image = await readNifti('sub-01_FA.nii.gz');
 * await writeNifti('out/sub-01_FA.nii.gz', image, { protect: ['in/sub-01_FA.nii.gz'] });
 * (await readNifti('out/sub-01_FA.nii.gz')).header.datatype; // 'float32'
 * await writeNifti('sub-01_FA.nii.gz', image);
 * // throws InputOverwriteError: refusing to write sub-01_FA.nii.gz: it is an input (sub-01_FA.nii.gz)
 * ```
 */
export async function writeNifti(path: string, volume: Volume, options: WriteNiftiOptions = {}): Promise<void> {
  checkNonEmptyString(path, 'path');
  const { protect = [] } = checkOptions(options);
  const source = (volume as Partial<Volume> | null)?.source;
  const bytes = await encodeNiftiFile(path, volume, options);
  // writeFileAtomically checks `protect`: a value that is not a list goes to it as given.
  const inputs = typeof source === 'string' && Array.isArray(protect) ? [...(protect as unknown[]), source] : protect;
  await writeFileAtomically(path, bytes, { protect: inputs as readonly string[] });
}

/**
 * Options of {@link NiftiFileResource}: those of {@link readNifti}, and the {@link NiftiThreads}
 * that read the file (on a worker thread), if any.
 *
 * @example
 * ```ts
 * const threads = new NiftiThreads({ threads: 2 });
 * const options: NiftiFileResourceOptions = { maxBytes: 2 ** 30, threads };
 * (await new NiftiFileResource('sub-01_FA.nii.gz', options).load()).data[0]; // 83
 * await threads.close();
 * ```
 */
export interface NiftiFileResourceOptions extends ReadNiftiOptions {
  readonly threads?: NiftiThreads;
}

/**
 * A NIfTI file as a volume resource: nothing is read until `load()`, and each `load()` reads the
 * file again (with {@link readNifti}, or on a worker of `options.threads`), so a streaming fit
 * holds one volume at a time.
 *
 * @throws {@link InvalidArgumentError} from the constructor when `source` is not a non-empty
 * string or an option is of the wrong kind.
 * @example
 * ```ts
 * const resources = ['sub-01_FA.nii.gz', 'in/sub-01_FA.nii.gz'].map((path) => new NiftiFileResource(path));
 * resources[0]!.source; // 'sub-01_FA.nii.gz'
 * (await resources[1]!.load()).shape; // [7, 6, 5]
 * await new NiftiFileResource('missing.nii').load(); // throws InputReadError: missing.nii: cannot be read
 * ```
 */
export class NiftiFileResource implements VolumeResource<NiftiHeader> {
  constructor(
    /** The file's path. */
    readonly source: string,
    readonly options: NiftiFileResourceOptions = {},
  ) {
    checkNonEmptyString(source, 'source');
    readOptions(options, source);
    const { threads } = options;
    if (threads !== undefined && !(threads instanceof NiftiThreads)) refuseArgument('options.threads', 'a NiftiThreads or undefined', threads);
  }

  /**
   * Reads the file.
   *
   * @throws {@link InputReadError} when it cannot be read.
   * @throws {@link NiftiFormatError} when it is not a NIfTI image this package reads.
   */
  load(): Promise<NiftiImage> {
    const { threads, ...options } = this.options;
    return threads === undefined ? readNifti(this.source, options) : threads.read(this.source, options);
  }

  /**
   * Reads the file and keeps only its voxels at `indices` (on a worker of `options.threads`, so
   * only those voxels cross to this thread): `@combat/volumes` loads volumes this way when it
   * needs only the voxels in the mask. An index beyond the image reads as NaN (0 in an integer type).
   *
   * @throws {@link InputReadError} when it cannot be read.
   * @throws {@link NiftiFormatError} when it is not a NIfTI image this package reads.
   * @throws `InvalidArgumentError` when `indices` is not an Int32Array.
   * @example
   * ```ts
   * const { image, voxels } = await new NiftiFileResource('sub-01_FA.nii.gz').loadVoxels(Int32Array.of(0, 1));
   * image.shape; // [7, 6, 5]
   * voxels.length; // 2
   * ```
   */
  loadVoxels(indices: Int32Array): Promise<NiftiVoxels> {
    const { threads, ...options } = this.options;
    return threads === undefined ? readVoxels(this.source, indices, options) : threads.readVoxels(this.source, indices, options);
  }
}
