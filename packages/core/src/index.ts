export { CombatError, InvalidArgumentError, type ErrorContext } from '@combat/base';
export { CombatAccumulator } from './accumulator.js';
export { applyCombat, applyEncoded } from './apply.js';
export { codeDesign, encodeCovariates, type CategoricalCoding, type DesignCoding, type EncodedRows } from './design.js';
export {
  ConfoundedDesignError,
  CovariateNameError,
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
export type { ModelMeta } from './model-checks.js';
export { MODEL_FORMAT_VERSION, deserializeModel, serializeModel, type SerializedModel } from './serialize.js';
export type { CombatOptions, CombatWarning, Covariates, DataMatrix, UnadjustedCause, UnadjustedReason } from './types.js';
export { describeUnadjusted } from './warnings.js';
