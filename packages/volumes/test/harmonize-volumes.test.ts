import { InMemoryVolumeResource, InvalidArgumentError, type Volume } from '@combat/base';
import { expectClose } from '@combat/test-support';
import {
  CombatAccumulator,
  InvalidValueError,
  ShapeMismatchError,
  TooFewBatchesError,
  UnknownBatchError,
  UnknownCovariateError,
  applyCombat,
  codeDesign,
  finalizeModel,
  harmonize,
} from '@combat/core';
import { describe, expect, it } from 'vitest';
import {
  AffineMismatchError,
  EmptyMaskError,
  TooFewVolumesError,
  VolumeShapeError,
  adjustVolumes,
  batchEffectMaps,
  harmonizeVolumes,
  harmonizeVolumesStreaming,
  maskIndices,
} from '../src/index.js';
import { SHAPE, SITES, siteVolumes, volume } from './synthetic-volumes.js';

const { volumes, site, age, covariates, withAge, mask } = siteVolumes();
const options = { mask };
const loaded = await Promise.all(volumes.map((v) => v.load()));
const maskVolume = await mask.load();
const inside = maskIndices(maskVolume);

function maskedMean(v: Volume): number {
  let sum = 0;
  for (const at of inside) sum += v.data[at];
  return sum / inside.length;
}
function maskedVariance(v: Volume): number {
  const m = maskedMean(v);
  let sum = 0;
  for (const at of inside) sum += (v.data[at] - m) ** 2;
  return sum / inside.length;
}
function standardDeviation(values: number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}
function perSite(vs: Volume[], statistic: (v: Volume) => number): number[] {
  return SITES.map((s) => {
    const values = vs.filter((_, i) => site[i] === s).map(statistic);
    return values.reduce((a, b) => a + b, 0) / values.length;
  });
}
function correlation(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  const sxy = x.reduce((a, xi, i) => a + (xi - mx) * (y[i]! - my), 0);
  return sxy / Math.sqrt(x.reduce((a, xi) => a + (xi - mx) ** 2, 0) * y.reduce((a, yi) => a + (yi - my) ** 2, 0));
}
describe('harmonizeVolumes (the behaviours kwneuro tests)', () => {
  it('returns one volume of the input shape per input, in order, with its header and source', async () => {
    const { harmonized } = await harmonizeVolumes(volumes, covariates, options);
    expect(harmonized).toHaveLength(volumes.length);
    for (const [i, h] of harmonized.entries()) {
      expect(h.shape).toEqual([...SHAPE]);
      expect(h.source).toBe(volumes[i]!.source);
      // The header keeps its type: harmonized volumes are Volume<TestHeader>.
      expect(h.header?.descrip).toBe('a test volume');
    }
  });

  it('brings the site means together', async () => {
    const after = (await harmonizeVolumes(volumes, covariates, options)).harmonized;
    expect(standardDeviation(perSite(after, maskedMean))).toBeLessThan(0.3 * standardDeviation(perSite(loaded, maskedMean)));
  });

  it('brings the site variances together', async () => {
    const after = (await harmonizeVolumes(volumes, covariates, options)).harmonized;
    expect(standardDeviation(perSite(after, maskedVariance))).toBeLessThan(0.5 * standardDeviation(perSite(loaded, maskedVariance)));
  });

  it('keeps the age effect', async () => {
    const after = (await harmonizeVolumes(volumes, withAge, options)).harmonized;
    const before = correlation(age, loaded.map(maskedMean));
    const kept = correlation(age, after.map(maskedMean));
    expect(Math.abs(kept)).toBeGreaterThan(0.5);
    expect(Math.abs(kept)).toBeGreaterThanOrEqual(0.5 * Math.abs(before));
  });

  it('sets out-of-mask voxels to zero by default', async () => {
    const after = (await harmonizeVolumes(volumes, covariates, options)).harmonized;
    for (const v of after) v.data.forEach((y, at) => maskVolume.data[at] === 0 && expect(y).toBe(0));
  });

  it('keeps out-of-mask voxels exactly with preserveOutOfMask', async () => {
    const after = (await harmonizeVolumes(volumes, covariates, { ...options, preserveOutOfMask: true })).harmonized;
    after.forEach((v, i) => v.data.forEach((y, at) => maskVolume.data[at] === 0 && expect(y).toBe(loaded[i]!.data[at])));
  });

  it("with dtype 'float32', gives float32 voxels: the float64 results rounded as a float32 file rounds them", async () => {
    const wide = (await harmonizeVolumes(volumes, covariates, { ...options, preserveOutOfMask: true })).harmonized;
    const narrow = (await harmonizeVolumes(volumes, covariates, { ...options, preserveOutOfMask: true, dtype: 'float32' })).harmonized;
    narrow.forEach((v, i) => {
      expect(v.data).toBeInstanceOf(Float32Array);
      expect(v.data).toEqual(Float32Array.from(wide[i]!.data));
    });
    const adjusted: Volume[] = [];
    const { estimates } = await harmonizeVolumes(volumes, covariates, options);
    await adjustVolumes(estimates, volumes, covariates, (v, i) => void (adjusted[i] = v), { dtype: 'float32' });
    adjusted.forEach((v, i) => expect(v.data).toEqual(Float32Array.from(wide[i]!.data, (y, at) => (maskVolume.data[at] === 0 ? 0 : y))));
  });

  it("with dtype 'float32', a volume with a value beyond float32's range comes as float64, its values exact", async () => {
    // Outside the mask, kept as it was: a float64 value float32 cannot hold.
    const huge = volumes.map((v, i) => (i === 2 ? new InMemoryVolumeResource({ ...loaded[2]!, data: Float64Array.from(loaded[2]!.data, (y, at) => (at === 0 ? 1e300 : y)) }, v.source) : v));
    const wide = (await harmonizeVolumes(huge, covariates, { ...options, preserveOutOfMask: true })).harmonized;
    const narrow = (await harmonizeVolumes(huge, covariates, { ...options, preserveOutOfMask: true, dtype: 'float32' })).harmonized;
    expect(narrow.map((v) => v.data.constructor.name)).toEqual(narrow.map((_, i) => (i === 2 ? 'Float64Array' : 'Float32Array')));
    expect(narrow[2]!.data).toEqual(wide[2]!.data);
    expect(narrow[2]!.data[0]).toBe(1e300);
  });

  it('does not modify its inputs', async () => {
    const copies = loaded.map((v) => v.data.slice());
    const maskCopy = maskVolume.data.slice();
    await harmonizeVolumes(volumes, covariates, { ...options, preserveOutOfMask: true });
    loaded.forEach((v, i) => expect(v.data).toEqual(copies[i]));
    expect(maskVolume.data).toEqual(maskCopy);
  });

  it('returns the estimates (the model and the mask geometry) and the warnings', async () => {
    const { estimates, warnings } = await harmonizeVolumes(volumes, withAge, options);
    expect([...estimates.model.batches.keys()]).toEqual([...SITES]);
    for (const effects of estimates.model.batches.values()) expect(effects.gammaStar).toHaveLength(inside.length);
    expect(estimates.model.varPooled.every(Number.isFinite)).toBe(true);
    expect(estimates.mask.indices).toEqual(inside);
    expect(estimates.model.coding.terms).toEqual([{ kind: 'continuous', name: 'age', range: [Math.min(...age), Math.max(...age)] }]);
    expect(Object.keys(estimates).sort()).toEqual(['mask', 'model']);
    expect(warnings).toEqual([]);
  });
});

describe('one code path', () => {
  it('gives, one volume at a time, exactly what core gives one sample at a time, and core harmonize on the whole matrix', async () => {
    const streamed: Volume[] = [];
    await harmonizeVolumesStreaming(volumes, withAge, (v, i) => {
      streamed[i] = v;
    }, { ...options, parametric: false });
    const V = inside.length;
    const matrix = new Float64Array(volumes.length * V);
    loaded.forEach((v, i) => inside.forEach((at, k) => (matrix[i * V + k] = v.data[at])));
    const streamedMatrix = new Float64Array(volumes.length * V);
    streamed.forEach((v, i) => inside.forEach((at, k) => (streamedMatrix[i * V + k] = v.data[at])));
    const table = { batch: site, continuous: { age } };
    // The statistics of one sample at a time (the volumes' path), bit for bit.
    const accumulator = new CombatAccumulator(codeDesign(table), V);
    site.forEach((batch, i) => accumulator.add({ data: matrix.subarray(i * V, (i + 1) * V), samples: 1, features: V }, { batch: [batch], continuous: { age: [age[i]!] } }));
    const { model } = finalizeModel(accumulator.statistics(), { parametric: false });
    expect(streamedMatrix).toEqual(applyCombat(model, { data: matrix, samples: volumes.length, features: V }, table).data);
    // The whole matrix in one block: the same to rounding (the statistics are summed in another order).
    const whole = harmonize({ data: matrix, samples: volumes.length, features: V }, table, { parametric: false });
    expectClose(streamedMatrix, whole.data, 1e-9, 'streamed vs whole');
  });

  it('reproduces the harmonized volumes when the estimates are applied to the training volumes', async () => {
    const { harmonized, estimates } = await harmonizeVolumes(volumes, withAge, options);
    const expected = harmonized;
    const applied: Volume[] = [];
    await adjustVolumes(estimates, volumes, withAge, (v, i) => {
      applied[i] = v;
    });
    applied.forEach((v, i) => expect(v.data).toEqual(expected[i]!.data));
  });

  it('maps each batch effect back into the volume', async () => {
    const { estimates } = await harmonizeVolumes(volumes, covariates, options);
    const maps = batchEffectMaps(estimates);
    expect(maps.map((m) => m.batch)).toEqual([...SITES]);
    maps.forEach(({ batch, gammaStar, deltaStar }) => {
      const effects = estimates.model.batches.get(batch)!;
      expect(gammaStar.shape).toEqual([...SHAPE]);
      inside.forEach((at, k) => {
        expect(gammaStar.data[at]).toBe(effects.gammaStar[k]);
        expect(deltaStar.data[at]).toBe(effects.deltaStar[k]);
      });
      expect(gammaStar.data.filter((_, at) => maskVolume.data[at] === 0).every((y) => y === 0)).toBe(true);
    });
    // site_B was shifted up by 0.3 and scaled by 1.5: a positive additive and a larger multiplicative effect.
    const meanOver = (v: Volume) => maskedMean(v);
    expect(meanOver(maps[1]!.gammaStar)).toBeGreaterThan(meanOver(maps[0]!.gammaStar));
    expect(meanOver(maps[1]!.deltaStar)).toBeGreaterThan(meanOver(maps[2]!.deltaStar));
  });
});

describe('validation: a typed error naming the volume and the shapes', () => {
  const replace = (index: number, v: Volume) => volumes.map((r, i) => (i === index ? new InMemoryVolumeResource(v) : r));

  it('fewer than 2 volumes', async () => {
    await expect(harmonizeVolumes(volumes.slice(0, 1), { batch: ['site_A'] }, options)).rejects.toThrow(TooFewVolumesError);
  });

  it('a volume that is not 3D', async () => {
    const fourD = volume(new Float64Array(10 * 12 * 8 * 5), [10, 12, 8, 5]);
    await expect(harmonizeVolumes(replace(4, fourD), covariates, options)).rejects.toThrow(new VolumeShapeError('volume 5 (of 15) has shape 10x12x8x5; expected a 3D volume'));
  });

  it('volumes of different shapes', async () => {
    const small = volume(new Float64Array(125), [5, 5, 5]);
    await expect(harmonizeVolumes(replace(7, small), covariates, options)).rejects.toThrow(/volume 8 \(of 15\) has shape 5x5x5; expected 10x12x8/);
  });

  it('a mask whose shape differs from the volumes', async () => {
    const badMask = new InMemoryVolumeResource(volume(new Int8Array(125).fill(1), [5, 5, 5]));
    await expect(harmonizeVolumes(volumes, covariates, { ...options, mask: badMask })).rejects.toThrow(/mask has shape 5x5x5; expected the volumes' shape 10x12x8/);
  });

  it('an empty mask', async () => {
    const empty = new InMemoryVolumeResource(volume(new Int8Array(960)));
    await expect(harmonizeVolumes(volumes, covariates, { ...options, mask: empty })).rejects.toThrow(EmptyMaskError);
  });

  it('covariates that do not give one batch label per volume', async () => {
    const short = { batch: site.slice(1) };
    await expect(harmonizeVolumes(volumes, short, options)).rejects.toThrow(new ShapeMismatchError('covariates.batch has 14 labels; expected one per volume (15)'));
  });

  it('covariates without batch labels', async () => {
    await expect(harmonizeVolumes(volumes, { site } as never, options)).rejects.toThrow(
      new InvalidArgumentError('covariates.batch: expected an array of batch labels, one per volume; received undefined'),
    );
  });

  it('fewer than 2 batches, or a reference batch that is not one of them: before any volume is read', async () => {
    const unread = volumes.map((r) => ({ source: r.source, load: () => Promise.reject(new Error(`${r.source} was read`)) }));
    const oneSite = { batch: site.map(() => 'site_A') };
    await expect(harmonizeVolumes(unread, oneSite, options)).rejects.toThrow(new TooFewBatchesError('expected at least 2 batches; found 1 ("site_A")'));
    await expect(harmonizeVolumes(unread, covariates, { ...options, refBatch: 'site_Z' })).rejects.toThrow(
      new UnknownBatchError('reference batch "site_Z" is not among the batches (site_A, site_B, site_C)'),
    );
  });

  it('a covariate the model does not know, or misses, when adjusting', async () => {
    const { estimates } = await harmonizeVolumes(volumes, covariates, options);
    await expect(adjustVolumes(estimates, volumes, { batch: site, continuous: { weight: age } }, () => undefined)).rejects.toThrow(
      /continuous "weight"/,
    );
    await expect(adjustVolumes(estimates, volumes, { batch: site, categorical: { sex: site.map(() => 'F') } }, () => undefined)).rejects.toThrow(
      UnknownCovariateError,
    );
  });

  it('a non-finite continuous value, naming the volume', async () => {
    const ages = [...age];
    ages[3] = NaN;
    const error = await harmonizeVolumes(volumes, { batch: site, continuous: { age: ages } }, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error).toMatchObject({ sample: 3, message: 'sample 3: site_A-3: continuous covariate "age" is NaN; expected a finite number' });
  });

  it('an affine that differs from the mask, unless allowed', async () => {
    const shifted = { ...loaded[2]!, affine: loaded[2]!.affine.map((x, at) => (at === 3 ? x + 12.5 : x)) };
    await expect(harmonizeVolumes(replace(2, shifted), covariates, options)).rejects.toThrow(new AffineMismatchError(
      "volume 3 (of 15): its affine differs from the mask's at row 0, column 3: 12.5 vs 0 (tolerance 0.00001)",
      { remedy: { allowAffineMismatch: true } },
    ));
    const { harmonized } = await harmonizeVolumes(replace(2, shifted), covariates, { ...options, allowAffineMismatch: true });
    expect(harmonized).toHaveLength(15);
  });
});
