/**
 * File-system helpers of @combat/io-nifti, for Node: read and write `.nii`/`.nii.gz` files and
 * file-backed volume resources. Inflating and deflating use Node's zlib.
 */
import { randomBytes } from 'node:crypto';
import { readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { siteEffectMaps, type VolumeEstimates, type VolumeResource, type Volume } from '@combat/volumes';
import { decodeUncompressed, isGzip, type NiftiImage } from './decode.js';
import { encodeNifti, type EncodeOptions } from './encode.js';
import { NiftiFormatError, NiftiWriteError } from './errors.js';

const inflate = promisify(gunzip);
const deflate = promisify(gzip);

/**
 * Reads a `.nii` or `.nii.gz` file (gzip is detected from the bytes, not the name).
 *
 * @example
 * ```ts
 * import { readNifti } from '@combat/io-nifti/node';
 * const image = await readNifti('sub-01_FA.nii.gz');
 * ```
 */
export async function readNifti(path: string): Promise<NiftiImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new NiftiFormatError(path, `cannot be read: ${(error as Error).message}`);
  }
  if (isGzip(bytes)) {
    try {
      bytes = await inflate(bytes);
    } catch (error) {
      throw new NiftiFormatError(path, `corrupt gzip data: ${(error as Error).message}`);
    }
  }
  return decodeUncompressed(bytes, { file: path });
}

/**
 * Options of {@link writeNifti}: the encoding, and files the write must never replace.
 *
 * @example
 * ```ts
 * const options: WriteNiftiOptions = { dtype: 'float32', protect: inputPaths };
 * ```
 */
export interface WriteNiftiOptions extends Omit<EncodeOptions, 'gzip'> {
  /** Paths that must not be overwritten (the inputs); the volume's own source is always included. */
  readonly protect?: readonly string[];
}

/**
 * Writes a volume as NIfTI-1, gzipped when the path ends in `.gz`. The file appears whole or not
 * at all (written to a temporary file beside it, then renamed), and never replaces an input: the
 * volume's own source file or any path in `protect`.
 *
 * @example
 * ```ts
 * await writeNifti('out/sub-01_FA.nii.gz', harmonized, { protect: ['in/sub-01_FA.nii.gz'] });
 * ```
 */
export async function writeNifti(path: string, volume: Volume, options: WriteNiftiOptions = {}): Promise<void> {
  const target = await canonical(path);
  const source = volume.metadata.source;
  const protectedPaths = [...(options.protect ?? []), ...(typeof source === 'string' ? [source] : [])];
  for (const input of protectedPaths) {
    if ((await canonical(input)) === target) {
      throw new NiftiWriteError(`refusing to write ${path}: it is an input (${input}); choose another output path`);
    }
  }
  const raw = encodeNifti(volume, { ...options, gzip: false });
  const bytes = path.endsWith('.gz') ? await deflate(raw, { level: options.level ?? 6 }) : raw;
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
 * file again, so a streaming fit holds one volume at a time.
 *
 * @example
 * ```ts
 * const volumes = paths.map((p) => new NiftiFileResource(p));
 * await harmonizeVolumesStreaming(volumes, covars, options, sink);
 * ```
 */
export class NiftiFileResource implements VolumeResource {
  constructor(readonly name: string) {}

  load(): Promise<NiftiImage> {
    return readNifti(this.name);
  }
}

/**
 * Writes each site's effect maps (see `siteEffectMaps` of @combat/volumes) into a folder as
 * `gammaStar_<site>.nii.gz` and `deltaStar_<site>.nii.gz` (characters other than letters, digits,
 * `.`, `-` and `_` in a site name become `_`). Returns the paths written.
 *
 * @example
 * ```ts
 * const paths = await writeEffectMaps('effect-maps', estimates, { dtype: 'float32' });
 * ```
 */
export async function writeEffectMaps(directory: string, estimates: VolumeEstimates, options: WriteNiftiOptions = {}): Promise<string[]> {
  const paths: string[] = [];
  for (const { batch, gammaStar, deltaStar } of siteEffectMaps(estimates)) {
    const site = batch.replace(/[^A-Za-z0-9._-]/g, '_');
    for (const [name, volume] of [['gammaStar', gammaStar], ['deltaStar', deltaStar]] as const) {
      const path = join(directory, `${name}_${site}.nii.gz`);
      await writeNifti(path, volume, options);
      paths.push(path);
    }
  }
  return paths;
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
