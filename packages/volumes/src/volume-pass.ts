import type { MaskGeometry, Volume, VolumeResource } from '@combat/base';
import type { CheckOptions, Phase } from './check-volumes.js';
import { AffineMismatchError } from './errors.js';
import { KeptResource, type KeptVolume } from './kept-volumes.js';
import { checkShape, flattenMasked, type VolumeFrame } from './mask.js';
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
 * The row given to `visit` is reused by the next volume: copy what must outlive the call.
 */
export async function streamVolumes<H>(
  volumes: readonly VolumeResource<H>[],
  mask: MaskGeometry,
  options: CheckOptions,
  phase: Phase,
  visit: (row: Float64Array, volume: VolumeFrame<H>, index: number) => void | Promise<void> = () => undefined,
  { indices, first }: { indices?: readonly number[]; first?: unknown } = {},
): Promise<void> {
  const row = new Float64Array(mask.indices.length);
  const order = indices ?? volumes.map((_, i) => i);
  const read = (i: number): Promise<Read<H>> => {
    const resource = volumes[i]!;
    const kept: KeptVolume<H> | undefined = phase === 'adjust' && resource instanceof KeptResource ? resource.take(mask) : undefined;
    if (kept !== undefined) return Promise.resolve({ kept });
    // A load() that throws rather than rejects fails in its turn too.
    const loading = i === 0 && first !== undefined ? Promise.resolve(first) : new Promise<unknown>((resolve) => resolve(resource.load()));
    const reading = loading.then((volume) => ({ volume }));
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

/** A volume of a pass: kept by an earlier pass, or loaded (not checked yet). */
type Read<H> = { readonly kept: KeptVolume<H> } | { readonly volume: unknown };

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
function checkAffine(volume: Volume, name: string, mask: MaskGeometry, tolerance: number): void {
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
