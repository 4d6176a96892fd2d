import { describeValue } from './describe.js';
import { InvalidArgumentError } from './errors.js';

/**
 * The voxel types a volume may hold (NIfTI's integer and float datatypes).
 *
 * @example
 * ```ts
 * import type { VoxelArray } from '@combat/base';
 * const voxels: VoxelArray = new Float32Array(91 * 109 * 91);
 * voxels.length; // 902629
 * ```
 */
export type VoxelArray = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * An image, as nibabel has one: its voxels in i-fastest (Fortran, NIfTI) order
 * (`data[i + nx * (j + ny * k)]`), its shape, its voxel-to-world affine (4 x 4, row-major), the
 * header of the format it was read from (typed by the reader, e.g. io-nifti's `NiftiHeader`;
 * writers reuse it), and its `source` (the file it came from, named in messages).
 *
 * @example
 * ```ts
 * import { identityAffine, type Volume } from '@combat/base';
 * const volume: Volume = { shape: [2, 2, 1], affine: identityAffine(), data: new Float64Array(4) };
 * volume.data.length; // 4
 * ```
 */
export interface Volume<H = unknown> {
  readonly data: VoxelArray;
  readonly shape: readonly number[];
  readonly affine: Float64Array;
  readonly header?: H;
  readonly source?: string;
}

/**
 * Something that yields a volume when asked: in memory, or a file read on demand. `source` says
 * where it comes from (a path) for messages; `load` may be called more than once (the streaming
 * fit reads each volume twice) and must return unmodified data each time.
 *
 * The source that names a volume in messages is `resource.source ?? volume.source`: the
 * resource's, else that of the volume it loads ({@link InMemoryVolumeResource}'s `source` is the
 * volume's own when none is given).
 *
 * @example
 * ```ts
 * import { identityAffine, type VolumeResource } from '@combat/base';
 * const resource: VolumeResource = { source: 'sub-01', load: async () => ({ shape: [1, 1, 1], affine: identityAffine(), data: new Float64Array(1) }) };
 * (await resource.load()).shape; // [1, 1, 1]
 * ```
 */
export interface VolumeResource<H = unknown> {
  readonly source?: string;
  load(): Promise<Volume<H>>;
}

/**
 * Where a fit's in-mask voxels sit: the mask's shape and affine, the flat (i-fastest) index of
 * each in-mask voxel in ascending order (feature k of the model is voxel `indices[k]`), and the
 * mask's source.
 *
 * @example
 * ```ts
 * import { identityAffine, type MaskGeometry } from '@combat/base';
 * const mask: MaskGeometry = { shape: [2, 2, 1], affine: identityAffine(), indices: Int32Array.of(0, 3), source: 'mask.nii.gz' };
 * mask.indices.length; // 2
 * ```
 */
export interface MaskGeometry {
  readonly shape: readonly number[];
  readonly affine: Float64Array;
  readonly indices: Int32Array;
  readonly source?: string;
}

/**
 * A volume held in memory, checked when made: its `source` is the one given, else the volume's
 * own `source`.
 *
 * @throws {@link InvalidArgumentError} when `volume` is not a {@link Volume} (a shape of sizes of at
 * least 1, a Float64Array affine of 16 values, one voxel value per voxel of a {@link VoxelArray}
 * type) or `source` is not a string.
 * @example
 * ```ts
 * import { InMemoryVolumeResource, identityAffine } from '@combat/base';
 * const resource = new InMemoryVolumeResource({ shape: [4, 4, 4], affine: identityAffine(), data: new Float32Array(64) }, 'sub-01');
 * (await resource.load()).data.length; // 64
 * new InMemoryVolumeResource({ shape: [1, 1, 1], affine: identityAffine(), data: new Float64Array(1), source: 'sub-02.nii.gz' }).source; // 'sub-02.nii.gz'
 * new InMemoryVolumeResource({ shape: [2, 1, 1], affine: identityAffine(), data: new Float64Array(1) }, 'sub-03');
 * // throws InvalidArgumentError: sub-03: data has 1 values; expected 2 for its shape 2x1x1
 * ```
 */
export class InMemoryVolumeResource<H = unknown> implements VolumeResource<H> {
  /** Where the volume comes from, for messages: the `source` given, else the volume's own. */
  readonly source?: string;

  /**
   * @throws {@link InvalidArgumentError} when `volume` is not a {@link Volume} or `source` is not a
   * string.
   */
  constructor(
    readonly volume: Volume<H>,
    source?: string,
  ) {
    if (source !== undefined && typeof source !== 'string') throw new InvalidArgumentError(`source: expected a string or undefined; received ${describeValue(source)}`);
    checkVolume(volume, source ?? 'volume');
    this.source = source ?? volume.source;
  }

  async load(): Promise<Volume<H>> {
    return this.volume;
  }
}

/**
 * The 4 x 4 identity, row-major.
 *
 * @example
 * ```ts
 * import { identityAffine } from '@combat/base';
 * identityAffine()[0]; // 1
 * ```
 */
export function identityAffine(): Float64Array {
  return Float64Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
}

const VOXEL_ARRAYS = [Float64Array, Float32Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array] as const;

/**
 * Why a value is not a {@link Volume} (e.g. `data has 3 values; expected 4 for its shape 2x2x1`),
 * or undefined when it is one: an object whose `shape` lists sizes of at least 1, whose `affine`
 * is a Float64Array of 16 values, whose `data` is one of the {@link VoxelArray} types with one
 * value per voxel, and whose `source`, if any, is a string.
 */
export function findVolumeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `expected a volume { data, shape, affine }; received ${describeValue(value)}`;
  const { shape, affine, data, source } = value as Record<string, unknown>;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    return `expected shape to be a list of sizes of at least 1; received ${Array.isArray(shape) ? JSON.stringify(shape) : describeValue(shape)}`;
  }
  if (!(affine instanceof Float64Array) || affine.length !== 16) {
    return `expected affine to be a Float64Array of 16 values (4 x 4, row-major); received ${describeValue(affine)}`;
  }
  if (!VOXEL_ARRAYS.some((type) => data instanceof type)) {
    return `expected data to be a Float64Array, Float32Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array or Uint32Array; received ${describeValue(data)}`;
  }
  const voxels = (shape as number[]).reduce((a, n) => a * n, 1);
  if ((data as ArrayLike<number>).length !== voxels) return `data has ${(data as ArrayLike<number>).length} values; expected ${voxels} for its shape ${shape.join('x')}`;
  if (source !== undefined && typeof source !== 'string') return `expected source to be a string or undefined; received ${describeValue(source)}`;
  return undefined;
}

/**
 * Throws an {@link InvalidArgumentError} `<what>: <problem>` unless `value` is a volume (see
 * {@link findVolumeProblem}).
 *
 * @throws {@link InvalidArgumentError} when `value` is not a volume.
 */
export function checkVolume(value: unknown, what: string): asserts value is Volume {
  const problem = findVolumeProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`${what}: ${problem}`);
}

/**
 * What breaks a mask geometry's rules, by part: a `shape` that is not 3 safe integers of at least
 * 1; an `affine` that is not 16 finite numbers; `indices` that are not an Int32Array; an `index`
 * outside the shape's voxels (at position `at`); indices not in strictly ascending `order` (at
 * `at`, the first that is not above the one before). Null when there is nothing. Each package words
 * the problem for its own input.
 */
export type MaskGeometryProblem =
  | { readonly part: 'shape' | 'affine' | 'indices' }
  | { readonly part: 'index'; readonly at: number; readonly voxels: number }
  | { readonly part: 'order'; readonly at: number };

/** The first problem of a mask geometry's parts (see {@link MaskGeometryProblem}), or null. */
export function findMaskGeometryProblem(shape: unknown, affine: unknown, indices: unknown): MaskGeometryProblem | null {
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => Number.isSafeInteger(n) && n >= 1)) return { part: 'shape' };
  const entries = affine instanceof Float64Array ? Array.from(affine) : affine;
  if (!Array.isArray(entries) || entries.length !== 16 || !entries.every((x) => typeof x === 'number' && Number.isFinite(x))) return { part: 'affine' };
  if (!(indices instanceof Int32Array)) return { part: 'indices' };
  const voxels = (shape[0] as number) * (shape[1] as number) * (shape[2] as number);
  for (let k = 0; k < indices.length; k++) {
    const at = indices[k] as number;
    if (at < 0 || at >= voxels) return { part: 'index', at: k, voxels };
    if (k > 0 && at <= (indices[k - 1] as number)) return { part: 'order', at: k };
  }
  return null;
}
