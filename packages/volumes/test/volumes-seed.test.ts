import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fixturePath, readCsvFixture, temporaryFolder } from '@combat/test-support';
import type { Volume } from '@combat/base';
import { NiftiFileResource, readNifti, writeNifti } from '@combat/test-support/nifti';
import { describe, expect, it } from 'vitest';
import { batchEffectMaps, harmonizeVolumes, harmonizeVolumesStreaming, maskIndices } from '../src/index.js';

/** The brief's example: 3 scanners x 8 subjects, 30x36x20 voxels, age effect 0.002/year. */
const DIR = fixturePath('volumes-seed');
const table = readCsvFixture(join(DIR, 'covars.csv')).rows;
const covariates = { batch: table.map((r) => r.site as string), continuous: { age: table.map((r) => Number(r.age)) } };
const volumes = table.map((r) => new NiftiFileResource(join(DIR, r.path as string)));
const mask = new NiftiFileResource(join(DIR, 'mask.nii.gz'));
const options = { mask };
const summary = JSON.parse(readFileSync(join(DIR, 'summary.json'), 'utf8'));

const inside = maskIndices(await mask.load());
const meanInMask = (v: Volume) => inside.reduce((s, at) => s + v.data[at], 0) / inside.length;
function siteMeans(vs: Volume[]): Record<string, number> {
  const sites = [...new Set(covariates.batch)];
  return Object.fromEntries(sites.map((s) => {
    const means = vs.filter((_, i) => covariates.batch[i] === s).map(meanInMask);
    return [s, means.reduce((a, b) => a + b, 0) / means.length];
  }));
}
function ageCorrelation(vs: Volume[]): number {
  const x = covariates.continuous.age;
  const y = vs.map(meanInMask);
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  const sxy = x.reduce((s, xi, i) => s + (xi - mx) * (y[i]! - my), 0);
  return sxy / Math.sqrt(x.reduce((s, xi) => s + (xi - mx) ** 2, 0) * y.reduce((s, yi) => s + (yi - my) ** 2, 0));
}

describe('the brief example (volumes-seed)', async () => {
  const inputs = await Promise.all(volumes.map((v) => v.load()));
  const { harmonized: after, estimates } = await harmonizeVolumes(volumes, covariates, options);

  it('reproduces sva::ComBat voxel for voxel (1e-9 relative), zero outside the mask', async () => {
    for (const [i, row] of table.entries()) {
      const expected = await readNifti(join(DIR, 'expected', basename(row.path as string)));
      expect(after[i]!.shape).toEqual(expected.shape);
      let worst = 0;
      expected.data.forEach((e, at) => (worst = Math.max(worst, Math.abs(after[i]!.data[at]! - e) / Math.max(1, Math.abs(e)))));
      expect(worst, row.subject).toBeLessThanOrEqual(1e-9);
    }
  });

  it('gives the per-site means and age correlation the brief printed', () => {
    const before = siteMeans(inputs);
    const harmonizedMeans = siteMeans(after);
    for (const [site, { before: b, after: a }] of Object.entries(summary.perSiteMean as Record<string, { before: number; after: number }>)) {
      expect(before[site]).toBeCloseTo(b, 12);
      expect(harmonizedMeans[site]).toBeCloseTo(a, 9);
      expect(harmonizedMeans[site]!.toFixed(4)).toBe(summary.printedBySeedNotebook[site][1].toFixed(4));
    }
    expect(ageCorrelation(inputs)).toBeCloseTo(summary.ageCorrelation.before, 12);
    expect(ageCorrelation(after)).toBeCloseTo(summary.ageCorrelation.after, 9);
    expect(ageCorrelation(after).toFixed(4)).toBe('0.9691');
  });

  it('gives the same volumes streamed to files, each read again for the second pass, as in memory (each read once)', async () => {
    const dir = await temporaryFolder('seed');
    const written: string[] = [];
    await harmonizeVolumesStreaming(volumes, covariates, async (volume, i) => {
      const path = join(dir, basename(table[i]!.path as string));
      await writeNifti(path, volume, { dtype: 'float64', protect: volumes.map((v) => v.source) });
      written[i] = path;
    }, { ...options, memoryBudget: 0 });
    for (const [i, path] of written.entries()) expect((await readNifti(path)).data).toEqual(after[i]!.data);
  });

  it('writes the batch-effect maps as NIfTI in the mask space', async () => {
    const dir = await temporaryFolder('maps');
    const paths: string[] = [];
    for (const { batch, gammaStar, deltaStar } of batchEffectMaps(estimates)) {
      for (const [kind, map] of [['gammaStar', gammaStar], ['deltaStar', deltaStar]] as const) {
        const path = join(dir, `${kind}_${batch}.nii.gz`);
        await writeNifti(path, map, { dtype: 'float64' });
        paths.push(path);
      }
    }
    expect(paths.map((p) => basename(p))).toEqual(['Scanner_A', 'Scanner_B', 'Scanner_C'].flatMap((s) => [`gammaStar_${s}.nii.gz`, `deltaStar_${s}.nii.gz`]));
    const V = inside.length;
    const gammaB = await readNifti(paths[2]!);
    expect(gammaB.shape).toEqual([30, 36, 20]);
    expect(Array.from(gammaB.affine)).toEqual(Array.from((await mask.load()).affine));
    inside.forEach((at, k) => expect(gammaB.data[at]).toBe(estimates.model.batches.get('Scanner_B')!.gammaStar[k]));
    // Scanner_B reads high (its site mean before is 0.625 against 0.33 and 0.13): a positive additive effect.
    expect(inside.reduce((s, at) => s + gammaB.data[at]!, 0) / V).toBeGreaterThan(0);
  });
});
