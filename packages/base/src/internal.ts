/**
 * Checks the `@combat/*` packages share. Exported for them; not part of the stable API.
 */
export {
  checkBoolean,
  checkBytes,
  checkFunction,
  checkInteger,
  checkNonEmptyString,
  checkObject,
  checkOneOf,
  checkOptionalString,
  checkOptions,
  checkString,
  checkStrings,
  isRecord,
  refuseArgument,
} from './arguments.js';
export { describeValue, formatVoxel } from './describe.js';
export { checkVolume, findMaskGeometryProblem, findVolumeProblem, type MaskGeometryProblem } from './volume.js';
export { rewordError } from './reword.js';
export { seededRandom } from './seeded-random.js';
export { workerThreadSource } from './worker-source.js';
