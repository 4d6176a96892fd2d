/**
 * NIfTI files for the tests of @combat/volumes. io-nifti lists volumes among its devDependencies
 * (its pipeline benchmark and browser test use it), so volumes cannot list io-nifti among its own
 * without a cycle in turbo's build graph; its tests read and write their NIfTI fixtures through
 * this module instead (a separate entry point, so tests that import only `@combat/test-support`
 * do not load io-nifti). Tests of other packages import `@combat/io-nifti/node` directly.
 */
export { NiftiFileResource, readNifti, writeNifti } from '@combat/io-nifti/node';
