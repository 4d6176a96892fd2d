import { describe, expect, test } from 'vitest';
import * as base from '@combat/base';
import * as internal from '@combat/base/internal';
import * as node from '@combat/base/node';

describe('the export lists are pinned', () => {
  test('@combat/base', () => {
    expect(Object.keys(base).sort()).toEqual(['CombatError', 'InMemoryVolumeResource', 'InputOverwriteError', 'InputReadError', 'InvalidArgumentError', 'identityAffine']);
  });
  test('@combat/base/internal', () => {
    expect(Object.keys(internal).sort()).toEqual([
      'checkBoolean',
      'checkBytes',
      'checkFunction',
      'checkInteger',
      'checkNonEmptyString',
      'checkObject',
      'checkOneOf',
      'checkOptionalString',
      'checkOptions',
      'checkString',
      'checkStrings',
      'checkVolume',
      'describeValue',
      'findMaskGeometryProblem',
      'findVolumeProblem',
      'formatVoxel',
      'isRecord',
      'refuseArgument',
      'rewordError',
      'seededRandom',
      'workerThreadSource',
    ]);
  });
  test('@combat/base/node', () => {
    expect(Object.keys(node).sort()).toEqual(['canonicalPath', 'writeFileAtomically']);
  });
});

test('each error class has its literal name', () => {
  expect(new base.InvalidArgumentError('x').name).toBe('InvalidArgumentError');
  expect(new base.InputOverwriteError('a', 'b').name).toBe('InputOverwriteError');
  expect(new base.InputReadError('a', new Error('b')).name).toBe('InputReadError');
});
