import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { ROI, ROI_FLAGS, filesBelow, roiLines, seedCopy, writeText } from './helpers.js';
import { runCli } from './run-cli.js';

const VOLUME_FLAGS = ['--image-column', 'path', '--batch', 'site', '--continuous', 'age'];

describe('no output replaces an input, another output, or an existing file', () => {
  it('an existing --out is refused without --overwrite and replaced with it', async () => {
    const dir = await temporaryFolder('exists');
    const out = await writeText(dir, 'out.csv', 'precious\n');
    const refused = await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/out\.csv \(--out\) exists; choose another path, or pass --overwrite/);
    expect(await readFile(out, 'utf8')).toBe('precious\n');
    expect((await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--out', out, '--overwrite')).code).toBe(0);
    expect(await readFile(out, 'utf8')).toMatch(/^subject,site,age/);
  });

  it('--save-model inside --out-dir with an image\u2019s name is refused before anything is written', async () => {
    const dir = await seedCopy('model-clash');
    const out = join(dir, 'out');
    const result = await runCli('harmonize-volumes', '--covariates', join(dir, 'covars.csv'), ...VOLUME_FLAGS, '--mask', join(dir, 'mask.nii.gz'), '--out-dir', out, '--save-model', join(out, 'sub-03.nii.gz'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/sub-03\.nii\.gz would be written twice: as the output of row 3, sub-03\.nii\.gz and as --save-model/);
    expect(existsSync(out)).toBe(false);
  });

  it('an input image named like an effect map is refused', async () => {
    const dir = await seedCopy('effect-clash');
    const covariates = readFileSync(join(dir, 'covars.csv'), 'utf8').replace('images/sub-01.nii.gz', 'images/gammaStar_Scanner_A.nii.gz');
    await writeFile(join(dir, 'covars.csv'), covariates);
    await copyFile(join(dir, 'images', 'sub-01.nii.gz'), join(dir, 'images', 'gammaStar_Scanner_A.nii.gz'));
    const result = await runCli('harmonize-volumes', '--covariates', join(dir, 'covars.csv'), ...VOLUME_FLAGS, '--mask', join(dir, 'mask.nii.gz'), '--out-dir', join(dir, 'out'), '--effect-maps');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/gammaStar_Scanner_A\.nii\.gz would be written twice: as the output of row 1, gammaStar_Scanner_A\.nii\.gz and as --effect-maps \(gammaStar of Scanner_A\)/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('two batches whose labels make the same file name are refused', async () => {
    const dir = await seedCopy('batch-clash');
    const covariates = readFileSync(join(dir, 'covars.csv'), 'utf8').replaceAll('Scanner_A', 'Scanner A').replaceAll('Scanner_B', 'Scanner/A');
    await writeFile(join(dir, 'covars.csv'), covariates);
    const result = await runCli('harmonize-volumes', '--covariates', join(dir, 'covars.csv'), ...VOLUME_FLAGS, '--mask', join(dir, 'mask.nii.gz'), '--out-dir', join(dir, 'out'), '--effect-maps');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/gammaStar_Scanner_A\.nii\.gz would be written twice: as --effect-maps \(gammaStar of Scanner A\) and as --effect-maps \(gammaStar of Scanner\/A\)/);
  });

  it('the demo does not write over a file it did not create, and replaces its own folder', async () => {
    const dir = await temporaryFolder('demo-over');
    await writeFile(join(dir, 'covariates.csv'), 'mine\n');
    const refused = await runCli('demo', '--out-dir', dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/covariates\.csv \(the covariates table\) exists/);
    expect(await filesBelow(dir)).toEqual(['covariates.csv']);
    const fresh = join(dir, 'fresh');
    expect((await runCli('demo', '--out-dir', fresh, '--quiet')).code).toBe(0);
    const first = await filesBelow(fresh);
    const report = await readFile(join(fresh, 'report.html'), 'utf8');
    await writeFile(join(fresh, 'report.html'), 'stale');
    await writeFile(join(fresh, 'notes.txt'), 'mine');
    expect((await runCli('demo', '--out-dir', fresh, '--quiet')).code).toBe(0);
    expect(await readFile(join(fresh, 'report.html'), 'utf8')).toBe(report);
    expect(await readFile(join(fresh, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await filesBelow(fresh)).toEqual([...first, 'notes.txt'].sort());
    expect(first).toContain('.combat-demo');
  });

  it('an --out-dir equal to the folder of some input images is refused', async () => {
    const dir = await seedCopy('two-folders');
    await mkdir(join(dir, 'second'));
    const covariates = readFileSync(join(dir, 'covars.csv'), 'utf8').replace('images/sub-24.nii.gz', 'second/sub-24.nii.gz');
    await writeFile(join(dir, 'covars.csv'), covariates);
    await copyFile(join(dir, 'images', 'sub-24.nii.gz'), join(dir, 'second', 'sub-24.nii.gz'));
    const result = await runCli('harmonize-volumes', '--covariates', join(dir, 'covars.csv'), ...VOLUME_FLAGS, '--mask', join(dir, 'mask.nii.gz'), '--out-dir', join(dir, 'second'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refusing to write .*second\/sub-24\.nii\.gz \(the output of row 24, sub-24\.nii\.gz\): it is an input/);
    expect(await filesBelow(join(dir, 'second'))).toEqual(['sub-24.nii.gz']);
  });

  it('an output folder that does not exist is named', async () => {
    const dir = await temporaryFolder('no-folder');
    const result = await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--out', join(dir, 'missing', 'out.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the directory .*missing of --out .*out\.csv does not exist; create it first/);
  });
});

describe('a failed run leaves nothing behind', () => {
  it('harmonize that fails on --save-model leaves no --out', async () => {
    const dir = await temporaryFolder('fail-model');
    const result = await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--out', join(dir, 'out.csv'), '--save-model', join(dir, 'nowhere', 'model.arrow'));
    expect(result.code).toBe(1);
    expect(await filesBelow(dir)).toEqual([]);
  });

  it('harmonize that fails in the fit leaves no --out and no model', async () => {
    const dir = await temporaryFolder('fail-fit');
    const lines = roiLines();
    const oneFeature = await writeText(dir, 'one.csv', lines.join('\n'));
    const result = await runCli('harmonize', '--data', oneFeature, '--batch', 'site', '--features', 'f000', '--out', join(dir, 'out.csv'), '--save-model', join(dir, 'model.arrow'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/empirical Bayes needs at least 2 adjustable features.*; use --no-eb/);
    expect(await filesBelow(dir)).toEqual(['one.csv']);
  });

  it('harmonize-volumes with a --save-model in a missing folder writes no volume', async () => {
    const dir = await seedCopy('fail-volumes');
    const result = await runCli('harmonize-volumes', '--covariates', join(dir, 'covars.csv'), ...VOLUME_FLAGS, '--mask', join(dir, 'mask.nii.gz'), '--out-dir', join(dir, 'out'), '--save-model', join(dir, 'models', 'model.arrow'));
    expect(result.code).toBe(1);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('apply-volumes that meets a bad 5th image writes none of the first four', async () => {
    const dir = await seedCopy('fail-apply');
    const model = join(dir, 'model.arrow');
    expect((await runCli('harmonize-volumes', '--covariates', join(dir, 'covars.csv'), ...VOLUME_FLAGS, '--mask', join(dir, 'mask.nii.gz'), '--out-dir', join(dir, 'fit'), '--save-model', model, '--quiet')).code).toBe(0);
    await writeFile(join(dir, 'images', 'sub-05.nii.gz'), 'not an image');
    const result = await runCli('apply-volumes', '--model', model, '--covariates', join(dir, 'covars.csv'), '--image-column', 'path', '--out-dir', join(dir, 'applied'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/sub-05\.nii\.gz/);
    expect(existsSync(join(dir, 'applied'))).toBe(false);
  });
});
