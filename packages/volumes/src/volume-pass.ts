import type { MaskGeometry, Volume, VolumeResource } from '@combat/base';
import type { CheckOptions, Phase } from './check-volumes.js';
import { AffineMismatchError } from './errors.js';
import { checkShape, flattenMasked } from './mask.js';
import { describeVolume } from './naming.js';

/**
 * One pass over volumes, one in memory at a time (none is kept): each is loaded, checked against
 * the mask (see {@link checkMasked}) and its in-mask voxels given to `visit` with the volume and
 * its index, in order; progress is reported after each as `phase`. `indices` restricts the pass
 * to some volumes (all by default); `first` is volume 0 already loaded, used instead of loading it
 * again. The row given to `visit` is reused by the next volume: copy what must outlive the call.
 */
export async function streamVolumes<H>(
  volumes: readonly VolumeResource<H>[],
  mask: MaskGeometry,
  options: CheckOptions,
  phase: Phase,
  visit: (row: Float64Array, volume: Volume<H>, index: number) => void | Promise<void> = () => undefined,
  { indices, first }: { indices?: readonly number[]; first?: unknown } = {},
): Promise<void> {
  const row = new Float64Array(mask.indices.length);
  const order = indices ?? volumes.map((_, i) => i);
  for (const [done, i] of order.entries()) {
    const resource = volumes[i]!;
    const volume = i === 0 && first !== undefined ? first : await resource.load();
    checkMasked(volume, describeVolume(resource, volume, i, volumes.length), mask, options, row);
    await visit(row, volume as Volume<H>, i);
    options.onProgress?.({ phase, done: done + 1, total: order.length });
  }
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
