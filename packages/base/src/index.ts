export { CombatError, InputOverwriteError, InputReadError, InvalidArgumentError, type ErrorContext } from './errors.js';
export { InMemoryVolumeResource, identityAffine, type MaskGeometry, type Volume, type VolumeResource, type VoxelArray } from './volume.js';
