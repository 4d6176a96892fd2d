import { InvalidArgumentError } from '@combat/core';
import { describeValue, requireObject, requireResources } from './arguments.js';
import { AffineMismatchError } from './errors.js';
import { checkShape, flattenMasked } from './mask.js';
import type { Volume, VolumeResource } from './volume.js';

/**
 * Where the mask is: its shape, its affine (4 x 4, row-major), the indices of its voxels above 0
 * (i-fastest, ascending; feature k of a model is voxel `indices[k]`) and, for messages, its file.
 *
 * @example
 * ```ts
 * const mask: MaskGeometry = { shape: [91, 109, 91], affine, indices: maskIndices(maskVolume), name: 'mask.nii.gz' };
 * ```
 */
export interface MaskGeometry {
  readonly shape: readonly number[];
  readonly affine: Float64Array;
  readonly indices: Int32Array;
  /** The mask's file (its resource's name), named in messages. */
  readonly name?: string;
}

/**
 * How volumes are checked against the mask, and progress reports.
 *
 * @example
 * ```ts
 * const options: CheckOptions = { affineTolerance: 1e-4, onProgress: ({ phase, done, total }) => console.log(phase, done, total) };
 * ```
 */
export interface CheckOptions {
  /** Accept volumes whose affine differs from the mask's (default: an error). */
  readonly allowAffineMismatch?: boolean;
  /** Largest difference between affine entries, relative to max(1, |mask's entry|); default 1e-5. */
  readonly affineTolerance?: number;
  /** Called after each volume of each pass: `check` (validation only), `fit`, `adjust`. */
  readonly onProgress?: (progress: { phase: 'check' | 'fit' | 'adjust'; done: number; total: number }) => void;
}

/**
 * Reads every volume once, one at a time (none is kept), and checks what fitting or adjusting
 * would refuse: that it loads, that it is a 3D volume of the mask's shape, that its affine is the
 * mask's (unless `allowAffineMismatch`), and that its voxels inside the mask are finite or NaN.
 * Messages name the volume by its resource's name (the file). Call it before producing any output
 * so that a bad fifth image is found before four outputs exist (`adjustVolumes` does, by default).
 *
 * @example
 * ```ts
 * await checkVolumes(paths.map((p) => new NiftiFileResource(p)), estimates.mask);
 * ```
 */
export async function checkVolumes(volumes: readonly VolumeResource[], mask: MaskGeometry, options: CheckOptions = {}): Promise<void> {
  requireResources(volumes, 'volumes');
  requireGeometry(mask, 'mask');
  requireCheckOptions(options);
  await checkAll(volumes, mask, options);
}

/**
 * {@link checkVolumes} without the argument checks, for callers that made them.
 *
 * @example
 * ```ts
 * await checkAll(volumes, estimates.mask, options);
 * ```
 */
export async function checkAll(volumes: readonly VolumeResource[], mask: MaskGeometry, options: CheckOptions): Promise<void> {
  const row = new Float64Array(mask.indices.length);
  for (let i = 0; i < volumes.length; i++) {
    checkMasked(await volumes[i]!.load(), volumeName(volumes[i]!, i, volumes.length), mask, options, row);
    options.onProgress?.({ phase: 'check', done: i + 1, total: volumes.length });
  }
}

/**
 * How messages name a volume: its resource's name (the file), else `volume 4 (of 15)`, counted
 * from 1.
 *
 * @example
 * ```ts
 * volumeName({ load }, 3, 15); // 'volume 4 (of 15)'
 * ```
 */
export function volumeName(resource: VolumeResource, index: number, total: number): string {
  return resource.name ? resource.name : `volume ${index + 1} (of ${total})`;
}

/**
 * Checks a loaded volume against the mask (a volume, 3D, the mask's shape, the mask's affine
 * unless allowed) and copies its in-mask voxels into `row`, refusing infinite ones.
 *
 * @example
 * ```ts
 * checkMasked(await resource.load(), 'sub-01.nii.gz', mask, options, row);
 * ```
 */
export function checkMasked(volume: Volume, name: string, mask: MaskGeometry, options: CheckOptions, row: Float64Array): Float64Array {
  checkShape(volume, name, mask.shape);
  if (!options.allowAffineMismatch) checkAffine(volume, name, mask, options.affineTolerance ?? 1e-5);
  return flattenMasked(volume, mask.indices, row, name);
}

/** Entries equal, both NaN, or within the tolerance relative to max(1, |mask's entry|). */
function checkAffine(volume: Volume, name: string, mask: MaskGeometry, tolerance: number): void {
  for (let at = 0; at < 16; at++) {
    const expected = mask.affine[at];
    const found = volume.affine[at];
    if (found === expected || (Number.isNaN(found) && Number.isNaN(expected))) continue;
    if (!(Math.abs(found - expected) <= tolerance * Math.max(1, Math.abs(expected)))) {
      throw new AffineMismatchError(
        `${name}: its affine differs from the mask's${mask.name ? ` (${mask.name})` : ''} at row ${Math.floor(at / 4)}, column ${at % 4}: ` +
          `${found} vs ${expected} (tolerance ${tolerance})`,
        { remedy: { allowAffineMismatch: true } },
      );
    }
  }
}

/**
 * Throws a InvalidArgumentError unless `mask` is a mask geometry: a 3D shape, a Float64Array
 * affine of 16 values, Int32Array indices of voxels inside the shape, an optional string name.
 *
 * @example
 * ```ts
 * requireGeometry(estimates.mask, 'estimates.mask');
 * ```
 */
export function requireGeometry(mask: unknown, what: string): asserts mask is MaskGeometry {
  requireObject(mask, what);
  const { shape, affine, indices, name } = mask as Record<string, unknown>;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    throw new InvalidArgumentError(`${what}.shape: expected 3 sizes of at least 1; received ${Array.isArray(shape) ? JSON.stringify(shape) : describeValue(shape)}`);
  }
  if (!(affine instanceof Float64Array) || affine.length !== 16) {
    throw new InvalidArgumentError(`${what}.affine: expected a Float64Array of 16 values; received ${describeValue(affine)}`);
  }
  if (!(indices instanceof Int32Array)) throw new InvalidArgumentError(`${what}.indices: expected an Int32Array; received ${describeValue(indices)}`);
  const voxels = shape[0] * shape[1] * shape[2];
  const outside = indices.findIndex((at) => at < 0 || at >= voxels);
  if (outside >= 0) throw new InvalidArgumentError(`${what}.indices[${outside}] is ${indices[outside]}; expected a voxel index from 0 to ${voxels - 1}`);
  if (name !== undefined && typeof name !== 'string') throw new InvalidArgumentError(`${what}.name: expected a string or undefined; received ${describeValue(name)}`);
}

/**
 * Throws a InvalidArgumentError unless `options` is undefined or an object whose check options
 * (and `preserveOutOfMask`) have the right types.
 *
 * @example
 * ```ts
 * requireCheckOptions(options);
 * ```
 */
export function requireCheckOptions(options: unknown): asserts options is (CheckOptions & { preserveOutOfMask?: boolean }) | undefined {
  if (options === undefined) return;
  requireObject(options, 'options');
  const { allowAffineMismatch, affineTolerance, onProgress, preserveOutOfMask } = options as Record<string, unknown>;
  for (const [what, value] of [['allowAffineMismatch', allowAffineMismatch], ['preserveOutOfMask', preserveOutOfMask]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw new InvalidArgumentError(`options.${what}: expected true, false or undefined; received ${describeValue(value)}`);
  }
  if (affineTolerance !== undefined && !(typeof affineTolerance === 'number' && affineTolerance >= 0 && Number.isFinite(affineTolerance))) {
    throw new InvalidArgumentError(`options.affineTolerance: expected a finite number of at least 0; received ${describeValue(affineTolerance)}`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new InvalidArgumentError(`options.onProgress: expected a function or undefined; received ${describeValue(onProgress)}`);
}
