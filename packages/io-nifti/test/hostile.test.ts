import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync as zlibGzip } from 'node:zlib';
import { temporaryFolder } from '@combat/test-support';
import fc from 'fast-check';
import { gzipSync as fflateGzip } from 'fflate';
import { describe, expect, it } from 'vitest';
import { NiftiFormatError, decodeNifti, type NiftiImage } from '../src/index.js';
import { readNifti } from '../src/node.js';
import { TYPES, buildNifti, readByRules, type ImageSpec, type Reading } from './nifti-builder.js';

/**
 * Hostile input for both readers (`decodeNifti` on bytes, `readNifti` on files): whatever the
 * bytes, the outcome is a NiftiFormatError or exactly the image the header describes, never
 * another exception, and never an array larger than the bytes that were really there.
 */

/** Runs per property: modest in CI; set HOSTILE_RUNS for a longer hunt. */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 150);
const dir = await temporaryFolder('hostile-nifti');
let files = 0;

const DATATYPES = Object.keys(TYPES).map(Number);
const SIZES = { 1: 348, 2: 540 } as const;

/** Small valid images: either version and byte order, every datatype, 1 to 4 dims of 1 to 4, random voxel bytes. */
const validSpec: fc.Arbitrary<ImageSpec> = fc
  .record({
    version: fc.constantFrom(1 as const, 2 as const),
    littleEndian: fc.boolean(),
    datatype: fc.constantFrom(...DATATYPES),
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    extension: fc.integer({ min: 0, max: 3 }),
    scaling: fc.oneof(
      fc.constant([1, 0]),
      fc.constant([0, 7]),
      fc.constant([NaN, NaN]),
      fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }).filter((x) => x !== 0), fc.double({ min: -1e3, max: 1e3, noNaN: true })),
    ),
    trailing: fc.constantFrom(0, 0, 5, 4096),
  })
  .chain((s) =>
    fc.uint8Array({ minLength: s.shape.reduce((a, n) => a * n, 1) * TYPES[s.datatype]!.size, maxLength: s.shape.reduce((a, n) => a * n, 1) * TYPES[s.datatype]!.size }).map(
      (data): ImageSpec => ({
        version: s.version,
        littleEndian: s.littleEndian,
        sizeofHdr: SIZES[s.version],
        magic: `n+${s.version}\0`,
        dims: [s.shape.length, ...s.shape],
        datatype: s.datatype,
        bitpix: 8 * TYPES[s.datatype]!.size,
        voxOffset: SIZES[s.version] + 4 + 16 * s.extension,
        slope: s.scaling[0]!,
        inter: s.scaling[1]!,
        data,
        trailing: s.trailing,
      }),
    ),
  );

/** How an image reaches the reader: as is, or gzipped by zlib or fflate at some level. */
const wrapping = fc.constantFrom('none', 'zlib-1', 'zlib-9', 'fflate-0', 'fflate-6');
function wrap(bytes: Uint8Array, how: string): Uint8Array {
  if (how === 'none') return bytes;
  const [tool, level] = how.split('-') as [string, string];
  return tool === 'zlib' ? new Uint8Array(zlibGzip(bytes, { level: Number(level) })) : fflateGzip(bytes, { level: Number(level) as 0 });
}

/** The outcome of reading: an image, or a NiftiFormatError; anything else fails the test. */
function outcome(read: () => NiftiImage): NiftiImage | NiftiFormatError {
  try {
    return read();
  } catch (error) {
    expect(error).toBeInstanceOf(NiftiFormatError);
    expect((error as NiftiFormatError).code).toBe('NIFTI_FORMAT');
    return error as NiftiFormatError;
  }
}

async function fileOutcome(bytes: Uint8Array): Promise<NiftiImage | NiftiFormatError> {
  const path = join(dir, `${files++}.nii`);
  await writeFile(path, bytes);
  try {
    return await readNifti(path);
  } catch (error) {
    expect(error).toBeInstanceOf(NiftiFormatError);
    expect((error as NiftiFormatError).source).toBe(path);
    return error as NiftiFormatError;
  }
}

/**
 * The reader's outcome is the rules' reading of the uncompressed bytes: refused when they say
 * invalid; else the same shape and values, in an array no larger than the bytes (x 8 once scaled
 * to float64).
 */
function expectReading(result: NiftiImage | NiftiFormatError, expected: Reading, uncompressed: number): void {
  if (expected === 'invalid') {
    expect(result).toBeInstanceOf(NiftiFormatError);
    return;
  }
  expect(result).not.toBeInstanceOf(NiftiFormatError);
  const image = result as NiftiImage;
  expect(image.shape).toEqual(expected.shape);
  expect(image.data.length).toBe(expected.values.length);
  expect(Array.from(image.data)).toEqual(Array.from(expected.values));
  expect(image.data.length * Object.values(TYPES).find((t) => t.name === image.header.datatype)!.size).toBeLessThanOrEqual(uncompressed);
  expect(image.data.byteLength).toBeLessThanOrEqual(8 * uncompressed);
}

/** Both readers on (possibly wrapped) bytes against the rules' reading of the uncompressed bytes. */
async function checkBoth(uncompressed: Uint8Array, how: string): Promise<void> {
  const bytes = wrap(uncompressed, how);
  const expected = readByRules(uncompressed);
  expectReading(outcome(() => decodeNifti(bytes)), expected, uncompressed.length);
  expectReading(await fileOutcome(bytes), expected, uncompressed.length);
}

describe('hostile NIfTI input: a NiftiFormatError or exactly what the header implies', () => {
  it('valid images (either version and byte order, every datatype, scaled or not, trailing bytes) read exactly', async () => {
    await fc.assert(
      fc.asyncProperty(validSpec, wrapping, async (spec, how) => {
        const bytes = buildNifti(spec);
        expect(readByRules(bytes)).not.toBe('invalid');
        await checkBoth(bytes, how);
      }),
      { numRuns: RUNS },
    );
  });

  it('scl_slope and scl_inter of every kind, NaN and infinities included', async () => {
    const scale = fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5, 1e-3, 1e38, 1e300);
    await fc.assert(
      fc.asyncProperty(validSpec, scale, scale, wrapping, async (spec, slope, inter, how) => {
        await checkBoth(buildNifti({ ...spec, slope, inter }), how);
      }),
      { numRuns: RUNS },
    );
  });

  it('random header field values: dims, datatype, bitpix, vox_offset, scaling, magic, size field', async () => {
    const int16 = fc.integer({ min: -32768, max: 32767 });
    /** A field left as it is two times in three, so that most headers keep all but one or two fields valid. */
    const sometimes = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
    const fields = fc
      .record({
        sizeofHdr: sometimes(fc.oneof(fc.constantFrom(0, 347, 349, 539, -348, 1 << 24), fc.integer())),
        magic: sometimes(fc.oneof(fc.constantFrom('ni1\0', 'ni2\0', 'n+1\0', 'n+2\0', 'n+\0\0', 'xyz\0'), fc.string({ minLength: 3, maxLength: 4 }))),
        dims: sometimes(fc.array(fc.oneof(fc.constantFrom(-1, 0, 1, 2, 3, 7, 8, 2000, 32767), int16), { minLength: 8, maxLength: 8 })),
        datatype: sometimes(fc.oneof(fc.constantFrom(0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2304), int16)),
        bitpix: sometimes(fc.oneof(fc.constantFrom(0, 1, 8, 16, 24, 32, 64, 128, -8), int16)),
        voxOffset: sometimes(fc.constantFrom(0, 100, 347, 348, 351, 352.5, 539, 540, 544, 1e9, -352, 2 ** 40)),
        slope: sometimes(fc.constantFrom(NaN, Infinity, -Infinity, 0, 1, -1, 2.5, 1e38, 1e300)),
        inter: sometimes(fc.constantFrom(NaN, Infinity, -Infinity, 0, 1, -3, 1e38)),
      })
      .map((changed) => Object.fromEntries(Object.entries(changed).filter(([, value]) => value !== undefined)));
    await fc.assert(
      fc.asyncProperty(validSpec, fields, wrapping, async (spec, changed, how) => {
        await checkBoth(buildNifti({ ...spec, ...changed }), how);
      }),
      { numRuns: RUNS },
    );
  });

  it('random byte mutations of header, extension, voxels and trailing bytes', async () => {
    const edits = fc.array(fc.record({ header: fc.boolean(), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(validSpec, edits, wrapping, async (spec, changes, how) => {
        const bytes = buildNifti(spec);
        for (const { header, at, value } of changes) bytes[at % (header ? SIZES[spec.version] : bytes.length)] = value;
        await checkBoth(bytes, how);
      }),
      { numRuns: RUNS },
    );
  });

  it('truncation at any point: the uncompressed bytes by the rules, a cut gzip stream always refused', async () => {
    await fc.assert(
      fc.asyncProperty(validSpec, wrapping, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), async (spec, how, fraction) => {
        const bytes = buildNifti(spec);
        if (how === 'none') {
          await checkBoth(bytes.subarray(0, Math.floor(fraction * bytes.length)), 'none');
          return;
        }
        const gz = wrap(bytes, how);
        const cut = gz.subarray(0, Math.floor(fraction * gz.length));
        expect(outcome(() => decodeNifti(cut))).toBeInstanceOf(NiftiFormatError);
        expect(await fileOutcome(cut)).toBeInstanceOf(NiftiFormatError);
      }),
      { numRuns: RUNS },
    );
  });

  it('corrupted gzip streams and trailing garbage: refused, or the image unchanged', async () => {
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('edit' as const), edits: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('append' as const), tail: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    );
    await fc.assert(
      fc.asyncProperty(validSpec, fc.constantFrom('zlib-1', 'zlib-9', 'fflate-0', 'fflate-6'), damage, async (spec, how, change) => {
        const bytes = buildNifti(spec);
        const gz = wrap(bytes, how);
        let damaged: Uint8Array;
        if (change.kind === 'edit') {
          damaged = gz.slice();
          for (const { at, value } of change.edits) damaged[at % damaged.length] = value;
        } else {
          damaged = new Uint8Array([...gz, ...change.tail]);
        }
        const expected = readByRules(bytes);
        for (const result of [outcome(() => decodeNifti(damaged)), await fileOutcome(damaged)]) {
          if (!(result instanceof NiftiFormatError)) expectReading(result, expected, bytes.length);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
