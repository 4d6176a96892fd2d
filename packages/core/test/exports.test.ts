import * as core from '@combat/core';
import * as internal from '@combat/core/internal';
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

test('error names survive minification: a minified bundle throws a ShapeMismatchError named so', async () => {
  const bundle = await build({
    stdin: { contents: "export { harmonize } from '@combat/core';", resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    minify: true,
    conditions: ['source'],
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]!.text;
  // Minified: the class is not called ShapeMismatchError any more; only the literal name is left.
  expect(code).not.toMatch(/class ShapeMismatchError\b/);
  const folder = await mkdtemp(join(tmpdir(), 'combat-minified-'));
  try {
    const file = join(folder, 'core.min.mjs');
    await writeFile(file, code);
    const { harmonize } = (await import(pathToFileURL(file).href)) as typeof core;
    const error = (() => {
      try {
        harmonize({ data: new Float64Array(5), samples: 2, features: 3 }, { batch: ['a', 'b'] });
      } catch (thrown) {
        return thrown as Error;
      }
      return undefined;
    })();
    expect(error?.name).toBe('ShapeMismatchError');
    expect(error?.constructor.name).not.toBe('ShapeMismatchError');
    expect(error?.message).toBe('data has 5 values; expected samples x features = 2 x 3 = 6');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
