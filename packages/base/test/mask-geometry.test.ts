import { identityAffine } from '@combat/base';
import { findMaskGeometryProblem } from '@combat/base/internal';
import { describe, expect, it } from 'vitest';

describe('findMaskGeometryProblem, the rules of a MaskGeometry', () => {
  const affine = identityAffine();
  it.each([
    ['a valid geometry', [2, 3, 1], affine, Int32Array.of(0, 2, 5), null],
    ['a 2D shape', [2, 3], affine, Int32Array.of(0), { part: 'shape' }],
    ['a size of 0', [2, 0, 1], affine, Int32Array.of(0), { part: 'shape' }],
    ['a NaN in the affine', [2, 3, 1], Float64Array.from(affine, (x, k) => (k === 5 ? NaN : x)), Int32Array.of(0), { part: 'affine' }],
    ['an affine of 15 numbers', [2, 3, 1], Array.from(affine).slice(1), Int32Array.of(0), { part: 'affine' }],
    ['indices as an array', [2, 3, 1], affine, [0, 1], { part: 'indices' }],
    ['an index beyond the voxels', [2, 3, 1], affine, Int32Array.of(0, 6), { part: 'index', at: 1, voxels: 6 }],
    ['a repeated index', [2, 3, 1], affine, Int32Array.of(0, 2, 2), { part: 'order', at: 2 }],
  ])('%s', (_, shape, matrix, indices, expected) => {
    expect(findMaskGeometryProblem(shape, matrix, indices)).toEqual(expected);
  });
});
