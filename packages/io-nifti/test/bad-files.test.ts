import { readFileSync } from 'node:fs';
import { readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fixturePath, temporaryFolder } from '@combat/test-support';
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { InputOverwriteError } from '@combat/base';
import { describe, expect, it } from 'vitest';
import { NiftiFormatError, decodeNifti } from '../src/index.js';
import { readNifti, writeNifti } from '../src/node.js';

const DIR = fixturePath('nifti-interop');
const valid = new Uint8Array(readFileSync(join(DIR, 'uint16.nii'))); // 7x6x5 uint16, little-endian, 772 bytes

/** A copy of the valid file with `edit` applied to its bytes. */
function edited(edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = valid.slice();
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
}

async function fromFile(bytes: Uint8Array, name: string): Promise<unknown> {
  const dir = await temporaryFolder('bad-nifti');
  await writeFile(join(dir, name), bytes);
  return readNifti(join(dir, name));
}

function expectFormatError(run: () => unknown, message: RegExp): NiftiFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(NiftiFormatError);
    expect((error as Error).message).toMatch(message);
    return error as NiftiFormatError;
  }
  return expect.fail('expected a NiftiFormatError');
}

describe('bad files give a NiftiFormatError naming the file', () => {
  it('truncated voxel data', async () => {
    const e = expectFormatError(() => decodeNifti(valid.subarray(0, 700), { source: 'cut.nii' }), /cut\.nii: truncated voxel data: dims 7x6x5 of uint16 need 420 bytes after offset 352; the file has 348/);
    expect(e.source).toBe('cut.nii');
    await expect(fromFile(valid.subarray(0, 700), 'cut.nii')).rejects.toThrow(/cut\.nii: truncated voxel data/);
  });

  it('a truncated header', () => {
    expectFormatError(() => decodeNifti(valid.subarray(0, 100), { source: 'stub.nii' }), /stub\.nii: truncated header: 100 bytes/);
  });

  it('wrong magic', () => {
    expectFormatError(() => decodeNifti(edited((_, b) => b.set([0x78, 0x79, 0x7a], 344)), { source: 'm.nii' }), /m\.nii: wrong magic "xyz"; expected "n\+1"/);
  });

  it('not a NIfTI file at all', () => {
    expectFormatError(() => decodeNifti(new TextEncoder().encode('subject,site\n'.repeat(40)), { source: 'table.csv' }), /table\.csv: not a NIfTI file: the header size field is/);
  });

  it('a .hdr/.img pair', () => {
    expectFormatError(() => decodeNifti(edited((_, b) => b.set([0x6e, 0x69, 0x31], 344))), /NIfTI bytes: a \.hdr\/\.img pair is not supported/);
  });

  it('dims inconsistent with the file size', () => {
    expectFormatError(() => decodeNifti(edited((v) => v.setInt16(46, 9, true))), /dims 7x6x9 of uint16 need 756 bytes after offset 352; the file has 420/);
  });

  it('absurd dimensions, without a huge allocation', () => {
    const huge = edited((v) => [42, 44, 46].forEach((at) => v.setInt16(at, 30000, true)));
    expectFormatError(() => decodeNifti(huge), /dims 30000x30000x30000 of uint16 need 54000000000000 bytes/);
  });

  it('a bitpix that does not match the datatype', () => {
    expectFormatError(() => decodeNifti(edited((v) => v.setInt16(72, 32, true))), /bitpix is 32; datatype uint16 has 16 bits/);
  });

  it('an unsupported datatype', () => {
    expectFormatError(() => decodeNifti(edited((v) => v.setInt16(70, 32, true))), /datatype 32 \(.*\) is not supported/);
  });

  it('a bad number of dimensions', () => {
    expectFormatError(() => decodeNifti(edited((v) => v.setInt16(40, 9, true))), /dim\[0\] is 9; expected 1 to 7 dimensions/);
    expectFormatError(() => decodeNifti(edited((v) => v.setInt16(44, 0, true))), /dim\[2\] is 0; expected a size of at least 1/);
  });

  it('a NIfTI-2 header with an unsupported datatype', () => {
    const nifti2 = new Uint8Array(gunzipSync(readFileSync(join(DIR, 'nifti2-float32.nii.gz'))));
    const complex = nifti2.slice();
    new DataView(complex.buffer).setInt16(12, 32, true);
    expectFormatError(() => decodeNifti(complex), /datatype 32 \(.*\) is not supported/);
  });

  it('a NIfTI-2 header is read as NIfTI-2 even when its qform_code bytes spell the NIfTI-1 magic', () => {
    const nifti2 = new Uint8Array(gunzipSync(readFileSync(join(DIR, 'nifti2-float32.nii.gz'))));
    const confusing = nifti2.slice();
    confusing.set([0x6e, 0x2b, 0x31], 344);
    const image = decodeNifti(confusing);
    expect(image.header.version).toBe(2);
    expect(image.shape).toEqual([7, 6, 5]);
    expect(image.data).toEqual(decodeNifti(nifti2).data);
  });

  it('corrupt and truncated gzip', async () => {
    const gz = gzipSync(valid);
    const corrupt = gz.slice();
    for (let k = 20; k < 60; k++) corrupt[k] ^= 0x5a;
    expectFormatError(() => decodeNifti(corrupt, { source: 'bad.nii.gz' }), /bad\.nii\.gz: corrupt gzip data/);
    await expect(fromFile(corrupt, 'bad.nii.gz')).rejects.toThrow(/bad\.nii\.gz: corrupt gzip data/);
    await expect(fromFile(gz.subarray(0, gz.length - 30), 'short.nii.gz')).rejects.toThrow(/short\.nii\.gz: corrupt gzip data/);
  });

  it('a missing file, or a folder, is an InputReadError: not a format error', async () => {
    await expect(readNifti('/nonexistent/scan.nii.gz')).rejects.toThrow(/\/nonexistent\/scan\.nii\.gz: cannot be read: ENOENT/);
    await expect(readNifti('/nonexistent/scan.nii.gz')).rejects.toMatchObject({ name: 'InputReadError', code: 'INPUT_READ', path: '/nonexistent/scan.nii.gz', cause: { code: 'ENOENT' } });
    const folder = await temporaryFolder('nifti-folder-');
    await expect(readNifti(folder)).rejects.toMatchObject({ name: 'InputReadError', path: folder, cause: { code: 'EISDIR' } });
  });

  it('never anything but an image or a NiftiFormatError, whatever the header bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: 0, max: 351 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 12 }), (edits) => {
        const bytes = edited((_, b) => edits.forEach(({ at, value }) => (b[at] = value)));
        try {
          const image = decodeNifti(bytes);
          expect(image.data.length).toBe(image.shape.reduce((a, n) => a * n, 1));
        } catch (error) {
          expect(error).toBeInstanceOf(NiftiFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('writing', () => {
  it('refuses to write over the volume it read, or a protected path, even through a link', async () => {
    const dir = await temporaryFolder('write-nifti');
    const input = join(dir, 'in.nii');
    await writeFile(input, valid);
    const image = await readNifti(input);
    const refused = await writeNifti(input, image).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputOverwriteError);
    expect((refused as Error).message).toBe(`refusing to write ${input}: it is an input (${input}); choose another output path`);
    await symlink(input, join(dir, 'link.nii'));
    await expect(writeNifti(join(dir, 'link.nii'), image)).rejects.toThrow(InputOverwriteError);
    const other = join(dir, 'other.nii');
    await writeFile(other, valid);
    await expect(writeNifti(other, image, { protect: [join(dir, '.', 'other.nii')] })).rejects.toThrow(/it is an input/);
    expect(readFileSync(input)).toEqual(Buffer.from(valid));
    expect(readFileSync(other)).toEqual(Buffer.from(valid));
  });

  it('leaves nothing behind when a write fails', async () => {
    const dir = await temporaryFolder('write-nifti');
    const image = decodeNifti(valid);
    await expect(writeNifti(join(dir, 'missing-folder', 'out.nii'), image)).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses shapes NIfTI-1 cannot hold', async () => {
    const wide = { shape: [40000, 1, 1], affine: decodeNifti(valid).affine, data: new Float32Array(40000) };
    await expect(writeNifti(join(tmpdir(), 'wide.nii'), wide)).rejects.toThrow(/dimension 1 is 40000; NIfTI-1 holds at most 32767/);
  });
});
