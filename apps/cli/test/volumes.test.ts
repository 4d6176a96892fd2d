import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readNifti } from '@combat/io-nifti/node';
import { readCsvFixture, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { SEED, seedCopy } from './helpers.js';
import { runCli } from './run-cli.js';

const subjects = readCsvFixture(join(SEED, 'covars.csv')).rows.map((row) => row.subject as string);

describe('combat harmonize-volumes and apply-volumes on the brief example', async () => {
  const dir = await temporaryFolder('volumes');
  const out = join(dir, 'harmonized');
  const model = join(dir, 'model.arrow');
  const fit = await runCli(
    'harmonize-volumes', '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--continuous', 'age',
    '--mask', join(SEED, 'mask.nii.gz'), '--out-dir', out, '--dtype', 'float64', '--save-model', model, '--effect-maps',
  );

  it('writes each harmonized volume under its input file name, matching sva::ComBat', async () => {
    expect(fit.stderr).toBe('');
    expect(fit.code).toBe(0);
    expect(fit.stdout).toMatch(/harmonized 24 volumes \(\d+ voxels in the mask\)\n  batches: Scanner_A 8, Scanner_B 8, Scanner_C 8\n  covariates: age \(continuous, trained on 26\.0033 to 71\.4805\)/);
    for (const subject of subjects) {
      const [written, expected] = await Promise.all([readNifti(join(out, `${subject}.nii.gz`)), readNifti(join(SEED, 'expected', `${subject}.nii.gz`))]);
      expect(written.header.datatype).toBe('float64');
      let worst = 0;
      expected.data.forEach((e: number, at: number) => (worst = Math.max(worst, Math.abs(written.data[at]! - e) / Math.max(1, Math.abs(e)))));
      expect(worst, subject).toBeLessThanOrEqual(1e-9);
    }
  });

  it('writes the effect maps on request', async () => {
    const files = (await readdir(out)).filter((f) => f.startsWith('gammaStar_') || f.startsWith('deltaStar_')).sort();
    expect(files).toEqual(['deltaStar_Scanner_A.nii.gz', 'deltaStar_Scanner_B.nii.gz', 'deltaStar_Scanner_C.nii.gz', 'gammaStar_Scanner_A.nii.gz', 'gammaStar_Scanner_B.nii.gz', 'gammaStar_Scanner_C.nii.gz']);
  });

  it('reproduces the harmonized volumes with apply-volumes and the saved model', async () => {
    const again = join(dir, 'applied');
    const applied = await runCli('apply-volumes', '--model', model, '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--out-dir', again, '--dtype', 'float64');
    expect(applied.code).toBe(0);
    for (const subject of subjects) {
      expect((await readNifti(join(again, `${subject}.nii.gz`))).data).toEqual((await readNifti(join(out, `${subject}.nii.gz`))).data);
    }
  });

  it('a volume model given to the table command says which command takes it', async () => {
    const result = await runCli('apply', '--model', model, '--data', join(SEED, 'covars.csv'), '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/model\.arrow is a volume model; use combat apply-volumes/);
  });

  it('refuses to write over its inputs', async () => {
    const copy = await seedCopy('over-inputs');
    const result = await runCli('harmonize-volumes', '--covariates', join(copy, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--mask', join(copy, 'mask.nii.gz'), '--out-dir', join(copy, 'images'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/combat: error: refusing to write .*sub-01\.nii\.gz \(the output of row 1, sub-01\.nii\.gz\): it is an input/);
  });
});
