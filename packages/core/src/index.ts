export { CombatAccumulator, checkEncodedRows, checkInputs, checkMatrix } from './accumulator.js';
export { applyCombat, applyEncoded } from './apply.js';
export { compareCodePoints } from './code-point-order.js';
export { codeDesign, encodeCovariates, type CategoricalCoding, type DesignCoding, type EncodedRows } from './design.js';
export {
  CombatError,
  type ErrorContext,
  ConfoundedDesignError,
  EmptyInputError,
  IncompatibleAccumulatorError,
  InvalidValueError,
  ModelFormatError,
  ShapeMismatchError,
  TooFewBatchesError,
  TooFewFeaturesError,
  UnknownBatchError,
  UnknownCovariateError,
} from './errors.js';
export { finalizeModel, type FitOptions } from './finalize.js';
export { harmonize, type HarmonizeResult } from './harmonize.js';
export type { CombatModel } from './model.js';
export { MODEL_FORMAT_VERSION, deserializeModel, serializeModel, type SerializedModel } from './serialize.js';
export type { CombatOptions, CombatWarning, Covariates, DataMatrix } from './types.js';
