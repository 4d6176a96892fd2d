import type { MaskGeometry } from '@combat/base';
import { NiftiFileResource, type NiftiThreads } from '@combat/io-nifti/node';
import { DataError } from './cli-io.js';
import { KeptRows } from './kept-rows.js';

/**
 * The in-mask voxels of NIfTI images, one row per image in the mask's order, for the diagnostics:
 * each image read (on `threads`, a few at a time) keeping only its in-mask voxels. An image whose
 * shape is not the mask's is an error naming it and `role`.
 */
export async function readMaskedRows(paths: readonly string[], mask: MaskGeometry, threads: NiftiThreads, role: string): Promise<KeptRows> {
  const rows = new KeptRows(paths.length, mask.indices.length);
  const inFlight = 2 * threads.threads;
  for (let first = 0; first < paths.length; first += inFlight) {
    const group = paths.slice(first, first + inFlight);
    const read = await Promise.all(group.map((path) => new NiftiFileResource(path, { threads }).loadVoxels(mask.indices)));
    read.forEach(({ image, voxels }, k) => {
      const { shape } = image;
      if (shape.length !== mask.shape.length || shape.some((n, d) => n !== mask.shape[d])) {
        throw new DataError(`${group[k]} (${role}): a ${image.shape.join('x')} image; expected the mask\u2019s shape, ${mask.shape.join('x')}`);
      }
      rows.set(first + k, voxels);
    });
  }
  return rows;
}
