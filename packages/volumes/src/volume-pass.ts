import type { MaskGeometry, Volume, VolumeResource, VoxelArray } from '@combat/base';
import { findVolumeProblem, refuseArgument } from '@combat/base/internal';
import type { CheckOptions, Phase } from './check-volumes.js';
import { AffineMismatchError } from './errors.js';
import { KeptResource, type KeptVolume } from './kept-volumes.js';
import { checkFrame, checkShape, copyMasked, flattenMasked, type VolumeFrame } from './mask.js';
import { describeVolume } from './naming.js';

/**
 * Volumes loaded ahead of the one in hand: reading and inflating the next ones (on other
 * threads, for files) overlaps the work on this one, with at most this many more in memory.
 */
const READ_AHEAD = 2;

/**
 * One pass over volumes, in order: each is loaded, checked against the mask (see
 * {@link checkMasked}) and its in-mask voxels given to `visit` with the volume and its index;
 * progress is reported after each as `phase`. The next {@link READ_AHEAD} volumes are loaded
 * while one is visited; none is kept otherwise, except by a {@link KeptResource}: every pass but
 * `adjust` keeps its volume (within its budget), and the `adjust` pass takes it instead of loading
 * it again (it was checked against this mask when kept). `indices` restricts the pass to some
 * volumes (all by default); `first` is volume 0 already loaded, used instead of loading it again.
 * A resource that can load only some voxels (see {@link VoxelResource}) gives only those in the
 * mask, unless `whole` (or a resource that keeps whole volumes) asks for every voxel.
 * The row given to `visit` is reused by the next volume: copy what must outlive the call.
 */
export async function streamVolumes<H>(
  volumes: readonly VolumeResource<H>[],
  mask: MaskGeometry,
  options: CheckOptions,
  phase: Phase,
  visit: (row: Float64Array, volume: VolumeFrame<H>, index: number) => void | Promise<void> = () => undefined,
  { indices, first, whole = false }: { indices?: readonly number[]; first?: unknown; whole?: boolean } = {},
): Promise<void> {
  const row = new Float64Array(mask.indices.length);
  const order = indices ?? volumes.map((_, i) => i);
  const read = (i: number): Promise<Read<H>> => {
    const resource = volumes[i]!;
    const kept: KeptVolume<H> | undefined = phase === 'adjust' && resource instanceof KeptResource ? resource.take(mask) : undefined;
    if (kept !== undefined) return Promise.resolve({ kept });
    const inner = resource instanceof KeptResource ? (resource.resource as VolumeResource<H>) : resource;
    const masked = !(i === 0 && first !== undefined) && !whole && !(resource instanceof KeptResource && resource.whole) && canLoadVoxels(inner);
    // A load() that throws rather than rejects fails in its turn too.
    const reading: Promise<Read<H>> = masked
      ? new Promise<unknown>((resolve) => resolve(inner.loadVoxels(mask.indices))).then((loaded) => ({ loaded }))
      : (i === 0 && first !== undefined ? Promise.resolve(first) : new Promise<unknown>((resolve) => resolve(resource.load()))).then((volume) => ({ volume }));
    // Handled when its turn comes; a volume read ahead of one that fails is dropped unseen.
    reading.catch(() => undefined);
    return reading;
  };
  const reads = new Map<number, Promise<Read<H>>>();
  let next = 0;
  for (const [done, i] of order.entries()) {
    for (; next < order.length && next <= done + READ_AHEAD; next++) reads.set(next, read(order[next]!));
    const found = await reads.get(done)!;
    reads.delete(done);
    if ('kept' in found) {
      row.set(found.kept.voxels);
      await visit(row, found.kept.frame, i);
    } else if ('loaded' in found) {
      const resource = volumes[i]!;
      const { volume, voxels } = checkLoaded<H>(found.loaded, describeVolume(resource, (found.loaded as { image?: unknown } | null)?.image, i, volumes.length), mask, options, row);
      if (phase !== 'adjust' && resource instanceof KeptResource) resource.keepVoxels(volume, voxels, mask);
      await visit(row, volume, i);
    } else {
      const resource = volumes[i]!;
      const { volume } = found;
      checkMasked(volume, describeVolume(resource, volume, i, volumes.length), mask, options, row);
      if (phase !== 'adjust' && resource instanceof KeptResource) resource.keep(volume, row, mask);
      await visit(row, volume as Volume<H>, i);
    }
    options.onProgress?.({ phase, done: done + 1, total: order.length });
  }
}

/** A volume of a pass: kept by an earlier pass, or loaded whole or its in-mask voxels only (not checked yet). */
type Read<H> = { readonly kept: KeptVolume<H> } | { readonly volume: unknown } | { readonly loaded: unknown };

/**
 * A volume resource that can also load only the voxels at some flat indices (as `@combat/io-nifti`'s
 * `NiftiFileResource` does, on another thread when it has threads): the volume without its voxels,
 * and those voxels, in its type. The passes load volumes this way when they need only the
 * voxels in the mask.
 */
interface VoxelResource<H> extends VolumeResource<H> {
  loadVoxels(indices: Int32Array): Promise<{ readonly image: VolumeFrame<H>; readonly voxels: VoxelArray }>;
}

function canLoadVoxels<H>(resource: VolumeResource<H>): resource is VoxelResource<H> {
  return typeof (resource as Partial<VoxelResource<H>>).loadVoxels === 'function';
}

/**
 * {@link checkMasked} for what `loadVoxels` gave: the volume without its voxels and its in-mask
 * voxels, which are copied into `row`.
 */
function checkLoaded<H>(loaded: unknown, name: string, mask: MaskGeometry, options: CheckOptions, row: Float64Array): { volume: VolumeFrame<H>; voxels: VoxelArray } {
  const { image, voxels } = (loaded ?? {}) as { image?: VolumeFrame<H>; voxels?: VoxelArray };
  // The frame is checked as a volume would be, its voxels standing for its data.
  const problem = findVolumeProblem({ ...image, shape: [(voxels as VoxelArray | undefined)?.length ?? 0], data: voxels });
  if (problem !== undefined || voxels!.length !== mask.indices.length) refuseArgument(`${name}: loadVoxels()`, `the volume without its voxels and its ${mask.indices.length} voxels in the mask`, loaded);
  const volume = image as VolumeFrame<H>;
  checkFrame(volume, name, mask.shape);
  if (!options.allowAffineMismatch) checkAffine(volume, name, mask, options.affineTolerance ?? 1e-5);
  copyMasked(voxels!, mask.indices, volume.shape, row, name);
  return { volume, voxels: voxels! };
}

/**
 * Checks a loaded volume against the mask (a volume, 3D, the mask's shape, the mask's affine
 * unless allowed) and copies its in-mask voxels into `row`, refusing infinite ones.
 */
export function checkMasked(volume: unknown, name: string, mask: MaskGeometry, options: CheckOptions, row: Float64Array): asserts volume is Volume {
  checkShape(volume, name, mask.shape);
  if (!options.allowAffineMismatch) checkAffine(volume, name, mask, options.affineTolerance ?? 1e-5);
  flattenMasked(volume, mask.indices, row, name);
}

/** Entries equal, both NaN, or within the tolerance relative to max(1, |mask's entry|). */
function checkAffine(volume: VolumeFrame, name: string, mask: MaskGeometry, tolerance: number): void {
  for (let at = 0; at < 16; at++) {
    const expected = mask.affine[at];
    const found = volume.affine[at];
    if (found === expected || (Number.isNaN(found) && Number.isNaN(expected))) continue;
    if (!(Math.abs(found - expected) <= tolerance * Math.max(1, Math.abs(expected)))) {
      throw new AffineMismatchError(
        `${name}: its affine differs from the mask's${mask.source ? ` (${mask.source})` : ''} at row ${Math.floor(at / 4)}, column ${at % 4}: ` +
          `${found} vs ${expected} (tolerance ${tolerance})`,
        { remedy: { allowAffineMismatch: true } },
      );
    }
  }
}
