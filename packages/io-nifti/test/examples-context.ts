import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { fixturePath } from '@combat/test-support';

/**
 * What the examples of @combat/io-nifti find in their working directory: `sub-01_FA.nii.gz` and
 * `in/sub-01_FA.nii.gz` (a 7x6x5 int16 image, sform code 2, first voxel 83), an empty `out/`
 * folder, and `bytes`, the bytes of that file.
 */
export async function context(): Promise<{ bytes: Uint8Array }> {
  const image = fixturePath('nifti-interop', 'int16.nii.gz');
  await mkdir('in');
  await mkdir('out');
  await copyFile(image, 'sub-01_FA.nii.gz');
  await copyFile(image, 'in/sub-01_FA.nii.gz');
  return { bytes: new Uint8Array(await readFile('sub-01_FA.nii.gz')) };
}
