import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturePath, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { decodeNifti } from '../src/index.js';
import { readNifti, writeNifti } from '../src/node.js';

const DIR = fixturePath('nifti-interop');

interface NibabelReading {
  niftiVersion: number;
  shape: number[];
  onDiskDtype: string;
  byteOrder: 'little' | 'big';
  sclSlope: number;
  sclInter: number;
  affine: number[][];
  qformCode: number;
  sformCode: number;
  pixdim: number[];
  scaledSum: number;
  scaledMin: number;
  scaledMax: number;
  firstVoxels: number[];
  lastVoxel: number;
}
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, NibabelReading>;

function relativeError(a: number, e: number): number {
  return Math.abs(a - e) / Math.max(1, Math.abs(e));
}

describe.each(Object.keys(expected))('%s', (name) => {
  const nib = expected[name]!;

  it('reads to what nibabel reads', async () => {
    const image = await readNifti(join(DIR, name));
    expect(image.header.version).toBe(nib.niftiVersion);
    expect(image.shape).toEqual(nib.shape);
    expect(image.header.datatype).toBe(nib.onDiskDtype);
    expect(image.header.littleEndian).toBe(nib.byteOrder === 'little');
    expect(image.header.sclSlope).toBe(nib.sclSlope);
    expect(image.header.sclInter).toBe(nib.sclInter);
    expect(image.header.qformCode).toBe(nib.qformCode);
    expect(image.header.sformCode).toBe(nib.sformCode);
    expect(image.header.pixdim).toEqual(nib.pixdim);
    expect(Array.from(image.affine)).toEqual(nib.affine.flat());
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const y of image.data) {
      sum += y;
      if (y < min) min = y;
      if (y > max) max = y;
    }
    expect(relativeError(sum, nib.scaledSum)).toBeLessThan(1e-12);
    expect(min).toBe(nib.scaledMin);
    expect(max).toBe(nib.scaledMax);
    expect(Array.from(image.data.subarray(0, 5))).toEqual(nib.firstVoxels);
    expect(image.data[image.data.length - 1]).toBe(nib.lastVoxel);
  });

  it('decodes the same from bytes, as in a browser', async () => {
    const fromFile = await readNifti(join(DIR, name));
    const fromBytes = decodeNifti(readFileSync(join(DIR, name)));
    expect(fromBytes.data).toEqual(fromFile.data);
    expect(fromBytes.affine).toEqual(fromFile.affine);
    expect(fromBytes.source).toBeUndefined();
  });

  it('reads back exactly what it wrote, in float64 and float32, keeping the header', async () => {
    const image = await readNifti(join(DIR, name));
    const dir = await temporaryFolder('io-nifti');
    for (const [dtype, file] of [['float64', 'out.nii'], ['float32', 'out.nii.gz']] as const) {
      await writeNifti(join(dir, file), image, { dtype });
      const back = await readNifti(join(dir, file));
      expect(back.header.datatype).toBe(dtype);
      expect(back.header.version).toBe(1);
      expect(back.shape).toEqual(image.shape);
      expect(back.data).toEqual(dtype === 'float64' ? Float64Array.from(image.data) : Float32Array.from(image.data));
      // NIfTI-1 stores affine, pixdim and quaternion in float32: a NIfTI-2 source's float64
      // values come back rounded to float32 (a no-op for NIfTI-1 sources).
      expect(Array.from(back.affine)).toEqual(Array.from(image.affine, Math.fround));
      expect(back.header.pixdim).toEqual(image.header.pixdim.map(Math.fround));
      expect(back.header.qformCode).toBe(image.header.qformCode);
      expect(back.header.sformCode).toBe(image.header.sformCode);
      expect(back.header.quatern).toEqual(image.header.quatern.map(Math.fround));
      expect(back.header.xyztUnits).toBe(image.header.xyztUnits);
      expect(back.header.description).toBe(image.header.description);
      expect([back.header.sclSlope, back.header.sclInter]).toEqual([1, 0]);
    }
    expect((await readdir(dir)).sort()).toEqual(['out.nii', 'out.nii.gz']);
  });
});
