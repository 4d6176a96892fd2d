import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it, vi } from 'vitest';
import { readNifti } from '../src/node.js';
import { readNiftiInPlace, readNiftiOnThread } from '../src/on-thread.js';
import { buildNifti, type ImageSpec } from './nifti-builder.js';

// gunzipSync observed (still zlib's own): the options each call was given.
vi.mock('node:zlib', async (original) => {
  const actual = await original<typeof import('node:zlib')>();
  return { ...actual, gunzipSync: vi.fn(actual.gunzipSync) };
});

/**
 * The calling thread's reads (what a NiftiThreads thread runs): a whole image's voxels fill a buffer
 * of their own, as readNifti's do, so they can be transferred alone; an image read to take some
 * voxels views them where zlib inflated them when they are aligned, and copies them otherwise; and
 * what zlib is given to inflate into is bounded by what the compressed bytes can hold, not by what a
 * header claims.
 */

const dir = await temporaryFolder('on-thread');

/** A gzipped float32 image of 4 x 5 x 6 voxels whose block starts at `voxOffset`. */
async function float32File(name: string, voxOffset: number): Promise<string> {
  const values = Float32Array.from({ length: 120 }, (_, k) => k / 7);
  const spec: ImageSpec = {
    version: 1,
    littleEndian: true,
    sizeofHdr: 348,
    magic: 'n+1\0',
    dims: [3, 4, 5, 6],
    datatype: 16,
    bitpix: 32,
    voxOffset,
    slope: 1,
    inter: 0,
    data: new Uint8Array(values.buffer),
    trailing: 0,
  };
  const path = join(dir, name);
  await writeFile(path, zlib.gzipSync(buildNifti(spec)));
  return path;
}

describe('reading on the calling thread', () => {
  it('gives a whole image voxels that fill their own buffer', async () => {
    for (const offset of [352, 353]) {
      const path = await float32File(`whole-${offset}.nii.gz`, offset);
      const { data } = await readNiftiOnThread(path);
      expect([data.byteOffset, data.buffer.byteLength]).toEqual([0, data.byteLength]);
      expect(Array.from(data)).toEqual(Array.from((await readNifti(path)).data));
    }
  });

  it('views aligned voxels where they were inflated, and copies misaligned ones', async () => {
    const aligned = await float32File('aligned.nii.gz', 352);
    const view = (await readNiftiInPlace(aligned)).data;
    expect(view.byteOffset).toBe(352);
    expect(view.buffer.byteLength).toBeGreaterThan(352 + view.byteLength);
    expect(Array.from(view)).toEqual(Array.from((await readNifti(aligned)).data));
    const misaligned = await float32File('misaligned.nii.gz', 353);
    const copy = (await readNiftiInPlace(misaligned)).data;
    expect([copy.byteOffset, copy.buffer.byteLength]).toEqual([0, copy.byteLength]);
    expect(Array.from(copy)).toEqual(Array.from((await readNifti(misaligned)).data));
  });

  it('inflates into no more than the compressed bytes can hold, whatever the header claims', async () => {
    // A 1024 x 1024 x 1023 uint8 image claimed, 4 voxels given: readNifti's truncation error, and zlib given room for the file's bytes only.
    const spec: ImageSpec = { version: 1, littleEndian: true, sizeofHdr: 348, magic: 'n+1\0', dims: [3, 1024, 1024, 1023], datatype: 2, bitpix: 8, voxOffset: 352, slope: 1, inter: 0, data: new Uint8Array(4), trailing: 0 };
    const bytes = zlib.gzipSync(buildNifti(spec));
    const path = join(dir, 'claims.nii.gz');
    await writeFile(path, bytes);
    const gunzip = vi.mocked(zlib.gunzipSync);
    gunzip.mockClear();
    for (const read of [readNiftiOnThread, readNiftiInPlace]) {
      await expect(read(path)).rejects.toThrow(await readNifti(path).catch((error: Error) => error.message));
    }
    const room = gunzip.mock.calls.map(([, options]) => options?.chunkSize ?? 0);
    expect(room.length).toBeGreaterThan(0);
    for (const size of room) expect(size).toBeLessThanOrEqual(bytes.length * 1032 + 1);
  });
});
