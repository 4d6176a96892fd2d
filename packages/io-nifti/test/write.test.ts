import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { fixturePath, temporaryFolder, thrownBy } from '@combat/test-support';
import { identityAffine, type Volume } from '@combat/base';
import { describe, expect, it } from 'vitest';
import { NiftiWriteError, decodeNifti, encodeNifti } from '../src/index.js';
import { encodeNiftiFile, readNifti, writeNifti } from '../src/node.js';

/** A 4x3x2 volume whose voxel (1, 2, 1) (index 1 + 4 * (2 + 3 * 1) = 21) holds `value`. */
function volumeWith(value: number): Volume {
  const data = Float64Array.from({ length: 24 }, (_, k) => k / 4);
  data[21] = value;
  return { shape: [4, 3, 2], affine: identityAffine(), data };
}

describe('values float32 cannot hold', () => {
  it('are refused, naming the voxel as (i, j, k) and the value, with remedy { dtype: float64 }', () => {
    const error = thrownBy(() => encodeNifti(volumeWith(1e40)), NiftiWriteError);
    expect(error.message).toBe(
      `voxel (1, 2, 1) is 1e+40, beyond float32's range (largest 3.4028234663852886e+38); as float32 it would be written as Infinity; use { dtype: "float64" }`,
    );
    expect(error.remedy).toEqual({ dtype: 'float64' });
    expect(thrownBy(() => encodeNifti(volumeWith(-1e39), { gzip: true }), NiftiWriteError).message).toMatch(/voxel \(1, 2, 1\) is -1e\+39, .* written as -Infinity/);
  });

  it('are written exactly as float64, and near the largest float32 as float32', () => {
    expect(decodeNifti(encodeNifti(volumeWith(1e40), { dtype: 'float64' })).data[21]).toBe(1e40);
    // Just above float32's largest value, but rounding to it: not an overflow.
    expect(decodeNifti(encodeNifti(volumeWith(3.4028235e38))).data[21]).toBe(3.4028234663852886e38);
  });

  it('NaN (missing) and infinities already in the volume are written as they are', () => {
    for (const value of [NaN, Infinity, -Infinity]) expect(decodeNifti(encodeNifti(volumeWith(value))).data[21]).toBe(value);
  });

  it('writeNifti refuses them too, naming the file, and writes nothing', async () => {
    const dir = await temporaryFolder('overflow');
    const path = join(dir, 'out.nii.gz');
    await expect(writeNifti(path, volumeWith(1e40))).rejects.toThrow(new NiftiWriteError(
      `${path}: voxel (1, 2, 1) is 1e+40, beyond float32's range (largest 3.4028234663852886e+38); as float32 it would be written as Infinity`,
      { remedy: { dtype: 'float64' } },
    ));
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('encodeNiftiFile: the bytes writeNifti writes, for an application that stages them', () => {
  it('gives exactly the file writeNifti writes, gzipped by the .gz suffix', async () => {
    const dir = await temporaryFolder('encode-file');
    const volume = volumeWith(2.5);
    const cases = [['a.nii', {}], ['a.nii.gz', {}], ['b.nii.gz', { dtype: 'float64', level: 9 }], ['c.nii.gz', { level: 1, strategy: 'run-length' }]] as const;
    for (const [name, options] of cases) {
      const path = join(dir, name);
      const bytes = await encodeNiftiFile(path, volume, options);
      await writeNifti(path, volume, options);
      expect(new Uint8Array(readFileSync(path))).toEqual(new Uint8Array(bytes));
      const raw = name.endsWith('.gz') ? new Uint8Array(gunzipSync(bytes)) : bytes;
      expect(raw).toEqual(encodeNifti(volume, options));
      expect((await readNifti(path)).data).toEqual('dtype' in options ? volume.data : Float32Array.from(volume.data));
    }
  });

  it("deflates at the level asked for, with zlib's default strategy or runs only (Z_RLE)", async () => {
    const volume = volumeWith(2.5);
    const raw = encodeNifti(volume);
    for (const level of [1, 6, 9]) {
      expect(Buffer.from(await encodeNiftiFile('a.nii.gz', volume, { level }))).toEqual(gzipSync(raw, { level }));
      expect(Buffer.from(await encodeNiftiFile('a.nii.gz', volume, { level, strategy: 'run-length' }))).toEqual(gzipSync(raw, { level, strategy: constants.Z_RLE }));
    }
    expect(Buffer.from(await encodeNiftiFile('a.nii.gz', volume))).toEqual(gzipSync(raw, { level: 6 }));
  });
});

describe('the geometry written with a reused header', () => {
  const anatomical = () => decodeNifti(new Uint8Array(readFileSync(fixturePath('nifti-interop', 'anatomical.nii'))));
  const shifted = (affine: Float64Array) => Float64Array.from(affine, (value, k) => (k === 3 ? value + 10 : value));

  it("keeps the qform and sform when the affine is the header's own", () => {
    const image = anatomical();
    const back = decodeNifti(encodeNifti(image));
    expect([back.header.sformCode, back.header.qformCode]).toEqual([image.header.sformCode, image.header.qformCode]);
    expect(back.header.quatern).toEqual(image.header.quatern);
    expect(Array.from(back.affine)).toEqual(Array.from(image.affine));
  });

  it('puts a moved volume where its affine says, with the old qform dropped', () => {
    const image = anatomical();
    const moved = { ...image, affine: shifted(image.affine) };
    const back = decodeNifti(encodeNifti(moved));
    expect(back.header.qformCode).toBe(0);
    expect(back.header.sformCode).toBe(image.header.sformCode);
    expect(Array.from(back.affine, (v) => Math.fround(v))).toEqual(Array.from(moved.affine, (v) => Math.fround(v)));
  });

  it('gives a header with no sform one (code 2) when the volume moved, instead of keeping the qform', () => {
    const image = anatomical();
    const qformOnly = { ...image, header: { ...image.header, sformCode: 0 } };
    const moved = { ...qformOnly, affine: shifted(decodeNifti(encodeNifti(qformOnly)).affine) };
    const back = decodeNifti(encodeNifti(moved));
    expect([back.header.sformCode, back.header.qformCode]).toEqual([2, 0]);
    expect(Array.from(back.affine, (v) => Math.fround(v))).toEqual(Array.from(moved.affine, (v) => Math.fround(v)));
  });
});
