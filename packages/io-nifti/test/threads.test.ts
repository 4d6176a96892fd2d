import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputReadError, InvalidArgumentError, identityAffine, type Volume } from '@combat/base';
import { fixturePath, temporaryFolder } from '@combat/test-support';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { NiftiWriteError } from '../src/index.js';
import { NiftiFileResource, NiftiThreads, encodeNiftiFile, readNifti, type EncodeFileOptions } from '../src/node.js';
import { TYPES, buildNifti, type ImageSpec } from './nifti-builder.js';

/**
 * NiftiThreads reads and encodes on worker threads, or with one thread on the calling thread (zlib's
 * synchronous calls in both), exactly what readNifti and encodeNiftiFile give: the same image,
 * bytes or error (class, message, file, context), for any input, hostile ones included.
 */

const RUNS = Number(process.env.HOSTILE_RUNS ?? 60);
const dir = await temporaryFolder('nifti-threads');
const threads = new NiftiThreads({ threads: 2 });
const one = new NiftiThreads({ threads: 1 });
afterAll(() => threads.close());
let files = 0;

/** What a call gives: its value, or what its error says about itself. */
async function settle<T>(call: () => Promise<T>): Promise<{ value: T } | { error: Record<string, unknown> }> {
  try {
    return { value: await call() };
  } catch (error) {
    const e = error as Error & Record<string, unknown>;
    const cause = e.cause as NodeJS.ErrnoException | undefined;
    return {
      error: {
        class: e.constructor.name,
        name: e.name,
        code: e.code,
        message: e.message,
        detail: e.detail,
        source: e.source,
        path: e.path,
        remedy: e.remedy,
        cause: cause?.code,
      },
    };
  }
}

/** An image as plain values, its voxel array's type included. */
function described(image: unknown): unknown {
  const { data, ...rest } = image as Volume;
  return { ...rest, type: data.constructor.name, data: Array.from(data, (v) => (Number.isNaN(v) ? 'NaN' : v)) };
}

/** Voxels taken by readVoxels: the first ones, one out of order, and one past any image here. */
const SOME = Int32Array.of(0, 3, 1, 2, 2 ** 20);

async function expectSameRead(path: string): Promise<void> {
  const [here, there, alone] = await Promise.all([settle(() => readNifti(path)), settle(() => threads.read(path)), settle(() => one.read(path))]);
  for (const other of [there, alone]) {
    if ('value' in here && 'value' in other) {
      expect(described(other.value)).toEqual(described(here.value));
      // Voxels that fill a buffer of their own, which a worker transfers alone.
      expect([other.value.data.byteOffset, other.value.data.buffer.byteLength]).toEqual([0, other.value.data.byteLength]);
    } else expect(other).toEqual(here);
  }
  // Taking some voxels (the image's voxels viewed where they were inflated, not copied) gives readNifti's values at those indices.
  const voxels = await Promise.all([threads, one].map((reader) => settle(() => reader.readVoxels(path, SOME))));
  for (const other of voxels) {
    if ('value' in here && 'value' in other) {
      const { data, ...image } = here.value;
      expect(described({ ...other.value.image, data: other.value.voxels })).toEqual(described({ ...image, data: new (data.constructor as Float64ArrayConstructor)(Array.from(SOME, (k) => data[k] as number)) }));
    } else expect(other).toEqual(here);
  }
}

const DATATYPES = Object.keys(TYPES).map(Number);

/** Small valid images of every datatype, either byte order and version, scaled or not, maybe with trailing bytes. */
const validSpec: fc.Arbitrary<ImageSpec> = fc
  .record({
    version: fc.constantFrom(1 as const, 2 as const),
    littleEndian: fc.boolean(),
    datatype: fc.constantFrom(...DATATYPES),
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    scaling: fc.constantFrom([1, 0], [0, 7], [2.5, -1], [NaN, NaN]),
    trailing: fc.constantFrom(0, 5),
    // Voxels that start anywhere in a word, so that some cannot be viewed in place.
    padding: fc.integer({ min: 0, max: 7 }),
  })
  .chain((s) => {
    const voxels = s.shape.reduce((a, n) => a * n, 1);
    return fc.uint8Array({ minLength: voxels * TYPES[s.datatype]!.size, maxLength: voxels * TYPES[s.datatype]!.size }).map(
      (data): ImageSpec => ({
        version: s.version,
        littleEndian: s.littleEndian,
        sizeofHdr: s.version === 1 ? 348 : 540,
        magic: `n+${s.version}\0`,
        dims: [s.shape.length, ...s.shape],
        datatype: s.datatype,
        bitpix: 8 * TYPES[s.datatype]!.size,
        voxOffset: (s.version === 1 ? 348 : 540) + 4 + s.padding,
        slope: s.scaling[0]!,
        inter: s.scaling[1]!,
        data,
        trailing: s.trailing,
      }),
    );
  });

describe('NiftiThreads reads as readNifti does', () => {
  it('every fixture image, bit for bit', async () => {
    const folder = fixturePath('nifti-interop');
    const names = (await readdir(folder)).filter((name) => /\.nii(\.gz)?$/.test(name));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) await expectSameRead(join(folder, name));
  });

  it('hostile files (random bytes edited, cut, gzipped or not): the same image or the same error', async () => {
    const edits = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(validSpec, edits, fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), async (spec, changes, gzip, kept) => {
        const bytes = buildNifti(spec);
        for (const { at, value } of changes) bytes[at % bytes.length] = value;
        const whole = gzip ? new Uint8Array(gzipSync(bytes, { level: 1 })) : bytes;
        const path = join(dir, `${files++}.nii${gzip ? '.gz' : ''}`);
        await writeFile(path, kept > 0.8 ? whole.subarray(0, Math.floor(whole.length * (kept - 0.8) * 5)) : whole);
        await expectSameRead(path);
      }),
      { numRuns: RUNS },
    );
  });

  it('a gzip stream that runs on far past its image, a wrong CRC, several members: the same image or error', async () => {
    const spec = fc.sample(validSpec, { numRuns: 1, seed: 7 })[0]!;
    const image = buildNifti(spec);
    const noise = Uint8Array.from({ length: 3 * 2 ** 20 }, (_, k) => (k * 2654435761) >>> 24);
    const cases: [string, Uint8Array][] = [
      // Read only as far as the image and 1 MiB past it, unchecked beyond.
      ['long.nii.gz', gzipSync(Buffer.concat([image, noise]), { level: 1 })],
      ['members.nii.gz', Buffer.concat([gzipSync(image.subarray(0, 400)), gzipSync(image.subarray(400))])],
    ];
    const wrong = new Uint8Array(gzipSync(image));
    wrong[wrong.length - 6] ^= 1;
    cases.push(['crc.nii.gz', wrong]);
    for (const [name, bytes] of cases) {
      await writeFile(join(dir, name), bytes);
      await expectSameRead(join(dir, name));
    }
    expect(await settle(() => one.read(join(dir, 'long.nii.gz')))).toHaveProperty('value');
    expect(await settle(() => one.read(join(dir, 'crc.nii.gz')))).toMatchObject({ error: { class: 'NiftiFormatError' } });
  });

  it('a file that cannot be read, or an image over maxBytes: the same error, as its own class', async () => {
    const missing = await settle(() => threads.read(join(dir, 'missing.nii.gz')));
    expect(missing).toEqual(await settle(() => readNifti(join(dir, 'missing.nii.gz'))));
    expect(missing).toMatchObject({ error: { class: 'InputReadError', cause: 'ENOENT' } });
    await expect(threads.read(dir)).rejects.toBeInstanceOf(InputReadError);
    const image = fixturePath('nifti-interop', 'int16.nii.gz');
    const large = await settle(() => threads.read(image, { maxBytes: 100 }));
    expect(large).toEqual(await settle(() => readNifti(image, { maxBytes: 100 })));
    expect(large).toMatchObject({ error: { class: 'NiftiFormatError', source: image, remedy: { maxBytes: 420 } } });
    await expect(threads.read(image, { maxBytes: -1 })).rejects.toThrow(InvalidArgumentError);
  });

  it('through NiftiFileResource with { threads }', async () => {
    const image = fixturePath('nifti-interop', 'float32.nii.gz');
    expect(described(await new NiftiFileResource(image, { threads }).load())).toEqual(described(await readNifti(image)));
    expect(() => new NiftiFileResource(image, { threads: 2 as unknown as NiftiThreads })).toThrow(
      new InvalidArgumentError('options.threads: expected a NiftiThreads or undefined; received a number (2)'),
    );
  });
});

describe('NiftiThreads encodes as encodeNiftiFile does', () => {
  const volume = fc
    .record({
      shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
      values: fc.constantFrom('small', 'any'),
      header: fc.boolean(),
    })
    .chain(({ shape, values, header }) =>
      fc
        .float64Array({ minLength: shape[0]! * shape[1]! * shape[2]!, maxLength: shape[0]! * shape[1]! * shape[2]!, ...(values === 'small' ? { min: -1e6, max: 1e6, noNaN: true } : {}) })
        .map((data) => ({ shape, data, header })),
    );
  const options = fc.constantFrom<[string, EncodeFileOptions]>(
    ['out.nii', {}],
    ['out.nii', { dtype: 'float64' }],
    ['out.nii.gz', { level: 1, strategy: 'run-length' }],
    ['out.nii.gz', { level: 6 }],
    ['out.nii.gz', { level: 0, dtype: 'float64' }],
  );

  it('random volumes, either type, gzipped or not: the same bytes, or the same NiftiWriteError', async () => {
    const template = await readNifti(fixturePath('nifti-interop', 'float32.nii.gz'));
    await fc.assert(
      fc.asyncProperty(volume, options, async ({ shape, data, header }, [name, encoding]) => {
        const make = (): Volume => ({ shape, affine: identityAffine(), data: data.slice(), ...(header ? { header: template.header } : {}) });
        const path = join(dir, name);
        const calls = [() => encodeNiftiFile(path, make(), encoding), () => threads.encodeFile(path, make(), encoding), () => one.encodeFile(path, make(), encoding)];
        const [here, there, alone] = await Promise.all(calls.map((call) => settle(call)));
        for (const other of [there!, alone!]) {
          if ('value' in here! && 'value' in other) expect(Buffer.from(other.value).equals(Buffer.from(here.value))).toBe(true);
          else expect(other).toEqual(here);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a value float32 cannot hold: NiftiWriteError naming the file and the voxel, with its remedy', async () => {
    const data = new Float64Array(8);
    data[5] = 1e40;
    const error = await threads.encodeFile('big.nii.gz', { shape: [2, 2, 2], affine: identityAffine(), data }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NiftiWriteError);
    expect((error as NiftiWriteError).message).toMatch(/^big\.nii\.gz: voxel \(1, 0, 1\) is 1e\+40, beyond float32's range/);
    expect((error as NiftiWriteError).remedy).toEqual({ dtype: 'float64' });
    await expect(threads.encodeFile('x.nii', { shape: [2], affine: identityAffine(), data: new Float64Array(3) })).rejects.toThrow(
      new InvalidArgumentError('volume: data has 3 values; expected 2 for its shape 2'),
    );
  });

  it('copies the voxels to the worker, or hands them over on request (transferred, not copied, even when encoding fails); with one thread there is no worker and nothing is moved', async () => {
    const make = (): Volume => ({ shape: [4, 4, 4], affine: identityAffine(), data: Float64Array.from({ length: 64 }, (_, k) => k) });
    const copied = make();
    const bytes = await threads.encodeFile(join(dir, 'moved.nii.gz'), copied);
    expect(copied.data.length).toBe(64);
    const moved = make();
    expect(Buffer.from(await threads.encodeFile(join(dir, 'moved.nii.gz'), moved, {}, { handOver: true })).equals(Buffer.from(bytes))).toBe(true);
    expect(moved.data.length).toBe(0);
    // A failed encoding keeps a copied volume whole, so the caller can follow the error's remedy.
    const big = make();
    big.data[5] = 1e40;
    await expect(threads.encodeFile(join(dir, 'big.nii.gz'), big)).rejects.toThrow(NiftiWriteError);
    expect(big.data[5]).toBe(1e40);
    const kept = make();
    expect(Buffer.from(await one.encodeFile(join(dir, 'moved.nii.gz'), kept)).equals(Buffer.from(bytes))).toBe(true);
    expect(kept.data.length).toBe(64);
    // A view into a larger buffer is copied, leaving the buffer alone.
    const shared = new Float64Array(128);
    const view: Volume = { shape: [4, 4, 4], affine: identityAffine(), data: shared.subarray(64) };
    await threads.encodeFile(join(dir, 'view.nii'), view);
    expect(shared.length).toBe(128);
  });
});

describe('new NiftiThreads', () => {
  it('takes a whole number of threads from 1 to 1024', () => {
    for (const bad of [0, 1025, 1.5, '2', undefined]) {
      expect(() => new NiftiThreads({ threads: bad as number })).toThrow(InvalidArgumentError);
    }
    expect(() => new NiftiThreads({ threads: 0 })).toThrow('NiftiThreads: options.threads: expected an integer from 1 to 1024; received a number (0)');
    expect(() => new NiftiThreads(undefined as unknown as { threads: number })).toThrow(InvalidArgumentError);
    expect(new NiftiThreads({ threads: 1 }).threads).toBe(1);
  });

  it('is refused by a read with a bad path, as readNifti refuses it', async () => {
    await expect(threads.read('')).rejects.toThrow(InvalidArgumentError);
    await expect(threads.read(3 as unknown as string)).rejects.toThrow(InvalidArgumentError);
  });
});
