import type { MaskGeometry, VolumeResource } from '@combat/base';
import { checkBoolean, checkFunction, checkObject, checkOptionalString, checkOptions, findMaskGeometryProblem, refuseArgument } from '@combat/base/internal';
import { requireResources } from './arguments.js';
import { streamVolumes } from './volume-pass.js';

/**
 * How volumes are checked against the mask, and progress reports.
 *
 * @example
 * ```ts
 * const phases: string[] = [];
 * const options: CheckOptions = { affineTolerance: 1e-4, onProgress: ({ phase, done, total }) => void phases.push(`${phase} ${done}/${total}`) };
 * await checkVolumes(volumes.slice(0, 2), estimates.mask, options);
 * phases; // ['check 1/2', 'check 2/2']
 * ```
 */
export interface CheckOptions {
  /** Accept volumes whose affine differs from the mask's (default: an error). */
  readonly allowAffineMismatch?: boolean;
  /** Largest difference between affine entries, relative to max(1, |mask's entry|); default 1e-5. */
  readonly affineTolerance?: number;
  /**
   * Called after each volume of each pass: `check` (validation only), `fit`, `estimate` (the
   * first pass of `adjustVolumes` when it estimates new batches), `adjust`.
   */
  readonly onProgress?: (progress: { phase: Phase; done: number; total: number }) => void;
}

/** The passes over volumes that report progress. */
export type Phase = 'check' | 'fit' | 'estimate' | 'adjust';

/**
 * Reads every volume once, one at a time (none is kept), and checks what fitting or adjusting
 * would refuse: that it loads, that it is a 3D volume of the mask's shape, that its affine is the
 * mask's (unless `allowAffineMismatch`), and that its voxels inside the mask are finite or NaN.
 * Messages name the volume by its source (the file: its resource's `source`, else the loaded
 * volume's). Call it before producing any output so that a bad fifth image is found before four
 * outputs exist (`adjustVolumes` does, by default).
 *
 * @throws `VolumeShapeError` when a volume is not 3D or not of the mask's shape.
 * @throws `AffineMismatchError` when a volume's affine differs from the mask's (unless allowed).
 * @throws `InvalidValueError` (core's) when a voxel inside the mask is infinite.
 * @throws `InvalidArgumentError` (base's) when an argument is of the wrong kind, or a resource's
 * `load()` gives something that is not a volume.
 * @example
 * ```ts
 * import { InMemoryVolumeResource, identityAffine } from '@combat/base';
 * import { checkVolumes } from '@combat/volumes';
 * await checkVolumes(volumes, estimates.mask); // undefined
 * const flat = new InMemoryVolumeResource({ shape: [4, 1, 1], affine: identityAffine(), data: new Float64Array(4) }, 'flat.nii.gz');
 * await checkVolumes([flat], estimates.mask);
 * // throws VolumeShapeError: flat.nii.gz has shape 4x1x1; expected 2x2x1 like the others
 * ```
 */
export async function checkVolumes(volumes: readonly VolumeResource[], mask: MaskGeometry, options: CheckOptions = {}): Promise<void> {
  requireResources(volumes, 'volumes');
  requireGeometry(mask, 'mask');
  requireCheckOptions(options);
  await streamVolumes(volumes, mask, options, 'check');
}

/**
 * Throws an InvalidArgumentError unless `mask` is a mask geometry: a 3D shape, a Float64Array
 * affine of 16 values, Int32Array indices of voxels inside the shape, an optional string source.
 */
export function requireGeometry(mask: unknown, what: string): asserts mask is MaskGeometry {
  const { shape, affine, indices, source } = checkObject(mask, what);
  // Ascending and in range, as MaskGeometry promises: a repeated voxel would be written twice.
  const problem = findMaskGeometryProblem(shape, affine instanceof Float64Array ? affine : null, indices);
  if (problem !== null) {
    const index = (at: number) => (indices as Int32Array)[at];
    if (problem.part === 'shape') refuseArgument(`${what}.shape`, '3 sizes of at least 1', shape);
    if (problem.part === 'affine') refuseArgument(`${what}.affine`, 'a Float64Array of 16 finite values', affine);
    if (problem.part === 'indices') refuseArgument(`${what}.indices`, 'an Int32Array', indices);
    if (problem.part === 'index') refuseArgument(`${what}.indices[${problem.at}]`, `a voxel index from 0 to ${problem.voxels - 1}`, index(problem.at));
    if (problem.part === 'order') refuseArgument(`${what}.indices[${problem.at}]`, `an index above ${index(problem.at - 1)} (indices strictly ascending)`, index(problem.at));
  }
  checkOptionalString(source, `${what}.source`);
}

/**
 * Throws an InvalidArgumentError unless `options` is undefined or an object whose check options
 * (and `preserveOutOfMask`) have the right types.
 */
export function requireCheckOptions(options: unknown): asserts options is (CheckOptions & { preserveOutOfMask?: boolean }) | undefined {
  const { allowAffineMismatch, affineTolerance, onProgress, preserveOutOfMask } = checkOptions(options);
  if (allowAffineMismatch !== undefined) checkBoolean(allowAffineMismatch, 'options.allowAffineMismatch');
  if (preserveOutOfMask !== undefined) checkBoolean(preserveOutOfMask, 'options.preserveOutOfMask');
  if (affineTolerance !== undefined && !(typeof affineTolerance === 'number' && affineTolerance >= 0 && Number.isFinite(affineTolerance))) {
    refuseArgument('options.affineTolerance', 'a finite number of at least 0', affineTolerance);
  }
  if (onProgress !== undefined) checkFunction(onProgress, 'options.onProgress');
}
