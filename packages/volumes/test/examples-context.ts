import { InMemoryVolumeResource, identityAffine } from '@combat/base';
import { harmonizeVolumes } from '../src/index.js';

/**
 * The variables the examples of @combat/volumes use: six 2x2x1 volumes from two batches
 * (`sub-01.nii.gz` to `sub-06.nii.gz`, the third voxel 9 in each), a mask of three voxels
 * (`mask.nii.gz`, voxels 0, 1 and 3), the covariates (batch and age), the estimates of a fit, and
 * three volumes of a site the fit has not seen (`newSite`, `sub-07.nii.gz` to `sub-09.nii.gz`,
 * batch C, two of them older than every training subject) with their covariates.
 */
export async function context() {
  const affine = identityAffine();
  const values = [
    [1.0, 2.1, 3.2],
    [1.3, 2.0, 3.6],
    [0.9, 2.4, 3.1],
    [2.2, 3.5, 4.9],
    [2.6, 3.1, 5.6],
    [1.9, 3.9, 5.2],
    [3.1, 1.2, 2.4],
    [3.6, 1.5, 2.1],
    [2.8, 1.1, 2.9],
  ];
  const resources = values.map(
    ([a, b, c], i) => new InMemoryVolumeResource({ data: Float64Array.of(a!, b!, 9, c!), shape: [2, 2, 1], affine }, `sub-0${i + 1}.nii.gz`),
  );
  const volumes = resources.slice(0, 6);
  const newSite = resources.slice(6);
  const mask = new InMemoryVolumeResource({ data: Uint8Array.of(1, 1, 0, 1), shape: [2, 2, 1], affine }, 'mask.nii.gz');
  const covariates = { batch: ['A', 'A', 'A', 'B', 'B', 'B'], continuous: { age: [30, 42, 51, 58, 66, 74] } };
  const newSiteCovariates = { batch: ['C', 'C', 'C'], continuous: { age: [47, 79, 83] } };
  const { estimates } = await harmonizeVolumes(volumes, covariates, { mask });
  return { volumes, mask, covariates, estimates, newSite, newSiteCovariates };
}
