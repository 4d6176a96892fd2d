import { InvalidValueError, InvalidArgumentError } from '@combat/core';
import { describe, expect, it } from 'vitest';
import { AffineMismatchError, CovariateTableError, InMemoryVolumeResource, VolumeShapeError, adjustVolumes, checkShape, checkVolumes, flattenInto, formatShape, formatVoxel, harmonizeVolumes, harmonizeVolumesStreaming, maskIndices, siteEffectMaps, tableCovariates, unflatten, type Volume, type VolumeResource } from '../src/index.js';
import { SHAPE, siteVolumes, volume } from './synthetic-volumes.js';

const { volumes, covars, mask } = siteVolumes();
const options = { batchCol: 'site', mask };
const loaded = await Promise.all(volumes.map((v) => v.load()));
const named = (resources: readonly VolumeResource[]) => resources.map((r, i) => ({ name: `sub-${String(i + 1).padStart(2, '0')}.nii.gz`, load: () => r.load() }));
const replace = (index: number, v: Volume | (() => Promise<Volume>), resources: readonly VolumeResource[] = volumes) =>
  resources.map((r, i) => (i === index ? { name: r.name, load: typeof v === 'function' ? v : async () => v } : r));
const { estimates } = await harmonizeVolumes(volumes, covars, options);
/** Mask voxel (3, 4, 5) of the 10x12x8 synthetic volumes, inside the box mask. */
const VOXEL = 3 + 10 * (4 + 12 * 5);

/** A sink that records the indices it receives. */
function recorder(): { calls: number[]; sink: (volume: Volume, index: number) => void } {
  const calls: number[] = [];
  return { calls, sink: (_, index) => void calls.push(index) };
}

function withVoxel(v: Volume, at: number, value: number): Volume {
  const data = Float64Array.from(v.data);
  data[at] = value;
  return { ...v, data };
}

describe('messages name volumes by their file, voxels as (i, j, k), rows from 1', () => {
  it('a named volume of the wrong shape is named by its file', async () => {
    const fourD = volume(new Float64Array(10 * 12 * 8 * 5), [10, 12, 8, 5]);
    await expect(harmonizeVolumes(replace(4, fourD, named(volumes)), covars, options)).rejects.toThrow(new VolumeShapeError('sub-05.nii.gz has shape 10x12x8x5; expected a 3D volume'));
  });

  it('an affine mismatch names both files and carries the remedy', async () => {
    const shifted = { ...loaded[2]!, affine: loaded[2]!.affine.map((x, at) => (at === 3 ? x + 12.5 : x)) };
    const namedMask = new InMemoryVolumeResource(await mask.load(), 'mask.nii.gz');
    const error = await harmonizeVolumes(replace(2, shifted, named(volumes)), covars, { ...options, mask: namedMask }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AffineMismatchError);
    expect((error as AffineMismatchError).message).toBe(
      "sub-03.nii.gz: its affine differs from the mask's (mask.nii.gz) at row 0, column 3: 12.5 vs 0 (tolerance 0.00001); use { allowAffineMismatch: true }",
    );
    expect((error as AffineMismatchError).remedy).toEqual({ allowAffineMismatch: true });
  });

  it('NaN at the same place of both affines is no mismatch; NaN against a number is', async () => {
    const withNaN = (v: Volume): Volume => ({ ...v, affine: v.affine.map((x, at) => (at === 7 ? NaN : x)) });
    const nanMask = new InMemoryVolumeResource(withNaN(await mask.load()), 'mask.nii.gz');
    const nanVolumes = loaded.map((v, i) => new InMemoryVolumeResource(withNaN(v), `sub-${i + 1}.nii.gz`));
    const { harmonized } = await harmonizeVolumes(nanVolumes, covars, { ...options, mask: nanMask });
    expect(harmonized).toHaveLength(15);
    const mixed = nanVolumes.map((r, i) => (i === 6 ? new InMemoryVolumeResource(loaded[6]!, 'sub-7.nii.gz') : r));
    await expect(harmonizeVolumes(mixed, covars, { ...options, mask: nanMask })).rejects.toThrow(
      "sub-7.nii.gz: its affine differs from the mask's (mask.nii.gz) at row 1, column 3: 0 vs NaN (tolerance 0.00001)",
    );
  });

  it('a covariate row is counted from 1 and names the volume', async () => {
    const site = [...covars.site];
    site[0] = '';
    await expect(harmonizeVolumes(named(volumes), { ...covars, site }, options)).rejects.toThrow(
      new CovariateTableError('covars column "site" is empty at row 1 (sub-01.nii.gz); expected a value for every volume'),
    );
    expect(() => tableCovariates({ site: ['A', 'B'], age: ['61', ' '] }, 2, { batchCol: 'site', continuousCols: ['age'] })).toThrow(
      'covars column "age" has " " at row 2; expected a finite number',
    );
  });

  it('the unadjusted-voxels warning names voxels as (i, j, k)', async () => {
    const flat = volumes.map((r, i) => (covars.site[i] === 'site_A' ? new InMemoryVolumeResource(withVoxel(loaded[i]!, VOXEL, 0.5), r.name) : r));
    const { estimates: fit } = await harmonizeVolumes(flat, covars, options);
    const warning = fit.warnings.find((w) => w.code === 'unadjusted-features');
    expect(warning?.message).toBe('1 voxel(s) inside the mask left unadjusted (constant within a batch, no finite value in a batch, or zero pooled variance): (3, 4, 5)');
    expect(warning).toHaveProperty('features', [fit.mask.indices.indexOf(VOXEL)]);
  });

  it('formats voxels i fastest', () => {
    expect(formatVoxel(VOXEL, SHAPE)).toBe('(3, 4, 5)');
    expect(formatVoxel(0, [2, 2])).toBe('(0, 0)');
    expect(formatVoxel(23, [2, 3, 4])).toBe('(1, 2, 3)');
  });
});

describe('infinite voxels inside the mask: refused before any statistic or output', () => {
  it('in a fit, naming the file and the voxel, before the sink is called', async () => {
    const { calls, sink } = recorder();
    const bad = replace(14, withVoxel(loaded[14]!, VOXEL, Infinity), named(volumes));
    const error = await harmonizeVolumesStreaming(bad, covars, options, sink).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toBe('sub-15.nii.gz has Infinity at voxel (3, 4, 5) inside the mask; expected a finite value, or NaN for a missing one');
    expect(calls).toEqual([]);
  });

  it('in adjustVolumes (where core would apply them), before the sink is called', async () => {
    const { calls, sink } = recorder();
    const bad = replace(4, withVoxel(loaded[4]!, VOXEL, -Infinity), named(volumes));
    await expect(adjustVolumes(estimates, bad, covars, {}, sink)).rejects.toThrow('sub-05.nii.gz has -Infinity at voxel (3, 4, 5) inside the mask');
    expect(calls).toEqual([]);
  });

  it('outside the mask they are not harmonized, and not refused', async () => {
    const outside = replace(4, withVoxel(loaded[4]!, 0, Infinity));
    const { harmonized } = await harmonizeVolumes(outside, covars, { ...options, preserveOutOfMask: true });
    expect((await harmonized[4]!.load()).data[0]).toBe(Infinity);
  });

  it('NaN inside the mask is a missing value, not an error', () => {
    const row = new Float64Array(1);
    flattenInto(withVoxel(loaded[0]!, VOXEL, NaN), Int32Array.of(VOXEL), row);
    expect(row[0]).toBeNaN();
  });
});

describe('every volume checked before the first output', () => {
  const small = volume(new Float64Array(125), [5, 5, 5]);

  it('adjustVolumes checks all volumes before calling the sink, unless checkFirst is false', async () => {
    for (const bad of [replace(4, small), replace(4, () => Promise.reject(new Error('sub-05.nii.gz: truncated voxel data')))]) {
      const first = recorder();
      await expect(adjustVolumes(estimates, bad, covars, {}, first.sink)).rejects.toThrow();
      expect(first.calls).toEqual([]);
      const once = recorder();
      await expect(adjustVolumes(estimates, bad, covars, { checkFirst: false }, once.sink)).rejects.toThrow();
      expect(once.calls).toEqual([0, 1, 2, 3]);
    }
  });

  it('harmonizeVolumesStreaming reads and checks all volumes before calling the sink', async () => {
    const { calls, sink } = recorder();
    await expect(harmonizeVolumesStreaming(replace(4, small), covars, options, sink)).rejects.toThrow(VolumeShapeError);
    expect(calls).toEqual([]);
  });

  it('checkVolumes reads each volume once, reports a check phase, and finds the bad one', async () => {
    const phases: string[] = [];
    const reads: number[] = [];
    const counted = volumes.map((r, i) => ({ name: r.name, load: () => (reads.push(i), r.load()) }));
    await checkVolumes(counted, estimates.mask, { onProgress: ({ phase, done }) => phases.push(`${phase} ${done}`) });
    expect(reads).toEqual(volumes.map((_, i) => i));
    expect(phases).toEqual(volumes.map((_, i) => `check ${i + 1}`));
    await expect(checkVolumes(replace(9, small), estimates.mask)).rejects.toThrow('site_B-4 has shape 5x5x5; expected 10x12x8 like the others');
    const shifted = { ...loaded[2]!, affine: loaded[2]!.affine.map((x, at) => (at === 3 ? x + 1 : x)) };
    await expect(checkVolumes(replace(2, shifted), { ...estimates.mask, name: 'mask.nii.gz' })).rejects.toThrow(AffineMismatchError);
    await expect(checkVolumes(replace(2, shifted), estimates.mask, { allowAffineMismatch: true })).resolves.toBeUndefined();
  });
});

describe('arguments: a InvalidArgumentError, never a TypeError', () => {
  const geometry = estimates.mask;
  const sink = () => undefined;
  const cases: [string, () => unknown][] = [
    ['harmonizeVolumes(null)', () => harmonizeVolumes(null as never, covars, options)],
    ['harmonizeVolumes with a volume that is not a resource', () => harmonizeVolumes([...volumes.slice(1), 'a.nii' as never], covars, options)],
    ['harmonizeVolumes without options', () => harmonizeVolumes(volumes, covars, undefined as never)],
    ['harmonizeVolumes without a mask', () => harmonizeVolumes(volumes, covars, { batchCol: 'site' } as never)],
    ['harmonizeVolumes with covars null', () => harmonizeVolumes(volumes, null as never, options)],
    ['harmonizeVolumes with a batchCol that is not a string', () => harmonizeVolumes(volumes, covars, { ...options, batchCol: 3 } as never)],
    ['harmonizeVolumes with a bad affineTolerance', () => harmonizeVolumes(volumes, covars, { ...options, affineTolerance: -1 })],
    ['harmonizeVolumesStreaming without a sink', () => harmonizeVolumesStreaming(volumes, covars, options, undefined as never)],
    ['a resource whose load() gives undefined', () => harmonizeVolumes(replace(3, () => Promise.resolve(undefined as never)), covars, options)],
    ['a volume whose data does not fit its shape', () => harmonizeVolumes(replace(3, { ...loaded[3]!, data: new Float64Array(7) }), covars, options)],
    ['adjustVolumes(undefined estimates)', () => adjustVolumes(undefined as never, volumes, covars, {}, sink)],
    ['adjustVolumes with estimates whose mask does not match the model', () => adjustVolumes({ ...estimates, mask: { ...geometry, indices: geometry.indices.subarray(1) } }, volumes, covars, {}, sink)],
    ['adjustVolumes with a string for options', () => adjustVolumes(estimates, volumes, covars, 'fast' as never, sink)],
    ['checkVolumes with mask indices outside the shape', () => checkVolumes(volumes, { ...geometry, indices: Int32Array.of(5000) })],
    ['maskIndices(undefined)', () => maskIndices(undefined as never)],
    ['maskIndices of a plain array', () => maskIndices({ shape: [2, 1, 1], affine: loaded[0]!.affine, data: [0, 1], metadata: {} } as never)],
    ['flattenInto with a short row', () => flattenInto(loaded[0]!, geometry.indices, new Float64Array(2))],
    ['flattenInto with indices outside the volume', () => flattenInto(loaded[0]!, Int32Array.of(-1), new Float64Array(1))],
    ['unflatten(null)', () => unflatten(null as never, geometry.indices, loaded[0]!)],
    ['checkShape(undefined)', () => checkShape(undefined as never, 'sub-01.nii.gz')],
    ['formatShape(undefined)', () => formatShape(undefined as never)],
    ['formatVoxel with a fractional index', () => formatVoxel(1.5, [2, 2, 2])],
    ['tableCovariates(undefined)', () => tableCovariates(undefined as never, 2, { batchCol: 'site' })],
    ['tableCovariates with a NaN count', () => tableCovariates({ site: ['A'] }, NaN, { batchCol: 'site' })],
    ['siteEffectMaps(null)', () => siteEffectMaps(null as never)],
    ['new InMemoryVolumeResource(undefined)', () => new InMemoryVolumeResource(undefined as never)],
  ];

  it.each(cases)('%s', async (_, call) => {
    const error = await (async () => call())().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(/expected/);
  });

  it('names the resource whose load() gave something else', async () => {
    await expect(harmonizeVolumes(replace(3, () => Promise.resolve(null as never), named(volumes)), covars, options)).rejects.toThrow(
      'sub-04.nii.gz: expected a volume { shape, affine, data, metadata }; received null',
    );
  });
});
