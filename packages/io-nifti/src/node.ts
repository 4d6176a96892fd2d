import { InvalidArgumentError } from '@combat/core';
/**
 * File-system helpers of @combat/io-nifti, for Node: read and write `.nii`/`.nii.gz` files and
 * file-backed volume resources. Inflating and deflating use Node's zlib.
 */
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import { describeValue, siteEffectMaps, type Volume, type VolumeEstimates, type VolumeResource } from '@combat/volumes';
import { readOptions, requireOptions, requireString } from './arguments.js';
import { NiftiCollector } from './collect.js';
import { buildImage, isGzip, type NiftiImage } from './decode.js';
import { encodeNifti, type EncodeOptions } from './encode.js';
import { NiftiFormatError, NiftiWriteError } from './errors.js';
import { CHECK_LIMIT } from './gunzip.js';

const deflate = promisify(gzip);

/** Bytes read from a file, and inflated by zlib, at a time (zlib waits for each to be taken). */
const CHUNK = 64 * 1024;

/**
 * Options of {@link readNifti}: the largest voxel array to allocate, in bytes (default 1 GiB; the
 * image in its on-disk type, or in float64 when scaled).
 *
 * @example
 * ```ts
 * const options: ReadNiftiOptions = { maxBytes: 2 ** 30 };
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
 * larger than `maxBytes` (default 1 GiB) is refused before anything is allocated. Everything that
 * is not a readable image is a NiftiFormatError naming the path.
 *
 * @example
 * ```ts
 * import { readNifti } from '@combat/io-nifti/node';
 * const image = await readNifti('sub-01_FA.nii.gz');
 * ```
 */
export async function readNifti(path: string, options: ReadNiftiOptions = {}): Promise<NiftiImage> {
  requireString(path, 'path');
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
    throw new NiftiFormatError(path, `${typeof code === 'string' && code.startsWith('Z_') ? 'corrupt gzip data' : 'cannot be read'}: ${message}`);
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
    throw new NiftiFormatError(path, `cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Options of {@link encodeNiftiFile}: the voxel type (float32 by default) and the gzip level.
 *
 * @example
 * ```ts
 * const options: EncodeFileOptions = { dtype: 'float64', level: 9 };
 * ```
 */
export type EncodeFileOptions = Omit<EncodeOptions, 'gzip' | 'file'>;

/**
 * The bytes {@link writeNifti} writes for a path: the volume as NIfTI-1, deflated with Node's zlib
 * when the path ends in `.gz`. For an application that stages its outputs itself. A value float32
 * cannot hold is refused (see `encodeNifti`), naming the path.
 *
 * @example
 * ```ts
 * const bytes = await encodeNiftiFile('out/sub-01_FA.nii.gz', harmonized, { dtype: 'float32' });
 * ```
 */
export async function encodeNiftiFile(path: string, volume: Volume, options: EncodeFileOptions = {}): Promise<Uint8Array> {
  requireString(path, 'path');
  const raw = encodeNifti(volume, { ...requireOptions(options, 'options'), gzip: false, file: path });
  return path.endsWith('.gz') ? deflate(raw, { level: options.level ?? 6 }) : raw;
}

/**
 * Options of {@link writeNifti}: the encoding, and files the write must never replace.
 *
 * @example
 * ```ts
 * const options: WriteNiftiOptions = { dtype: 'float32', protect: inputPaths };
 * ```
 */
export interface WriteNiftiOptions extends EncodeFileOptions {
  /** Paths that must not be overwritten (the inputs); the volume's own source is always included. */
  readonly protect?: readonly string[];
}

/**
 * Writes a volume as NIfTI-1 (the bytes of {@link encodeNiftiFile}), gzipped when the path ends
 * in `.gz`. The file appears whole or not at all (written to a temporary file beside it, then
 * renamed), and never replaces an input: the volume's own source file or any path in `protect`.
 *
 * @example
 * ```ts
 * await writeNifti('out/sub-01_FA.nii.gz', harmonized, { protect: ['in/sub-01_FA.nii.gz'] });
 * ```
 */
export async function writeNifti(path: string, volume: Volume, options: WriteNiftiOptions = {}): Promise<void> {
  requireString(path, 'path');
  const { protect = [] } = requireOptions(options, 'options');
  if (!Array.isArray(protect) || !protect.every((p) => typeof p === 'string')) {
    throw new InvalidArgumentError(`options.protect: expected an array of paths; received ${describeValue(protect)}`);
  }
  const target = await canonical(path);
  const source = (volume as Partial<Volume> | null)?.metadata?.source;
  for (const input of [...protect, ...(typeof source === 'string' ? [source] : [])]) {
    if ((await canonical(input)) === target) {
      throw new NiftiWriteError(`refusing to write ${path}: it is an input (${input}); choose another output path`);
    }
  }
  const bytes = await encodeNiftiFile(path, volume, options);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * A NIfTI file as a volume resource: nothing is read until `load()`, and each `load()` reads the
 * file again, so a streaming fit holds one volume at a time. `options` go to {@link readNifti}.
 *
 * @example
 * ```ts
 * const volumes = paths.map((p) => new NiftiFileResource(p));
 * await harmonizeVolumesStreaming(volumes, covars, options, sink);
 * ```
 */
export class NiftiFileResource implements VolumeResource {
  constructor(
    readonly name: string,
    readonly options: ReadNiftiOptions = {},
  ) {
    requireString(name, 'name');
    readOptions(options, name);
  }

  load(): Promise<NiftiImage> {
    return readNifti(this.name, this.options);
  }
}

/**
 * Writes each site's effect maps (see `siteEffectMaps` of @combat/volumes) into a folder, at the
 * paths {@link effectMapPath} gives. Returns the paths written.
 *
 * @example
 * ```ts
 * const paths = await writeEffectMaps('effect-maps', estimates, { dtype: 'float32' });
 * ```
 */
export async function writeEffectMaps(directory: string, estimates: VolumeEstimates, options: WriteNiftiOptions = {}): Promise<string[]> {
  requireString(directory, 'directory');
  const paths: string[] = [];
  for (const { batch, gammaStar, deltaStar } of siteEffectMaps(estimates)) {
    for (const [kind, volume] of [['gammaStar', gammaStar], ['deltaStar', deltaStar]] as const) {
      const path = effectMapPath(directory, kind, batch);
      await writeNifti(path, volume, options);
      paths.push(path);
    }
  }
  return paths;
}

/**
 * Where {@link writeEffectMaps} writes one site's map: `<directory>/<kind>_<site>.nii.gz`, with
 * characters other than letters, digits, `.`, `-` and `_` in the site name replaced by `_`. For an
 * application that stages the files itself (with {@link encodeNiftiFile}).
 *
 * @example
 * ```ts
 * effectMapPath('out', 'gammaStar', 'Site A'); // 'out/gammaStar_Site_A.nii.gz'
 * ```
 */
export function effectMapPath(directory: string, kind: 'gammaStar' | 'deltaStar', site: string): string {
  requireString(directory, 'directory');
  if (kind !== 'gammaStar' && kind !== 'deltaStar') throw new InvalidArgumentError(`kind: expected 'gammaStar' or 'deltaStar'; received ${describeValue(kind)}`);
  if (typeof site !== 'string') throw new InvalidArgumentError(`site: expected a batch label (a string); received ${describeValue(site)}`);
  return join(directory, `${kind}_${site.replace(/[^A-Za-z0-9._-]/g, '_')}.nii.gz`);
}

/** The absolute path with symbolic links resolved (for a path that does not exist yet, its folder's). */
async function canonical(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    try {
      return join(await realpath(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}
