import { describe, expect, test } from 'vitest';
import * as volumes from '@combat/volumes';

describe('the export lists are pinned', () => {
  test('@combat/volumes', () => {
    expect(Object.keys(volumes).sort()).toEqual([
      'AffineMismatchError',
      'EmptyMaskError',
      'TooFewVolumesError',
      'VolumeShapeError',
      'accumulateVolumes',
      'adjustVolumes',
      'batchEffectMaps',
      'checkVolumes',
      'finalizeVolumes',
      'fitVolumes',
      'harmonizeVolumes',
      'harmonizeVolumesStreaming',
      'maskIndices',
    ]);
  });
});

test('each error class has its literal name', () => {
  expect(new volumes.AffineMismatchError('x').name).toBe('AffineMismatchError');
  expect(new volumes.EmptyMaskError('x').name).toBe('EmptyMaskError');
  expect(new volumes.TooFewVolumesError('x').name).toBe('TooFewVolumesError');
  expect(new volumes.VolumeShapeError('x').name).toBe('VolumeShapeError');
});
