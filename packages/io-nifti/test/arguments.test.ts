import { InvalidArgumentError } from '@combat/base';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { datatypeByCode, datatypeByName } from '../src/datatypes.js';
import { decodeUncompressed, isGzip } from '../src/decode.js';
import { headerAffine, parseHeader } from '../src/header.js';
import { decodeNifti, encodeNifti } from '../src/index.js';
import { NiftiFileResource, encodeNiftiFile, readNifti, writeNifti } from '../src/node.js';

const valid = new Uint8Array(readFileSync(fixturePath('nifti-interop', 'uint16.nii')));
const image = decodeNifti(valid);
const out = join(tmpdir(), 'never-written.nii');

describe('arguments: an InvalidArgumentError naming the argument, never a TypeError', () => {
  const cases: [string, () => unknown][] = [
    ['decodeNifti(undefined)', () => decodeNifti(undefined as never)],
    ["decodeNifti('text')", () => decodeNifti('text' as never)],
    ['decodeNifti(an ArrayBuffer)', () => decodeNifti(valid.buffer as never)],
    ['decodeNifti with options null', () => decodeNifti(valid, null as never)],
    ['decodeNifti with a source that is not a string', () => decodeNifti(valid, { source: 3 as never })],
    ['decodeNifti with maxBytes -1', () => decodeNifti(valid, { maxBytes: -1 })],
    ['decodeUncompressed(null)', () => decodeUncompressed(null as never)],
    ['isGzip(undefined)', () => isGzip(undefined as never)],
    ['parseHeader(undefined)', () => parseHeader(undefined as never, 'x.nii')],
    ['parseHeader without a source', () => parseHeader(valid, undefined as never)],
    ['headerAffine(undefined)', () => headerAffine(undefined as never)],
    ['headerAffine of a header missing its srow', () => headerAffine({ ...image.header, srow: undefined } as never)],
    ["datatypeByName('complex64')", () => datatypeByName('complex64' as never)],
    ["datatypeByCode('16')", () => datatypeByCode('16' as never)],
    ['encodeNifti({})', () => encodeNifti({} as never)],
    ['encodeNifti(undefined)', () => encodeNifti(undefined as never)],
    ['encodeNifti of a volume whose data does not fit its shape', () => encodeNifti({ ...image, data: new Float32Array(3) })],
    ['encodeNifti of a volume with a broken NIfTI header', () => encodeNifti({ ...image, header: { version: 1 } })],
    ["encodeNifti with dtype 'int16'", () => encodeNifti(image, { dtype: 'int16' as never })],
    ['encodeNifti with level 12', () => encodeNifti(image, { gzip: true, level: 12 })],
    ["encodeNifti with gzip 'yes'", () => encodeNifti(image, { gzip: 'yes' as never })],
    ['readNifti(undefined)', () => readNifti(undefined as never)],
    ["readNifti with maxBytes 'big'", () => readNifti(out, { maxBytes: 'big' as never })],
    ['writeNifti(undefined path)', () => writeNifti(undefined as never, image)],
    ['writeNifti(undefined volume)', () => writeNifti(out, undefined as never)],
    ["writeNifti with protect 'in.nii'", () => writeNifti(out, image, { protect: 'in.nii' as never })],
    ['encodeNiftiFile(42)', () => encodeNiftiFile(42 as never, image)],
    ['encodeNiftiFile(undefined volume)', () => encodeNiftiFile(out, undefined as never)],
    ["encodeNiftiFile with strategy 'fast'", () => encodeNiftiFile(out, image, { strategy: 'fast' as never })],
    ['new NiftiFileResource(undefined)', () => new NiftiFileResource(undefined as never)],
    ['new NiftiFileResource with maxBytes 0', () => new NiftiFileResource(out, { maxBytes: 0 })],
  ];

  it.each(cases)('%s', async (_, call) => {
    const error = await (async () => call())().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(/expected/);
  });
});
