import { describe, expect, test } from 'vitest';
import { CombatError, InputOverwriteError, InvalidArgumentError } from '@combat/base';
import { rewordError } from '@combat/base/internal';

/** Shaped as core's ConfoundedDesignError: a constructor that is not `(detail, context)`. */
class ConfoundedDesignError extends CombatError {
  override readonly name = 'ConfoundedDesignError' as const;
  readonly code = 'CONFOUNDED_DESIGN' as const;
  constructor(
    detail: string,
    readonly columns: readonly string[],
    readonly batches: readonly string[] = [],
  ) {
    super(detail);
  }
}

describe('rewordError', () => {
  test('keeps the object, its class, its fields and its stack frames; gives it the new message', () => {
    const error = new ConfoundedDesignError('age is confounded with batch', ['age'], ['siteA']);
    const frames = error.stack!.split('\n').slice(1);
    const reworded = rewordError(error, 'in covariates.csv: age is confounded with batch');
    expect(reworded).toBe(error);
    expect(reworded).toBeInstanceOf(ConfoundedDesignError);
    expect(reworded).toMatchObject({ name: 'ConfoundedDesignError', code: 'CONFOUNDED_DESIGN', columns: ['age'], batches: ['siteA'] });
    expect(reworded.detail).toBe('in covariates.csv: age is confounded with batch');
    expect(reworded.message).toBe('in covariates.csv: age is confounded with batch');
    expect(reworded.stack!.split('\n')[0]).toBe('ConfoundedDesignError: in covariates.csv: age is confounded with batch');
    expect(reworded.stack!.split('\n').slice(1)).toEqual(frames);
  });

  test('formats the location and the remedy as the constructor does, and keeps the cause', () => {
    const cause = new Error('underlying');
    const error = new InvalidArgumentError('age is NaN', { sample: 3, feature: 1, remedy: { eb: false } });
    Object.defineProperty(error, 'cause', { value: cause });
    rewordError(error, 'sub-04.nii.gz: age is NaN');
    expect(error.message).toBe('sample 3, feature 1: sub-04.nii.gz: age is NaN; use { eb: false }');
    expect(error.message).toBe(new InvalidArgumentError('sub-04.nii.gz: age is NaN', { sample: 3, feature: 1, remedy: { eb: false } }).message);
    expect(error).toMatchObject({ sample: 3, feature: 1, remedy: { eb: false }, cause });
    expect(Object.keys(error).sort()).toEqual(['code', 'detail', 'feature', 'name', 'remedy', 'sample']);
  });

  test('an error whose constructor builds its own detail (InputOverwriteError) keeps its fields', () => {
    const error = rewordError(new InputOverwriteError('out.csv', 'data.csv', '--out'), 'the output: refusing to write out.csv');
    expect(error).toBeInstanceOf(InputOverwriteError);
    expect(error).toMatchObject({ path: 'out.csv', input: 'data.csv', role: '--out', message: 'the output: refusing to write out.csv' });
  });
});
