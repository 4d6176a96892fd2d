import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fixturePath, rejectionBy, temporaryFolder, thrownBy } from '@combat/test-support';
import { gunzipSync as fflateGunzip } from 'fflate';
import { describe, expect, it } from 'vitest';
import { NiftiFormatError, decodeNifti } from '../src/index.js';
import { NiftiFileResource, readNifti } from '../src/node.js';

const DIR = fixturePath('nifti-interop');
const valid = new Uint8Array(readFileSync(join(DIR, 'uint16.nii'))); // 7x6x5 uint16, little-endian, 772 bytes
const image = decodeNifti(valid);
const dir = await temporaryFolder('bounded-nifti');

async function file(name: string, bytes: Uint8Array): Promise<string> {
  await writeFile(join(dir, name), bytes);
  return join(dir, name);
}

function edited(edit: (view: DataView) => void): Uint8Array {
  const bytes = valid.slice();
  edit(new DataView(bytes.buffer));
  return bytes;
}

/** Deterministic incompressible bytes. */
function noise(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = 12345;
  for (let k = 0; k < length; k++) out[k] = (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

describe('gzip is inflated only as far as the header says the image needs', () => {
  it('reads the image of a stream that goes on for 16 MiB, then breaks, without reaching the break', async () => {
    // The image, 16 MiB of zeros, 256 KiB of noise; the gzip stream is cut inside the noise. Inflating
    // it whole fails (as the readers did before); a reader that stops after the image, or 1 MiB
    // later to check the trailer of an ordinary file, never gets there.
    const gz = gzipSync(concat(valid, new Uint8Array(16 << 20), noise(256 << 10)));
    const cut = gz.subarray(0, gz.length - (128 << 10));
    expect(() => gunzipSync(cut)).toThrow(/unexpected end of file/);
    expect(decodeNifti(cut, { source: 'long.nii.gz' }).data).toEqual(image.data);
    expect((await readNifti(await file('long.nii.gz', cut))).data).toEqual(image.data);
  });

  it('ignores what follows the image in a complete stream, as nibabel does', async () => {
    const gz = gzipSync(concat(valid, new Uint8Array(16 << 20)));
    expect(decodeNifti(gz).data).toEqual(image.data);
    expect((await readNifti(await file('trailing.nii.gz', gz))).data).toEqual(image.data);
  });

  it('a stream that ends before the image: truncated voxel data, in both readers', async () => {
    const short = gzipSync(valid.subarray(0, 700));
    const message = /cut\.nii\.gz: truncated voxel data: dims 7x6x5 of uint16 need 420 bytes after offset 352; the file has 348/;
    expect(thrownBy(() => decodeNifti(short, { source: 'cut.nii.gz' }), NiftiFormatError).message).toMatch(message);
    expect((await rejectionBy(readNifti(await file('cut.nii.gz', short)), NiftiFormatError)).message).toMatch(message);
  });

  it('a header claiming 2000x2000x2000 voxels is refused before anything is inflated or allocated', async () => {
    const claim = edited((v) => [42, 44, 46].forEach((at) => v.setInt16(at, 2000, true)));
    const message =
      'claim.nii.gz: image too large: dims 2000x2000x2000 of uint16 need 16000000000 bytes after offset 352; at most 1073741824 bytes are read into one array; use { maxBytes: 16000000000 }';
    for (const bytes of [claim, gzipSync(claim)]) {
      const error = thrownBy(() => decodeNifti(bytes, { source: 'claim.nii.gz' }), NiftiFormatError);
      expect(error.message).toBe(message);
      expect(error.remedy).toEqual({ maxBytes: 16000000000 });
      expect(error.source).toBe('claim.nii.gz');
      const path = await file('claim.nii.gz', bytes);
      expect((await rejectionBy(readNifti(path), NiftiFormatError)).message).toBe(message.replace('claim.nii.gz', path));
    }
  });

  it('maxBytes bounds the array returned, counted in float64 for a scaled image', async () => {
    expect(thrownBy(() => decodeNifti(valid, { maxBytes: 419 }), NiftiFormatError).remedy).toEqual({ maxBytes: 420 });
    expect(decodeNifti(valid, { maxBytes: 420 }).data).toEqual(image.data);
    const path = await file('small.nii', valid);
    await expect(readNifti(path, { maxBytes: 419 })).rejects.toThrow(/image too large/);
    await expect(new NiftiFileResource(path, { maxBytes: 419 }).load()).rejects.toThrow(/image too large/);
    const scaled = new Uint8Array(readFileSync(join(DIR, 'int16-scaled.nii.gz'))); // 7x6x5 int16, slope 0.25: 420 bytes on disk, 1680 as float64
    expect(thrownBy(() => decodeNifti(scaled, { maxBytes: 1679, source: 's.nii.gz' }), NiftiFormatError).message).toBe(
      's.nii.gz: image too large: dims 7x6x5 of int16 need 420 bytes after offset 352 (1680 as float64 once scaled); at most 1679 bytes are read into one array; use { maxBytes: 1680 }',
    );
    expect(decodeNifti(scaled, { maxBytes: 1680 }).data).toHaveLength(210);
  });
});

describe('gzip is checked to its end when it ends near the image', () => {
  it('a trailer whose CRC-32 does not match is refused by both readers', async () => {
    const gz = gzipSync(valid);
    gz[gz.length - 8]! ^= 1;
    expect(thrownBy(() => decodeNifti(gz, { source: 'crc.nii.gz' }), NiftiFormatError).message).toMatch(/crc\.nii\.gz: corrupt gzip data: the CRC-32 or length in the trailer/);
    expect((await rejectionBy(readNifti(await file('crc.nii.gz', gz)), NiftiFormatError)).message).toMatch(/corrupt gzip data: incorrect data check/);
  });

  it('a flipped byte in stored (uncompressed) gzip data is refused, not read as a wrong voxel', async () => {
    const gz = gzipSync(valid, { level: 0 }); // 10-byte gzip header, 5-byte stored-block header, then the file
    gz[10 + 5 + 600]! ^= 0x40;
    expect(fflateGunzip(gz)).not.toEqual(valid); // inflated without a word: only the CRC tells
    expect(thrownBy(() => decodeNifti(gz), NiftiFormatError).message).toMatch(/corrupt gzip data/);
    await rejectionBy(readNifti(await file('flipped.nii.gz', gz)), NiftiFormatError);
  });

  it('several gzip members (as bgzip writes) are read and each one checked', async () => {
    const members = concat(gzipSync(valid.subarray(0, 500)), gzipSync(valid.subarray(500)));
    expect(decodeNifti(members).data).toEqual(image.data);
    expect((await readNifti(await file('members.nii.gz', members))).data).toEqual(image.data);
    const bad = members.slice();
    bad[gzipSync(valid.subarray(0, 500)).length - 5]! ^= 1; // the first member's length
    thrownBy(() => decodeNifti(bad), NiftiFormatError);
    await rejectionBy(readNifti(await file('bad-members.nii.gz', bad)), NiftiFormatError);
  });
});

describe('scaling', () => {
  it('a valid scl_slope with a non-finite scl_inter is refused, naming the file and the values (nibabel refuses it too)', async () => {
    for (const inter of [NaN, Infinity, -Infinity]) {
      const bytes = edited((v) => {
        v.setFloat32(112, 2, true);
        v.setFloat32(116, inter, true);
      });
      const message = `s.nii: scl_slope is 2 but scl_inter is ${inter}; a valid slope needs a finite intercept (nibabel refuses this too)`;
      expect(thrownBy(() => decodeNifti(bytes, { source: 's.nii' }), NiftiFormatError).message).toBe(message);
      const path = await file('s.nii', bytes);
      expect((await rejectionBy(readNifti(path), NiftiFormatError)).message).toBe(message.replace('s.nii', path));
    }
  });

  it('a slope of 0 or NaN leaves the voxels unscaled, whatever the intercept', () => {
    for (const slope of [0, NaN]) {
      const bytes = edited((v) => {
        v.setFloat32(112, slope, true);
        v.setFloat32(116, NaN, true);
      });
      expect(decodeNifti(bytes).data).toEqual(image.data);
    }
  });
});
