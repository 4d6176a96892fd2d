/**
 * Checks the `@combat/*` packages share. Exported for them; not part of the stable API.
 */
export { describeValue, formatVoxel } from './describe.js';
export { checkVolume, findVolumeProblem } from './volume.js';
