import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeArrowTable, parseDelimited } from '@combat/io-arrow';
import { encodeNifti } from '@combat/io-nifti';
import { readNifti } from '@combat/io-nifti/node';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { ROI, ROI_FLAGS, SEED, roiLines, seedCopy, writeText } from './helpers.js';
import { runCli } from './run-cli.js';

const dir = await temporaryFolder('messages');
const never = join(dir, 'never.csv');

describe('messages name the file, the 1-based row with its id, and the column', () => {
  it('an infinite value given to apply (harmonize refuses it, so apply must too)', async () => {
    const model = join(dir, 'model.arrow');
    expect((await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--id', 'subject', '--out', join(dir, 'fit.csv'), '--save-model', model, '--quiet')).code).toBe(0);
    // CSV readers refuse such a cell; an Arrow float64 column can hold it.
    const table = parseDelimited(readFileSync(ROI, 'utf8'), { source: ROI });
    const f002 = Float64Array.from(table.columns.get('f002')?.numbers ?? []);
    f002[3] = Infinity;
    const data = join(dir, 'infinite.arrow');
    await writeFile(data, encodeArrowTable(table, new Map([['f002', f002]])));
    const subject = table.columns.get('subject')?.cells[3];
    const result = await runCli('apply', '--model', model, '--data', data, '--id', 'subject', '--out', never);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`infinite.arrow: row 4 (subject "${subject}"), column "f002"`);
    expect(existsSync(never)).toBe(false);
  });

  it('a reference batch that is not one of the batches names --ref-batch (a usage error)', async () => {
    const result = await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--ref-batch', 'siteZ', '--out', never);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('combat: usage error: --ref-batch siteZ: reference batch "siteZ" is not among the batches (siteA, siteB, siteC)\n');
    expect(existsSync(never)).toBe(false);
  });

  it('a table of a single batch names the file and the --batch column', async () => {
    const lines = roiLines();
    const one = await writeText(dir, 'one-site.csv', [lines[0], ...lines.slice(1).map((line) => line.replace(/,site[A-C],/, ',siteA,'))].join('\n'));
    const result = await runCli('harmonize', '--data', one, ...ROI_FLAGS, '--out', never);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`combat: error: ${one}: column "site" (--batch): expected at least 2 batches; found 1 ("siteA")\n`);
  });

  it('a batch the model has not seen, in apply', async () => {
    const model = join(dir, 'unseen-model.arrow');
    expect((await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--out', join(dir, 'unseen-fit.csv'), '--save-model', model, '--quiet')).code).toBe(0);
    const lines = roiLines();
    const fresh = await writeText(dir, 'fresh.csv', [lines[0], lines[1]!.replace(/,site[A-C],/, ',siteQ,')].join('\n'));
    const result = await runCli('apply', '--model', model, '--data', fresh, '--id', 'subject', '--out', never);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/fresh\.csv: row 1 \(subject "sub-\w+"\): batch "siteQ" was not seen in training \(known: siteA, siteB, siteC\)/);
  });

  it('a confounded design names the batch and the covariate level', async () => {
    const lines = roiLines();
    const confounded = lines.map((line, r) => (r === 0 ? `${line},scanner` : `${line},${line.includes(',siteB,') ? 'prisma' : 'trio'}`));
    const data = await writeText(dir, 'confounded.csv', confounded.join('\n'));
    const results = await Promise.all([1, 2].map(() => runCli('harmonize', '--data', data, ...ROI_FLAGS, '--categorical', 'sex,dx,scanner', '--out', never)));
    expect(results[0]!.code).toBe(1);
    expect(results[0]!.stderr).toMatch(/scanner/);
    expect(results[0]!.stderr).toMatch(/siteB/);
    expect(results[1]!.stderr).toBe(results[0]!.stderr);
  });

  it('a covariate too large for float64 arithmetic is an error naming it, not a stack trace', async () => {
    const lines = roiLines();
    lines[4] = lines[4]!.replace(/^([^,]*,[^,]*,)[^,]*/, '$11e200');
    const data = await writeText(dir, 'huge-age.csv', lines.join('\n'));
    const result = await runCli('harmonize', '--data', data, ...ROI_FLAGS, '--out', never);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^combat: error: covariate column "age" has values too large for float64/);
    expect(result.stderr).not.toMatch(/\bat \S+ \(/);
  });

  it('a categorical covariate with very many levels is warned about', async () => {
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'site', '--categorical', 'age', '--features', 'f000:f119', '--out', join(dir, 'many.csv'), '--no-eb');
    expect(result.stderr).toMatch(/combat: warning: .*"?age"? .*levels/);
  });

  it('features left unadjusted are named by column, with the cause', async () => {
    const lines = roiLines();
    const constant = lines.map((line, r) => (r === 0 || !line.includes(',siteA,') ? line : line.replace(/^((?:[^,]*,){5})[^,]*/, '$142')));
    const data = await writeText(dir, 'constant.csv', constant.join('\n'));
    const result = await runCli('harmonize', '--data', data, ...ROI_FLAGS, '--out', join(dir, 'constant-out.csv'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/combat: warning: 1 feature\(s\) left unadjusted: constant within batch siteA: f000\n/);
    expect(result.stdout).toMatch(/unadjusted features: 1 \(f000\)/);
  });

  it('a semicolon-separated table says so', async () => {
    const data = await writeText(dir, 'semicolons.csv', readFileSync(ROI, 'utf8').replaceAll(',', ';'));
    const result = await runCli('harmonize', '--data', data, ...ROI_FLAGS, '--out', never);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/semicolon/);
  });

  it('a CSV given as --model is not read as a model', async () => {
    const result = await runCli('apply', '--model', ROI, '--data', ROI, '--out', never);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/input\.csv: .*not .*Arrow/);
    expect(result.stderr).not.toMatch(/metadata bytes/);
  });
});

describe('volumes are named by file, voxels by (i, j, k)', () => {
  it('a covariates row of a volume command is named by its row and image', async () => {
    const folder = await seedCopy('volume-rows');
    const model = join(folder, 'model.arrow');
    const fit = ['--image-column', 'path', '--batch', 'site', '--continuous', 'age', '--mask', join(folder, 'mask.nii.gz')];
    expect((await runCli('harmonize-volumes', '--covariates', join(folder, 'covars.csv'), ...fit, '--out-dir', join(folder, 'fit'), '--save-model', model, '--quiet')).code).toBe(0);
    const lines = readFileSync(join(folder, 'covars.csv'), 'utf8').trim().split('\n');
    lines[3] = lines[3]!.replace('Scanner_A', 'Scanner_Q');
    await writeFile(join(folder, 'unseen.csv'), lines.join('\n'));
    const unseen = await runCli('apply-volumes', '--model', model, '--covariates', join(folder, 'unseen.csv'), '--image-column', 'path', '--out-dir', join(folder, 'applied'));
    expect(unseen.code).toBe(1);
    expect(unseen.stderr).toMatch(/unseen\.csv: row 3 \(path "images\/sub-03\.nii\.gz"\): batch "Scanner_Q" was not seen in training/);
    lines[3] = lines[3]!.replace('Scanner_Q', 'Scanner_A').replace(/,[\d.]+,images/, ',0x3B,images');
    await writeFile(join(folder, 'hex.csv'), lines.join('\n'));
    const hex = await runCli('harmonize-volumes', '--covariates', join(folder, 'hex.csv'), ...fit, '--out-dir', join(folder, 'hex'));
    expect(hex.code).toBe(1);
    expect(hex.stderr).toMatch(/hex\.csv: row 3 \(path "images\/sub-03\.nii\.gz"\), column "age": "0x3B" is not a number/);
  });


  it('an affine mismatch names both files and the flag that accepts it', async () => {
    const folder = await temporaryFolder('affine');
    await cp(join(SEED, 'images'), join(folder, 'images'), { recursive: true });
    await copyFile(join(SEED, 'covars.csv'), join(folder, 'covars.csv'));
    const mask = await readNifti(join(SEED, 'mask.nii.gz'));
    const shifted = mask.affine.slice();
    shifted[3] = (shifted[3] as number) + 5;
    await writeFile(join(folder, 'mask.nii'), encodeNifti({ ...mask, affine: shifted }, { dtype: 'float32' }));
    const args = ['harmonize-volumes', '--covariates', join(folder, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--mask', join(folder, 'mask.nii'), '--out-dir', join(folder, 'out')];
    const refused = await runCli(...args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/sub-01\.nii\.gz.*mask\.nii|mask\.nii.*sub-01\.nii\.gz/);
    expect(refused.stderr).toContain('--allow-affine-mismatch');
    expect((await runCli(...args, '--allow-affine-mismatch', '--quiet')).code).toBe(0);
  });

  it('a harmonized value float32 cannot hold is an error that names the file and suggests --dtype float64', async () => {
    const folder = await temporaryFolder('overflow');
    await copyFile(join(SEED, 'covars.csv'), join(folder, 'covars.csv'));
    await copyFile(join(SEED, 'mask.nii.gz'), join(folder, 'mask.nii.gz'));
    await cp(join(SEED, 'images'), join(folder, 'images'), { recursive: true });
    for (let s = 1; s <= 24; s++) {
      const path = join(folder, 'images', `sub-${String(s).padStart(2, '0')}.nii.gz`);
      const image = await readNifti(path);
      await writeFile(path, encodeNifti({ ...image, data: Float64Array.from(image.data, (x) => x * 1e39) }, { dtype: 'float64', gzip: true }));
    }
    const args = ['harmonize-volumes', '--covariates', join(folder, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--mask', join(folder, 'mask.nii.gz'), '--out-dir', join(folder, 'out')];
    const refused = await runCli(...args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(\d+, \d+, \d+\)/);
    expect(refused.stderr).toContain('--dtype float64');
    expect(existsSync(join(folder, 'out'))).toBe(false);
    expect((await runCli(...args, '--dtype', 'float64', '--quiet')).code).toBe(0);
  });
});
