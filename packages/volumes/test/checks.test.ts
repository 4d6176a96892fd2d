import { InMemoryVolumeResource, InvalidArgumentError, type Volume, type VolumeResource } from '@combat/base';
import { InvalidValueError } from '@combat/core';
import { describe, expect, it } from 'vitest';
import { AffineMismatchError, VolumeShapeError, adjustVolumes, batchEffectMaps, checkVolumes, harmonizeVolumes, harmonizeVolumesStreaming, maskIndices } from '../src/index.js';
import { formatVoxel } from '@combat/base/internal';
import { checkShape, flattenMasked } from '../src/mask.js';
import { SHAPE, siteVolumes, volume } from './synthetic-volumes.js';

const { volumes, site, age, covariates, mask } = siteVolumes();
const options = { mask };
const loaded = await Promise.all(volumes.map((v) => v.load()));
const named = (resources: readonly VolumeResource[]) => resources.map((r, i) => ({ source: `sub-${String(i + 1).padStart(2, '0')}.nii.gz`, load: () => r.load() }));
const replace = (index: number, v: Volume | (() => Promise<Volume>), resources: readonly VolumeResource[] = volumes) =>
  resources.map((r, i) => (i === index ? { source: r.source, load: typeof v === 'function' ? v : async () => v } : r));
const { estimates } = await harmonizeVolumes(volumes, covariates, options);
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

describe('messages name volumes by their file, voxels as (i, j, k)', () => {
  it('a named volume of the wrong shape is named by its file', async () => {
    const fourD = volume(new Float64Array(10 * 12 * 8 * 5), [10, 12, 8, 5]);
    await expect(harmonizeVolumes(replace(4, fourD, named(volumes)), covariates, options)).rejects.toThrow(new VolumeShapeError('sub-05.nii.gz has shape 10x12x8x5; expected a 3D volume'));
  });

  it('an affine mismatch names both files and carries the remedy', async () => {
    const shifted = { ...loaded[2]!, affine: loaded[2]!.affine.map((x, at) => (at === 3 ? x + 12.5 : x)) };
    const namedMask = new InMemoryVolumeResource(await mask.load(), 'mask.nii.gz');
    const error = await harmonizeVolumes(replace(2, shifted, named(volumes)), covariates, { ...options, mask: namedMask }).catch((e: unknown) => e);
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
    const { harmonized } = await harmonizeVolumes(nanVolumes, covariates, { ...options, mask: nanMask });
    expect(harmonized).toHaveLength(15);
    const mixed = nanVolumes.map((r, i) => (i === 6 ? new InMemoryVolumeResource(loaded[6]!, 'sub-7.nii.gz') : r));
    await expect(harmonizeVolumes(mixed, covariates, { ...options, mask: nanMask })).rejects.toThrow(
      "sub-7.nii.gz: its affine differs from the mask's (mask.nii.gz) at row 1, column 3: 0 vs NaN (tolerance 0.00001)",
    );
  });

  it('a covariate error about one sample names its volume', async () => {
    const batch = [...site];
    batch[0] = '';
    await expect(harmonizeVolumes(named(volumes), { batch }, options)).rejects.toThrow(
      new InvalidValueError('sub-01.nii.gz: batch labels is ""; expected a non-empty string', { sample: 0 }),
    );
    const ages = [...age];
    ages[1] = Infinity;
    await expect(harmonizeVolumes(named(volumes), { batch: site, continuous: { age: ages } }, options)).rejects.toThrow(
      'sample 1: sub-02.nii.gz: continuous covariate "age" is Infinity; expected a finite number',
    );
  });

  it('the unadjusted-voxels warning names voxels as (i, j, k), with the reason core gives', async () => {
    const flat = volumes.map((r, i) => (site[i] === 'site_A' ? new InMemoryVolumeResource(withVoxel(loaded[i]!, VOXEL, 0.5), r.source) : r));
    const { estimates: fit, warnings } = await harmonizeVolumes(flat, covariates, options);
    const warning = warnings.find((w) => w.code === 'unadjusted-features');
    expect(warning?.message).toBe('1 voxel(s) inside the mask left unadjusted: constant within batch site_A: (3, 4, 5)');
    expect(warning).toHaveProperty('features', [fit.mask.indices.indexOf(VOXEL)]);
    expect(warning).toHaveProperty('reasons', [{ cause: 'constant-in-batch', batch: 'site_A' }]);
  });

  it('a voxel with a single finite value in a batch is named with that reason, apart from the others', async () => {
    // site_B: the voxel is missing (NaN) in all volumes but the first; site_A: another voxel is constant.
    const firstB = site.indexOf('site_B');
    const other = VOXEL + 1;
    const sparse = volumes.map((r, i) => {
      if (site[i] === 'site_B' && i !== firstB) return new InMemoryVolumeResource(withVoxel(loaded[i]!, VOXEL, NaN), r.source);
      if (site[i] === 'site_A') return new InMemoryVolumeResource(withVoxel(loaded[i]!, other, 0.5), r.source);
      return r;
    });
    const { estimates: fit, warnings } = await harmonizeVolumes(sparse, covariates, options);
    const warning = warnings.find((w) => w.code === 'unadjusted-features');
    expect(warning?.message).toBe('2 voxel(s) inside the mask left unadjusted: a single finite value in batch site_B: (3, 4, 5); constant within batch site_A: (4, 4, 5)');
    expect(warning).toHaveProperty('features', [VOXEL, other].map((at) => fit.mask.indices.indexOf(at)));
  });

  it("a volume's source is its resource's, else the loaded volume's: in outputs and in messages", async () => {
    const relabel = (i: number, resource?: string) => ({
      ...(resource === undefined ? {} : { source: resource }),
      load: async () => ({ ...loaded[i]!, source: `loaded-${i}.nii` }),
    });
    const both = loaded.map((_, i) => relabel(i, `resource-${i}.nii`));
    const { harmonized } = await harmonizeVolumes(both, covariates, options);
    expect(harmonized.map((v) => v.source)).toEqual(loaded.map((_, i) => `resource-${i}.nii`));
    const applied: (string | undefined)[] = [];
    await adjustVolumes(estimates, both, covariates, (v, i) => void (applied[i] = v.source));
    expect(applied).toEqual(loaded.map((_, i) => `resource-${i}.nii`));
    const shifted = { ...loaded[0]!, source: 'loaded-0.nii', affine: loaded[0]!.affine.map((x, at) => (at === 3 ? x + 1 : x)) };
    const bad = both.map((r, i) => (i === 0 ? { source: r.source, load: async () => shifted } : r));
    for (const run of [() => harmonizeVolumes(bad, covariates, options), () => adjustVolumes(estimates, bad, covariates, () => {}), () => checkVolumes(bad, estimates.mask)]) {
      await expect(run()).rejects.toThrow(/^resource-0\.nii: its affine differs/);
    }
    const covariateError = await harmonizeVolumes(both, { batch: ['', ...site.slice(1)] }, options).catch((e: unknown) => e);
    expect((covariateError as Error).message).toBe('sample 0: resource-0.nii: batch labels is ""; expected a non-empty string');
    // A resource without a source: the loaded volume's, in outputs and in messages.
    const unnamed = loaded.map((_, i) => relabel(i));
    expect((await harmonizeVolumes(unnamed, covariates, options)).harmonized.map((v) => v.source)).toEqual(loaded.map((_, i) => `loaded-${i}.nii`));
    const unnamedBad = unnamed.map((r, i) => (i === 0 ? { load: async () => shifted } : r));
    await expect(checkVolumes(unnamedBad, estimates.mask)).rejects.toThrow(/^loaded-0\.nii: its affine differs/);
    // The mask follows the same rule.
    const maskVolume = { ...(await mask.load()), source: 'loaded-mask.nii' };
    const fitted = await harmonizeVolumes(volumes, covariates, { mask: { source: 'mask.nii', load: async () => maskVolume } });
    expect(fitted.estimates.mask.source).toBe('mask.nii');
    expect((await harmonizeVolumes(volumes, covariates, { mask: { load: async () => maskVolume } })).estimates.mask.source).toBe('loaded-mask.nii');
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
    const error = await harmonizeVolumesStreaming(bad, covariates, sink, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toBe('sub-15.nii.gz has Infinity at voxel (3, 4, 5) inside the mask; expected a finite value, or NaN for a missing one');
    expect(calls).toEqual([]);
  });

  it('in adjustVolumes (where core would apply them), before the sink is called', async () => {
    const { calls, sink } = recorder();
    const bad = replace(4, withVoxel(loaded[4]!, VOXEL, -Infinity), named(volumes));
    await expect(adjustVolumes(estimates, bad, covariates, sink)).rejects.toThrow('sub-05.nii.gz has -Infinity at voxel (3, 4, 5) inside the mask');
    expect(calls).toEqual([]);
  });

  it('outside the mask they are not harmonized, and not refused', async () => {
    const outside = replace(4, withVoxel(loaded[4]!, 0, Infinity));
    const { harmonized } = await harmonizeVolumes(outside, covariates, { ...options, preserveOutOfMask: true });
    expect(harmonized[4]!.data[0]).toBe(Infinity);
  });

  it('NaN inside the mask is a missing value, not an error', () => {
    const row = new Float64Array(1);
    flattenMasked(withVoxel(loaded[0]!, VOXEL, NaN), Int32Array.of(VOXEL), row, 'sub-01.nii.gz');
    expect(row[0]).toBeNaN();
  });
});

describe('every volume checked before the first output', () => {
  const small = volume(new Float64Array(125), [5, 5, 5]);

  it('adjustVolumes checks all volumes before calling the sink, unless checkFirst is false', async () => {
    for (const bad of [replace(4, small), replace(4, () => Promise.reject(new Error('sub-05.nii.gz: truncated voxel data')))]) {
      const first = recorder();
      await expect(adjustVolumes(estimates, bad, covariates, first.sink)).rejects.toThrow();
      expect(first.calls).toEqual([]);
      const once = recorder();
      await expect(adjustVolumes(estimates, bad, covariates, once.sink, { checkFirst: false })).rejects.toThrow();
      expect(once.calls).toEqual([0, 1, 2, 3]);
    }
  });

  it('harmonizeVolumesStreaming reads and checks all volumes before calling the sink', async () => {
    const { calls, sink } = recorder();
    await expect(harmonizeVolumesStreaming(replace(4, small), covariates, sink, options)).rejects.toThrow(VolumeShapeError);
    expect(calls).toEqual([]);
  });

  it('checkVolumes reads each volume once, reports a check phase, and finds the bad one', async () => {
    const phases: string[] = [];
    const reads: number[] = [];
    const counted = volumes.map((r, i) => ({ source: r.source, load: () => (reads.push(i), r.load()) }));
    await checkVolumes(counted, estimates.mask, { onProgress: ({ phase, done }) => phases.push(`${phase} ${done}`) });
    expect(reads).toEqual(volumes.map((_, i) => i));
    expect(phases).toEqual(volumes.map((_, i) => `check ${i + 1}`));
    await expect(checkVolumes(replace(9, small), estimates.mask)).rejects.toThrow('site_B-4 has shape 5x5x5; expected 10x12x8 like the others');
    const shifted = { ...loaded[2]!, affine: loaded[2]!.affine.map((x, at) => (at === 3 ? x + 1 : x)) };
    await expect(checkVolumes(replace(2, shifted), { ...estimates.mask, source: 'mask.nii.gz' })).rejects.toThrow(AffineMismatchError);
    await expect(checkVolumes(replace(2, shifted), estimates.mask, { allowAffineMismatch: true })).resolves.toBeUndefined();
  });
});

describe('arguments: a InvalidArgumentError, never a TypeError', () => {
  const geometry = estimates.mask;
  const sink = () => undefined;
  const cases: [string, () => unknown][] = [
    ['harmonizeVolumes(null)', () => harmonizeVolumes(null as never, covariates, options)],
    ['harmonizeVolumes with a volume that is not a resource', () => harmonizeVolumes([...volumes.slice(1), 'a.nii' as never], covariates, options)],
    ['harmonizeVolumes without options', () => harmonizeVolumes(volumes, covariates, undefined as never)],
    ['harmonizeVolumes without a mask', () => harmonizeVolumes(volumes, covariates, { refBatch: 'site_A' } as never)],
    ['harmonizeVolumes with covariates null', () => harmonizeVolumes(volumes, null as never, options)],
    ['harmonizeVolumes with a batch that is not an array', () => harmonizeVolumes(volumes, { batch: 'site' } as never, options)],
    ['harmonizeVolumes with an eb that is not a boolean', () => harmonizeVolumes(volumes, covariates, { ...options, eb: 'yes' } as never)],
    ['harmonizeVolumes with a bad affineTolerance', () => harmonizeVolumes(volumes, covariates, { ...options, affineTolerance: -1 })],
    ['harmonizeVolumesStreaming without a sink', () => harmonizeVolumesStreaming(volumes, covariates, undefined as never, options)],
    ['a resource whose load() gives undefined', () => harmonizeVolumes(replace(3, () => Promise.resolve(undefined as never)), covariates, options)],
    ['a volume whose data does not fit its shape', () => harmonizeVolumes(replace(3, { ...loaded[3]!, data: new Float64Array(7) }), covariates, options)],
    ['adjustVolumes(undefined estimates)', () => adjustVolumes(undefined as never, volumes, covariates, sink)],
    ['adjustVolumes with estimates whose mask does not match the model', () => adjustVolumes({ ...estimates, mask: { ...geometry, indices: geometry.indices.subarray(1) } }, volumes, covariates, sink)],
    ['adjustVolumes with a string for options', () => adjustVolumes(estimates, volumes, covariates, sink, 'fast' as never)],
    ['checkVolumes with mask indices outside the shape', () => checkVolumes(volumes, { ...geometry, indices: Int32Array.of(5000) })],
    ['maskIndices(undefined)', () => maskIndices(undefined as never)],
    ['maskIndices of a plain array', () => maskIndices({ shape: [2, 1, 1], affine: loaded[0]!.affine, data: [0, 1] } as never)],
    ['checkShape(undefined)', () => checkShape(undefined as never, 'sub-01.nii.gz')],
    ['adjustVolumes with a checkFirst that is not a boolean', () => adjustVolumes(estimates, volumes, covariates, sink, { checkFirst: 1 } as never)],
    ['batchEffectMaps(null)', () => batchEffectMaps(null as never)],
    ['new InMemoryVolumeResource(undefined)', () => new InMemoryVolumeResource(undefined as never)],
  ];

  it.each(cases)('%s', async (_, call) => {
    const error = await (async () => call())().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(/expected/);
  });

  it('words every message <what>: expected <expected>; received <the value described>', async () => {
    const messages: [() => unknown, string][] = [
      [() => harmonizeVolumes(volumes, covariates, undefined as never), 'options: expected an object; received undefined'],
      [() => harmonizeVolumes([volumes[0]!, 'a.nii' as never], covariates, options), 'volumes[1]: expected a volume resource (an object with a load() method and an optional string source); received a string ("a.nii")'],
      [() => harmonizeVolumesStreaming(volumes, covariates, undefined as never, options), 'sink: expected a function; received undefined'],
      [() => harmonizeVolumes(volumes, covariates, { ...options, preserveOutOfMask: 'yes' } as never), 'options.preserveOutOfMask: expected true or false; received a string ("yes")'],
      [() => adjustVolumes(estimates, volumes, covariates, sink, { checkFirst: 1 } as never), 'options.checkFirst: expected true or false; received a number (1)'],
      [() => harmonizeVolumes(volumes, covariates, { ...options, dtype: 'int16' } as never), `options.dtype: expected 'float32' or 'float64'; received a string ("int16")`],
      [() => adjustVolumes(estimates, volumes, covariates, sink, { dtype: 32 } as never), `options.dtype: expected 'float32' or 'float64'; received a number (32)`],
      [() => adjustVolumes(estimates, volumes, covariates, sink, 'fast' as never), 'options: expected an options object or undefined; received a string ("fast")'],
      [() => checkVolumes(volumes, { ...geometry, indices: Int32Array.of(5000) }), 'mask.indices[0]: expected a voxel index from 0 to 959; received a number (5000)'],
      // A repeated or unsorted voxel would be written twice by an effect map, another left as it was.
      [() => batchEffectMaps({ ...estimates, mask: { ...geometry, indices: Int32Array.from(geometry.indices, (at, k) => (k === 2 ? geometry.indices[1]! : at)) } }), `estimates.mask.indices[2]: expected an index above ${geometry.indices[1]} (indices strictly ascending); received a number (${geometry.indices[1]})`],
      [() => checkVolumes(volumes, { ...geometry, affine: Float64Array.from(geometry.affine, (x, k) => (k === 0 ? NaN : x)) }), 'mask.affine: expected a Float64Array of 16 finite values; received a Float64Array of length 16'],
      [() => adjustVolumes({ ...estimates, mask: { ...geometry, indices: geometry.indices.subarray(1) } }, volumes, covariates, sink), `estimates.model.features: expected ${geometry.indices.length - 1}, one per voxel of estimates.mask; received a number (${geometry.indices.length})`],
      [
        () => batchEffectMaps({ ...estimates, model: { ...estimates.model, batches: new Map([...estimates.model.batches].map(([batch, effects]) => [batch, { ...effects, deltaStar: [] as never }])) } }),
        `estimates.model.batches.get("site_A").deltaStar: expected a Float64Array of ${geometry.indices.length} values, one per voxel; received an array of 0`,
      ],
      [() => batchEffectMaps({ ...estimates, model: { ...estimates.model, batches: ['site_A'] as never } }), 'estimates.model.batches: expected a Map of batch effects by batch label; received an array of 1'],
      [() => harmonizeVolumes(volumes, covariates, { ...options, maxIterations: 0 }), 'options.maxIterations: expected a positive integer; received a number (0)'],
      [() => harmonizeVolumes(volumes, covariates, { ...options, refBatch: 3 } as never), 'options.refBatch: expected a batch label or null; received a number (3)'],
      [() => adjustVolumes(estimates, volumes, covariates, sink, { newBatches: 'fit' } as never), "options.newBatches: expected 'error' or 'estimate'; received a string (\"fit\")"],
      [() => adjustVolumes(estimates, volumes, covariates, sink, { maxIterations: 1.5 }), 'options.maxIterations: expected a positive integer; received a number (1.5)'],
    ];
    for (const [call, message] of messages) {
      const error = await (async () => call())().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('names the resource whose load() gave something else', async () => {
    await expect(harmonizeVolumes(replace(3, () => Promise.resolve(null as never), named(volumes)), covariates, options)).rejects.toThrow(
      'sub-04.nii.gz: expected a volume { data, shape, affine }; received null',
    );
  });
});
