import { InMemoryVolumeResource, identityAffine, type Volume, type VolumeResource } from '@combat/base';
import { TooFewSamplesError, UnknownBatchError, applyCombat, type Covariates } from '@combat/core';
import { expectClose, loadFamilyCase, type FamilyTable } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { adjustVolumes, batchEffectMaps, fitVolumes, harmonizeVolumes, type AdjustVolumesOptions, type VolumeEstimates } from '../src/index.js';
import { siteVolumes } from './synthetic-volumes.js';

/**
 * `fixtures/family/newbatch-parametric` (ComBatFamily's `predict.comfam`) turned into volumes:
 * each subject's 40 features are a 5x4x2 volume, feature k at voxel k (i fastest), under a mask of
 * every voxel.
 */
const fixture = loadFamilyCase('newbatch-parametric');
const spec = fixture.spec;
const SHAPE = [5, 4, 2];
const affine = identityAffine();
const mask = new InMemoryVolumeResource({ data: new Uint8Array(40).fill(1), shape: SHAPE, affine }, 'mask.nii.gz');
const fitOptions = { mask, ...fixture.options };

/** A table's subjects as volumes named `<id>.nii.gz`: feature k at voxel k. */
function asVolumes({ ids, matrix }: FamilyTable): InMemoryVolumeResource[] {
  return ids.map((id, i) => new InMemoryVolumeResource({ data: matrix.data.slice(i * 40, (i + 1) * 40), shape: SHAPE, affine }, `${id}.nii.gz`));
}

/** Resources that record each load (by index) and never hold the volume themselves. */
function counted(resources: readonly VolumeResource[], loads: number[]): VolumeResource[] {
  return resources.map((r, i) => ({ source: r.source, load: () => (loads.push(i), r.load()) }));
}

/** Adjusts with a sink that collects the volumes as a subject-major matrix. */
async function adjustToMatrix(estimates: VolumeEstimates, volumes: readonly VolumeResource[], covariates: Covariates, options = {}) {
  const data = new Float64Array(volumes.length * 40);
  const result = await adjustVolumes(estimates, volumes, covariates, (v, i) => data.set(v.data, i * 40), options);
  return { data, ...result };
}

const train = fixture.train;
const fresh = fixture.new;
const trainVolumes = asVolumes(train);
const newVolumes = asVolumes(fresh);
const { estimates } = await fitVolumes(trainVolumes, train.covariates, fitOptions);
const firstNew = fresh.covariates.batch.findIndex((b) => !estimates.model.batches.has(b));

describe('fitting and adjusting, apart', () => {
  it('fitVolumes, then adjustVolumes of the training volumes, give what harmonizeVolumes gives', async () => {
    const { volumes, withAge, mask: boxMask } = siteVolumes();
    const { harmonized, estimates: together, warnings } = await harmonizeVolumes(volumes, withAge, { mask: boxMask });
    const fitted = await fitVolumes(volumes, withAge, { mask: boxMask });
    expect(fitted.estimates).toEqual(together);
    expect(fitted.warnings).toEqual(warnings);
    const applied: Volume[] = [];
    const adjusted = await adjustVolumes(fitted.estimates, volumes, withAge, (v, i) => void (applied[i] = v));
    expect(adjusted.estimates).toBe(fitted.estimates);
    expect(adjusted.warnings).toEqual([]);
    expect(applied).toEqual(harmonized);
  });

  it('fitVolumes reads each volume once and reports the fit phase', async () => {
    const loads: number[] = [];
    const phases: string[] = [];
    await fitVolumes(counted(trainVolumes, loads), train.covariates, { ...fitOptions, onProgress: ({ phase, done, total }) => phases.push(`${phase} ${done}/${total}`) });
    expect(loads).toEqual(trainVolumes.map((_, i) => i));
    expect(phases).toEqual(trainVolumes.map((_, i) => `fit ${i + 1}/${trainVolumes.length}`));
  });

  it('adjustVolumes passes on core warnings about covariates outside the training range', async () => {
    const { volumes, withAge, mask: boxMask } = siteVolumes();
    const { estimates: fitted } = await fitVolumes(volumes, withAge, { mask: boxMask });
    const ages = [...withAge.continuous.age];
    ages[2] = 95;
    const { warnings } = await adjustVolumes(fitted, volumes, { ...withAge, continuous: { age: ages } }, () => undefined);
    expect(warnings).toEqual([expect.objectContaining({ code: 'outside-training-range', covariate: 'age', samples: [2] })]);
  });
});

describe('new batches out of sample (newbatch-parametric as volumes)', () => {
  it('estimates the new sites in a streaming pass, then adjusts every volume as ComBatFamily predict does', async () => {
    const { data, estimates: extended, warnings } = await adjustToMatrix(estimates, newVolumes, fresh.covariates, { newBatches: 'estimate' });
    expectClose(data, fixture.expectedNew, 1e-9, 'newbatch-parametric as volumes');
    expect([...extended.model.batches.keys()]).toEqual(['site_a', 'site_b', 'site_c', ...spec.newBatches]);
    for (const batch of spec.newBatches) {
      expect(extended.model.batches.get(batch)).toMatchObject({ training: false, samples: fresh.covariates.batch.filter((b) => b === batch).length });
    }
    expect(extended.mask).toBe(estimates.mask);
    expect(extended.model.grandMean).toBe(estimates.model.grandMean);
    // The warnings are core's, for the same model and subjects.
    const core = applyCombat(estimates.model, fresh.matrix, fresh.covariates, { newBatches: 'estimate' });
    expect(warnings).toEqual(core.warnings);
    expect(batchEffectMaps(extended).map(({ batch }) => batch)).toEqual([...extended.model.batches.keys()]);
  });

  it('the extended estimates adjust further volumes of the new sites without estimating again', async () => {
    const first = await adjustToMatrix(estimates, newVolumes, fresh.covariates, { newBatches: 'estimate' });
    const again = await adjustToMatrix(first.estimates, newVolumes, fresh.covariates);
    expect(again.estimates).toBe(first.estimates);
    expect(again.data).toEqual(first.data);
  });

  it('an unseen batch without the option: UnknownBatchError naming the volume and the option, before any volume is read', async () => {
    const loads: number[] = [];
    const calls: number[] = [];
    for (const options of [{}, { newBatches: 'error' as const }]) {
      const error = await adjustVolumes(estimates, counted(newVolumes, loads), fresh.covariates, (_, i) => void calls.push(i), options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownBatchError);
      expect(error).toMatchObject({ sample: firstNew, remedy: { newBatches: 'estimate' } });
      expect((error as Error).message).toBe(
        `sample ${firstNew}: ${fresh.ids[firstNew]}.nii.gz: batch "${fresh.covariates.batch[firstNew]}" was not seen in training (known: site_a, site_b, site_c); ` +
          'use { newBatches: "estimate" }',
      );
    }
    expect(loads).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('a new batch of a single volume: TooFewSamplesError naming it, before any volume is read', async () => {
    const keep = fresh.covariates.batch.map((b, i) => b !== 'site_d' || i === firstNew);
    const pick = <T>(values: readonly T[]) => values.filter((_, i) => keep[i]);
    const covariates = {
      batch: pick(fresh.covariates.batch),
      categorical: { sex: pick(fresh.covariates.categorical!.sex!) },
      continuous: { age: pick(fresh.covariates.continuous!.age! as number[]) },
    };
    const loads: number[] = [];
    const error = await adjustVolumes(estimates, counted(pick(newVolumes), loads), covariates, () => undefined, { newBatches: 'estimate' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooFewSamplesError);
    expect((error as Error).message).toBe(`sample ${firstNew}: ${fresh.ids[firstNew]}.nii.gz: new batch site_d has 1 volume; estimating a new batch needs at least 2`);
    expect(loads).toEqual([]);
  });

  it('reads each volume once, keeping the first pass for the second, or twice without a memory budget: the same volumes', async () => {
    const everyVolume = newVolumes.map((_, i) => i);
    const isNew = everyVolume.filter((i) => !estimates.model.batches.has(fresh.covariates.batch[i]!));
    const n = newVolumes.length;
    const loads: number[] = [];
    const phases: string[] = [];
    const onProgress = ({ phase, done, total }: { phase: string; done: number; total: number }) => void phases.push(`${phase} ${done}/${total}`);
    const run = (options: AdjustVolumesOptions) => {
      loads.length = 0;
      phases.length = 0;
      return adjustToMatrix(estimates, counted(newVolumes, loads), fresh.covariates, { newBatches: 'estimate', onProgress, ...options });
    };
    // Check first (the default): the first pass checks every volume and accumulates the new ones.
    const checked = await run({});
    expect(loads).toEqual(everyVolume);
    expect(phases).toEqual([...everyVolume.map((i) => `estimate ${i + 1}/${n}`), ...everyVolume.map((i) => `adjust ${i + 1}/${n}`)]);
    const reread = await run({ memoryBudget: 0 });
    expect(loads).toEqual([...everyVolume, ...everyVolume]);
    expect(reread.data).toEqual(checked.data);
    // Without checking first: the new sites' volumes, then every volume not kept.
    const unchecked = await run({ checkFirst: false });
    expect(loads).toEqual([...isNew, ...everyVolume.filter((i) => !isNew.includes(i))]);
    expect(phases.slice(0, isNew.length)).toEqual(isNew.map((_, j) => `estimate ${j + 1}/${isNew.length}`));
    expect(unchecked.data).toEqual(checked.data);
    const uncheckedReread = await run({ checkFirst: false, memoryBudget: 0 });
    expect(loads).toEqual([...isNew, ...everyVolume]);
    expect(uncheckedReread.data).toEqual(checked.data);
  });

  it('a bad volume is found in the first pass, before the sink is called once', async () => {
    const last = newVolumes.length - 1;
    const bad = newVolumes.map((r, i) => (i === last ? new InMemoryVolumeResource({ data: new Float64Array(40), shape: [40, 1, 1], affine }, r.source) : r));
    const calls: number[] = [];
    await expect(adjustVolumes(estimates, bad, fresh.covariates, (_, i) => void calls.push(i), { newBatches: 'estimate' })).rejects.toThrow(
      `${fresh.ids[last]}.nii.gz has shape 40x1x1; expected 5x4x2 like the others`,
    );
    expect(calls).toEqual([]);
  });

  it('with estimate and no new batch among the volumes, the estimates are those given', async () => {
    const known = fresh.covariates.batch.map((b) => estimates.model.batches.has(b));
    const pick = <T>(values: readonly T[]) => values.filter((_, i) => known[i]);
    const covariates = { batch: pick(fresh.covariates.batch), categorical: { sex: pick(fresh.covariates.categorical!.sex!) }, continuous: { age: pick(fresh.covariates.continuous!.age! as number[]) } };
    const phases = new Set<string>();
    const result = await adjustVolumes(estimates, pick(newVolumes), covariates, () => undefined, { newBatches: 'estimate', onProgress: ({ phase }) => void phases.add(phase) });
    expect(result.estimates).toBe(estimates);
    expect([...phases]).toEqual(['check', 'adjust']);
  });
});

describe('a spline term in a volume fit', () => {
  it('fits the newbatch-spline case as volumes, and harmonizes its new sites as the reference does', async () => {
    const spline = loadFamilyCase('newbatch-spline');
    const splines = Object.fromEntries(spline.spec.splines.map((s) => [s.column, { df: s.df }]));
    const { estimates: fitted } = await fitVolumes(asVolumes(spline.train), spline.train.covariates, { mask, ...spline.options, splines });
    expect(fitted.model.coding.columns).toEqual(['sex:M', 'age:ns1', 'age:ns2', 'age:ns3', 'age:ns4']);
    const { data } = await adjustToMatrix(fitted, asVolumes(spline.new), spline.new.covariates, { newBatches: 'estimate' });
    expectClose(data, spline.expectedNew, 1e-9, 'newbatch-spline as volumes');
  });
});
