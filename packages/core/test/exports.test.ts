import * as core from '@combat/core';
import * as internal from '@combat/core/internal';
import { describe, expect, test } from 'vitest';

describe('the export lists are pinned', () => {
  test('@combat/core', () => {
    expect(Object.keys(core).sort()).toEqual([
      'CombatAccumulator',
      'CombatError',
      'ConfoundedDesignError',
      'CovariateNameError',
      'EmptyInputError',
      'IncompatibleAccumulatorError',
      'InvalidArgumentError',
      'InvalidValueError',
      'MODEL_FORMAT_VERSION',
      'ModelFormatError',
      'ShapeMismatchError',
      'TooFewBatchesError',
      'TooFewFeaturesError',
      'UnknownBatchError',
      'UnknownCovariateError',
      'applyCombat',
      'applyEncoded',
      'codeDesign',
      'describeUnadjusted',
      'deserializeModel',
      'encodeCovariates',
      'finalizeModel',
      'harmonize',
      'serializeModel',
    ]);
  });
  test('@combat/core/internal', () => {
    expect(Object.keys(internal).sort()).toEqual(['checkModelMeta']);
  });
});

test('each error class has its literal name', () => {
  const errors = {
    ConfoundedDesignError: new core.ConfoundedDesignError('x', []),
    CovariateNameError: new core.CovariateNameError('x'),
    EmptyInputError: new core.EmptyInputError('x'),
    IncompatibleAccumulatorError: new core.IncompatibleAccumulatorError('x'),
    InvalidArgumentError: new core.InvalidArgumentError('x'),
    InvalidValueError: new core.InvalidValueError('x'),
    ModelFormatError: new core.ModelFormatError('x'),
    ShapeMismatchError: new core.ShapeMismatchError('x'),
    TooFewBatchesError: new core.TooFewBatchesError('x'),
    TooFewFeaturesError: new core.TooFewFeaturesError('x'),
    UnknownBatchError: new core.UnknownBatchError('x'),
    UnknownCovariateError: new core.UnknownCovariateError('x'),
  };
  for (const [name, error] of Object.entries(errors)) {
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(core.CombatError);
  }
  // Every error class the index exports is in the list above.
  const classes = Object.entries(core).filter(([, value]) => typeof value === 'function' && value.prototype instanceof core.CombatError);
  expect(classes.map(([name]) => name).sort()).toEqual(Object.keys(errors).sort());
});
