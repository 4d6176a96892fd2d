import type { Volume } from '@combat/base';
import { checkInteger, checkNonEmptyString, checkObject, checkOptions, checkVolume, workerThreadSource } from '@combat/base/internal';
import workerpool from 'workerpool';
import { readOptions } from './arguments.js';
import type { NiftiImage } from './decode.js';
import type { EncodeFileOptions, ReadNiftiOptions } from './node.js';
import { encodeNiftiFileOnThread, readNiftiInPlace, readNiftiOnThread } from './on-thread.js';
import { checkIndices, readVoxels, type NiftiVoxels } from './read-voxels.js';
import { reviveError, type Outcome } from './sent-errors.js';

/**
 * Options of {@link NiftiThreads}: how many worker threads read and write files (1: none, the
 * calling thread does it).
 *
 * @example
 * ```ts
 * const options: NiftiThreadsOptions = { threads: 2 };
 * const threads = new NiftiThreads(options);
 * threads.threads; // 2
 * await threads.close();
 * ```
 */
export interface NiftiThreadsOptions {
  readonly threads: number;
}

/**
 * Reading and writing NIfTI files on worker threads, so the calling thread does neither: a read
 * (the file, inflating, decoding) and an encoding (encoding, deflating) each run on one of
 * `threads` workers, several at once, and come back in the order each caller awaits them. The
 * voxels and bytes cross between threads as transferred ArrayBuffers, not copies; errors come back
 * as their own classes (`NiftiFormatError`, `InputReadError`, `NiftiWriteError`,
 * `InvalidArgumentError`), with their messages and files. Results are those of `readNifti` and
 * `encodeNiftiFile` bit for bit, whatever the number of threads. Each thread inflates and
 * deflates itself, with zlib's synchronous calls (`readNifti` and `encodeNiftiFile` hand zlib's work
 * to libuv's threads), so `threads` threads work, no more. With one thread no worker is started:
 * the calling thread does it all. The workers stay until {@link NiftiThreads.close}. Give the object to
 * `NiftiFileResource` (`{ threads }`) to load volumes through it.
 *
 * @example
 * ```ts
 * const threads = new NiftiThreads({ threads: 2 });
 * const image = await threads.read('sub-01_FA.nii.gz');
 * image.data[0]; // 83
 * const bytes = await threads.encodeFile('out/sub-01_FA.nii.gz', image, { level: 1 });
 * decodeNifti(bytes).data[0]; // 83
 * await threads.read('missing.nii.gz'); // throws InputReadError: missing.nii.gz: cannot be read: ENOENT
 * await threads.close();
 * ```
 */
export class NiftiThreads {
  /** How many threads read and write (1: the calling thread). */
  readonly threads: number;
  private readonly pool: workerpool.Pool | null;
  private readonly sharedIndices = new WeakMap<Int32Array, Int32Array>();

  /**
   * Starts `options.threads` workers (none for one thread).
   *
   * @throws `InvalidArgumentError` when `options.threads` is not a whole number from 1 to 1024.
   */
  constructor(options: NiftiThreadsOptions) {
    const given = checkObject(options, 'NiftiThreads: options', 'an object { threads }');
    this.threads = checkInteger(given.threads, 'NiftiThreads: options.threads', 1, 1024);
    this.pool = this.threads === 1 ? null : startPool(this.threads);
  }

  /**
   * `readNifti` on a worker: the same image (its voxels transferred from the worker) or the same error.
   *
   * @throws {@link InputReadError}, {@link NiftiFormatError} and `InvalidArgumentError`, as `readNifti`.
   * @example
   * ```ts
   * const threads = new NiftiThreads({ threads: 2 });
   * (await threads.read('sub-01_FA.nii.gz')).shape; // [7, 6, 5]
   * await threads.close();
   * ```
   */
  async read(path: string, options: ReadNiftiOptions = {}): Promise<NiftiImage> {
    if (this.pool === null) return readNiftiOnThread(path, options);
    checkNonEmptyString(path, 'path');
    const { maxBytes } = readOptions(options, path);
    return unwrap(await this.pool.exec('read', [path, { maxBytes }]));
  }

  /**
   * {@link NiftiFileResource.loadVoxels} on a worker: the image without its voxels, and its voxels
   * at `indices` only, so that only they cross to the calling thread. The indices are copied once
   * into shared memory, where every worker reads them.
   *
   * @throws {@link InputReadError}, {@link NiftiFormatError} and `InvalidArgumentError`, as `readNifti`.
   * @example
   * ```ts
   * const threads = new NiftiThreads({ threads: 2 });
   * const { image, voxels } = await threads.readVoxels('sub-01_FA.nii.gz', Int32Array.of(0, 5));
   * [image.shape, voxels]; // [[7, 6, 5], Int16Array.of(83, (await readNifti('sub-01_FA.nii.gz')).data[5])]
   * await threads.close();
   * ```
   */
  async readVoxels(path: string, indices: Int32Array, options: ReadNiftiOptions = {}): Promise<NiftiVoxels> {
    if (this.pool === null) return readVoxels(path, indices, options, readNiftiInPlace);
    checkNonEmptyString(path, 'path');
    checkIndices(indices);
    const { maxBytes } = readOptions(options, path);
    return unwrap(await this.pool.exec('readVoxels', [path, this.shared(indices), { maxBytes }]));
  }

  /** The indices in shared memory (copied once for each array). */
  private shared(indices: Int32Array): Int32Array {
    if (indices.buffer instanceof SharedArrayBuffer) return indices;
    let copy = this.sharedIndices.get(indices);
    if (copy === undefined) {
      copy = new Int32Array(new SharedArrayBuffer(indices.byteLength));
      copy.set(indices);
      this.sharedIndices.set(indices, copy);
    }
    return copy;
  }

  /**
   * `encodeNiftiFile` on a worker: the same bytes (transferred from the worker) or the same error.
   * The volume's voxels are copied to the worker, unless `handling.handOver` says the caller is
   * done with them: then, when `volume.data` fills its own ArrayBuffer, that buffer is transferred
   * (no copy) and `volume.data` is empty afterwards, whether the encoding succeeds or fails (with
   * one thread nothing moves).
   *
   * @throws {@link NiftiWriteError} and `InvalidArgumentError`, as `encodeNiftiFile`.
   * @example
   * ```ts
   * const threads = new NiftiThreads({ threads: 2 });
   * const image = await readNifti('sub-01_FA.nii.gz');
   * const bytes = await threads.encodeFile('out/sub-01_FA.nii', image, { dtype: 'float64' });
   * bytes.length; // 352 + 7 * 6 * 5 * 8
   * image.data.length; // 7 * 6 * 5
   * await threads.encodeFile('out/sub-01_FA.nii', image, { dtype: 'float64' }, { handOver: true });
   * image.data.length; // 0
   * await threads.close();
   * ```
   */
  async encodeFile(path: string, volume: Volume, options: EncodeFileOptions = {}, handling: { readonly handOver?: boolean } = {}): Promise<Uint8Array> {
    if (this.pool === null) return encodeNiftiFileOnThread(path, volume, options);
    checkNonEmptyString(path, 'path');
    checkVolume(volume, 'volume');
    checkOptions(options);
    const { data } = volume;
    const own = handling.handOver === true && data.byteOffset === 0 && data.buffer instanceof ArrayBuffer && data.buffer.byteLength === data.byteLength;
    // Only what the encoder reads crosses: the voxels, the shape, the affine and the header.
    const sent = { data, shape: volume.shape, affine: volume.affine, ...(volume.header === undefined ? {} : { header: volume.header }) };
    return unwrap(await this.pool.exec('encode', [path, sent, options], own ? { transfer: [data.buffer] } : {}));
  }

  /**
   * Stops the workers once their tasks are done.
   *
   * @example
   * ```ts
   * const threads = new NiftiThreads({ threads: 2 });
   * await threads.close();
   * ```
   */
  async close(): Promise<void> {
    await this.pool?.terminate();
  }
}

/** The value of a worker's answer, or its error thrown again as its own class. */
function unwrap<T>(outcome: Outcome<T>): T {
  if ('value' in outcome) return outcome.value;
  throw reviveError(outcome.error);
}

/** A pool of `threads` worker threads running nifti-worker.ts. */
function startPool(threads: number): workerpool.Pool {
  const { code, execArgv } = workerThreadSource(import.meta.url, 'nifti-worker');
  return workerpool.pool(code, { workerType: 'thread', maxWorkers: threads, workerThreadOpts: { eval: true, execArgv } });
}
