import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { identityAffine } from '@combat/base';
import { parseDelimited } from '@combat/io-arrow';
import { readNifti, writeNifti } from '@combat/io-nifti/node';
import { expectClose, familyCaseNames, loadFamilyCase, temporaryFolder, type FamilyCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { writeText } from './helpers.js';
import { runCli } from './run-cli.js';

/** A family case's model flags. */
function flagsOf({ spec }: FamilyCase): string[] {
  return [
    '--batch', spec.batch,
    '--id', spec.id,
    ...(spec.categorical.length > 0 ? ['--categorical', spec.categorical.join(',')] : []),
    ...(spec.continuous.length > 0 ? ['--continuous', spec.continuous.join(',')] : []),
    ...spec.splines.flatMap((spline) => ['--spline', `${spline.column}:${spline.df}`]),
    ...(spec.refBatch !== null ? ['--ref-batch', spec.refBatch] : []),
    ...(spec.parametric ? [] : ['--non-parametric']),
    ...(spec.eb ? [] : ['--no-eb']),
  ];
}

/** The feature columns of a written table, sample-major. */
function featureValues(path: string, features: number): Float64Array {
  const table = parseDelimited(readFileSync(path, 'utf8'), { source: path });
  const names = Array.from({ length: features }, (_, k) => `f${String(k).padStart(3, '0')}`);
  return Float64Array.from({ length: table.rows * features }, (_, at) => table.columns.get(names[at % features]!)!.numbers![Math.floor(at / features)]!);
}

describe.each(familyCaseNames())('combat harmonize, then apply --estimate-new-batches, on %s', (name) => {
  const fixture = loadFamilyCase(name);
  const V = fixture.spec.features.count;

  it('harmonizes the new sites as the reference does, saves the extended model, which then applies without estimating', async () => {
    const dir = await temporaryFolder(name);
    const model = join(dir, 'model.arrow');
    const fit = await runCli('harmonize', '--data', join(fixture.dir, 'train.csv'), ...flagsOf(fixture), '--features', 'f000:f039', '--out', join(dir, 'train.csv'), '--save-model', model);
    expect(fit.code, fit.stderr).toBe(0);
    expectClose(featureValues(join(dir, 'train.csv'), V), fixture.expectedTrain, 1e-9, `${name} train`);

    const out = join(dir, 'new.csv');
    const extended = join(dir, 'extended.arrow');
    const applied = await runCli('apply', '--model', model, '--data', join(fixture.dir, 'new.csv'), '--id', 'subject', '--estimate-new-batches', '--out', out, '--save-model', extended);
    expect(applied.code, applied.stderr).toBe(0);
    expectClose(featureValues(out, V), fixture.expectedNew, 1e-9, `${name} new`);
    const counts = fixture.spec.newBatches.map((batch) => `${batch} (${fixture.new.covariates.batch.filter((b) => b === batch).length} samples)`);
    if (counts.length > 0) expect(applied.stdout).toContain(`  new batches estimated here: ${counts.join(', ')}\n`);
    else expect(applied.stdout).not.toContain('new batches estimated here');

    const again = join(dir, 'again.csv');
    const reapplied = await runCli('apply', '--model', extended, '--data', join(fixture.dir, 'new.csv'), '--id', 'subject', '--out', again);
    expect(reapplied.code, reapplied.stderr).toBe(0);
    expect(reapplied.stdout).not.toContain('new batches estimated here');
    expect(featureValues(again, V)).toEqual(featureValues(out, V));
  });
});

describe('new batches, refused as they should be', async () => {
  const fixture = loadFamilyCase('newbatch-parametric');
  const dir = await temporaryFolder('new-batch-errors');
  const model = join(dir, 'model.arrow');
  await runCli('harmonize', '--data', join(fixture.dir, 'train.csv'), ...flagsOf(fixture), '--features', 'f000:f039', '--out', join(dir, 'train.csv'), '--save-model', model);

  it('an unseen site without --estimate-new-batches names the site, the row and the flag', async () => {
    const result = await runCli('apply', '--model', model, '--data', join(fixture.dir, 'new.csv'), '--id', 'subject', '--out', join(dir, 'out.csv'));
    const first = fixture.new.covariates.batch.findIndex((b) => b === 'site_d');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `combat: error: ${join(fixture.dir, 'new.csv')}: row ${first + 1} (subject "${fixture.new.ids[first]}"): batch "site_d" was not seen in training (known: site_a, site_b, site_c); use --estimate-new-batches\n`,
    );
  });

  it('warns of ages outside the training range, naming the file, each row and its subject', async () => {
    // The training rows' first three lines, the second and third with ages beyond the training range.
    const lines = readFileSync(join(fixture.dir, 'train.csv'), 'utf8').split('\n').slice(0, 4);
    const header = lines[0]!.split(',');
    const ages = Array.from(fixture.train.covariates.continuous!.age!);
    const [low, high] = [Math.min(...ages), Math.max(...ages)];
    const outside = [high + 10, low - 5];
    const rows = lines.slice(1).map((line, k) => line.split(',').map((cell, c) => (k > 0 && header[c] === 'age' ? String(outside[k - 1]) : cell)).join(','));
    const data = await writeText(dir, 'outside.csv', [lines[0], ...rows, ''].join('\n'));
    const result = await runCli('apply', '--model', model, '--data', data, '--id', 'subject', '--out', join(dir, 'outside-out.csv'));
    expect(result.code).toBe(0);
    const ids = rows.map((row) => row.split(',')[header.indexOf('subject')]);
    expect(result.stderr).toBe(`combat: warning: 2 samples have age outside the training range [${low}, ${high}] (${data}: row 2 (subject "${ids[1]}"), row 3 (subject "${ids[2]}")): the covariate effects are extrapolated there\n`);
  });

  it('--save-model without --estimate-new-batches is a usage error, and nothing is written', async () => {
    const out = join(dir, 'nothing.csv');
    const result = await runCli('apply', '--model', model, '--data', join(fixture.dir, 'new.csv'), '--id', 'subject', '--out', out, '--save-model', join(dir, 'same.arrow'));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('combat: usage error: --save-model needs --estimate-new-batches: without it the model is the one given\n');
  });
});

describe.each(['newbatch-parametric', 'newbatch-spline'])('combat harmonize-volumes, then apply-volumes --estimate-new-batches (%s as volumes)', (name) => {
  it('harmonizes the new sites voxel by voxel as the reference does', async () => {
    const fixture = loadFamilyCase(name);
    const dir = await temporaryFolder(`${name}-volumes`);
    const shape = [5, 4, 2];
    const affine = identityAffine();
    const table = async (part: 'train' | 'new') => {
      const { ids, matrix, covariates } = fixture[part];
      await mkdir(join(dir, part));
      const lines = ['subject,site,age,sex,path'];
      for (let i = 0; i < ids.length; i++) {
        const path = join(part, `${ids[i]}.nii.gz`);
        await writeNifti(join(dir, path), { data: matrix.data.slice(i * 40, (i + 1) * 40), shape, affine }, { dtype: 'float64' });
        lines.push([ids[i], covariates.batch[i], covariates.continuous!.age![i], covariates.categorical!.sex![i], path].join(','));
      }
      return writeText(dir, `${part}.csv`, `${lines.join('\n')}\n`);
    };
    await writeNifti(join(dir, 'mask.nii.gz'), { data: new Uint8Array(40).fill(1), shape, affine });
    const model = join(dir, 'model.arrow');
    const age = fixture.spec.splines.length === 0 ? ['--continuous', 'age'] : ['--spline', `age:${fixture.spec.splines[0]!.df}`];
    const fit = await runCli('harmonize-volumes', '--covariates', await table('train'), '--image-column', 'path', '--batch', 'site', '--categorical', 'sex', ...age, '--mask', join(dir, 'mask.nii.gz'), '--out-dir', join(dir, 'train-out'), '--save-model', model);
    expect(fit.code, fit.stderr).toBe(0);
    const extended = join(dir, 'extended.arrow');
    const applied = await runCli('apply-volumes', '--model', model, '--covariates', await table('new'), '--image-column', 'path', '--out-dir', join(dir, 'new-out'), '--dtype', 'float64', '--estimate-new-batches', '--save-model', extended);
    expect(applied.code, applied.stderr).toBe(0);
    const counts = fixture.spec.newBatches.map((batch) => `${batch} (${fixture.new.covariates.batch.filter((b) => b === batch).length} volumes)`);
    expect(applied.stdout).toContain(`  new batches estimated here: ${counts.join(', ')}\n`);
    const voxels = new Float64Array(fixture.new.ids.length * 40);
    for (const [i, id] of fixture.new.ids.entries()) voxels.set((await readNifti(join(dir, 'new-out', `${id}.nii.gz`))).data, i * 40);
    expectClose(voxels, fixture.expectedNew, 1e-9, `${name} through apply-volumes`);
    const again = await runCli('apply-volumes', '--model', extended, '--covariates', join(dir, 'new.csv'), '--image-column', 'path', '--out-dir', join(dir, 'again'), '--dtype', 'float64');
    expect(again.code, again.stderr).toBe(0);
    for (const id of fixture.new.ids) expect((await readNifti(join(dir, 'again', `${id}.nii.gz`))).data).toEqual((await readNifti(join(dir, 'new-out', `${id}.nii.gz`))).data);
  });
});
