import { InvalidArgumentError } from '@combat/base';
import { InvalidValueError, TooFewBatchesError, mergeStatistics, type CombatOptions } from '@combat/core';
import { expectClose } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TooFewVolumesError, accumulateVolumes, finalizeVolumes, fitVolumes } from '../src/index.js';
import { siteVolumes } from './synthetic-volumes.js';

const { volumes, withAge, mask } = siteVolumes();
/**
 * These volumes' site effects are about 15 times their noise, and the fit expands its sums: the
 * pooled fit itself moves by up to 1.0e-11 (gammaStar and deltaStar relative to a reference batch)
 * when the same volumes come in reverse order. Merging reorders the sums as much, so it is held
 * to 1e-10 here, ten times that; the CLI's tests hold merges of the repository's fixtures to 1e-12.
 */
const TOLERANCE = 1e-10;
const MODES: CombatOptions[] = [{}, { parametric: false }, { eb: false }, { meanOnly: true }, { refBatch: 'site_B' }];

/** The volumes of some rows and their covariates (age as a spline with explicit knots when asked). */
function shard(rows: readonly number[]) {
  return { volumes: rows.map((i) => volumes[i]!), covariates: { batch: rows.map((i) => withAge.batch[i]!), continuous: { age: rows.map((i) => withAge.continuous.age[i]!) } } };
}

describe('accumulateVolumes and finalizeVolumes', () => {
  it('accumulated in shards (any split: by site, across sites, one site across shards) and merged, give fitVolumes of all the volumes in every mode', async () => {
    const splines = { age: { knots: [45], boundaryKnots: [20, 80] as [number, number] } };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(2), { minLength: 15, maxLength: 15 }), fc.constantFrom(...MODES), fc.boolean(), async (shardOf, options, spline) => {
        const design = spline ? { splines } : {};
        const parts = [0, 1, 2].map((s) => shardOf.flatMap((owner, row) => (owner === s ? [row] : []))).filter((rows) => rows.length > 0);
        const accumulated = await Promise.all(parts.map((rows) => accumulateVolumes(shard(rows).volumes, shard(rows).covariates, { mask, ...design })));
        const merged = finalizeVolumes({ statistics: accumulated.map((a) => a.statistics).reduce((a, b) => mergeStatistics(a, b)), mask: accumulated[0]!.mask }, options);
        const pooled = await fitVolumes(volumes, withAge, { mask, ...design, ...options });
        expect(merged.warnings).toEqual(pooled.warnings);
        expect(merged.estimates.mask).toEqual(pooled.estimates.mask);
        const [a, b] = [merged.estimates.model, pooled.estimates.model];
        expect(a.coding).toEqual(b.coding);
        for (const name of ['beta', 'grandMean', 'varPooled'] as const) expectClose(a[name], b[name], TOLERANCE, name);
        for (const [batch, effects] of b.batches) {
          for (const name of ['gammaStar', 'deltaStar'] as const) expectClose(a.batches.get(batch)![name], effects[name], TOLERANCE, `${batch}.${name}`);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('takes one volume of one batch, but no volume at all', async () => {
    const { statistics } = await accumulateVolumes(volumes.slice(0, 1), { batch: ['site_A'] }, { mask });
    expect(statistics.batches.map((batch) => [batch.batch, batch.samples])).toEqual([['site_A', 1]]);
    await expect(accumulateVolumes([], { batch: [] }, { mask })).rejects.toThrow(new TooFewVolumesError('expected at least 1 volume to accumulate; found 0'));
    expect(() => finalizeVolumes({ statistics, mask: { shape: [10, 12, 8], affine: new Float64Array(16), indices: new Int32Array(statistics.features) } })).toThrow(TooFewBatchesError);
  });

  it('refuses what fitVolumes refuses before reading a volume, naming the volume', async () => {
    await expect(accumulateVolumes(volumes.slice(0, 2), { batch: ['site_A', 'site_A'], continuous: { age: [30, NaN] } }, { mask })).rejects.toThrow(InvalidValueError);
    await expect(accumulateVolumes(volumes.slice(0, 2), { batch: ['site_A', 'site_A'] }, { mask, splines: { age: { df: 2 } } })).rejects.toThrow(InvalidArgumentError);
    await expect(accumulateVolumes(volumes.slice(0, 2), { batch: ['site_A', 'site_A'] }, undefined as never)).rejects.toThrow(new InvalidArgumentError('options: expected an object; received undefined'));
  });

  it('finalizeVolumes refuses statistics of another voxel count than the mask has', async () => {
    const accumulated = await accumulateVolumes(volumes, withAge, { mask });
    const short = { ...accumulated.mask, indices: accumulated.mask.indices.slice(1) };
    expect(() => finalizeVolumes({ statistics: accumulated.statistics, mask: short })).toThrow(
      new InvalidArgumentError(`accumulated.statistics.features: expected ${short.indices.length}, one per voxel of accumulated.mask; received a number (${accumulated.statistics.features})`),
    );
  });
});
