import { join } from 'node:path';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROI, ROI_FLAGS, SEED, writeText } from './helpers.js';
import { runCli } from './run-cli.js';

const dir = await temporaryFolder('errors');
const out = join(dir, 'out.csv');

describe('data errors exit 1, naming the file, row and column', () => {
  it('a file that does not exist', async () => {
    const result = await runCli('harmonize', '--data', join(dir, 'nope.csv'), ...ROI_FLAGS, '--out', out);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toMatch(/combat: error: .*nope\.csv: cannot be read/);
  });

  it('a column named in the wrong case is suggested', async () => {
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'Site', '--features', 'f000:f119', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/batch column "Site" not found \(did you mean "site"\?\); columns are subject, site/);
  });

  it('an unknown column lists the columns that exist', async () => {
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'scanner', '--features', 'f000:f119', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/input\.csv: batch column "scanner" not found; columns are subject, site, age, sex, dx, f000/);
  });

  it('a non-numeric cell in a feature', async () => {
    const bad = await writeText(dir, 'bad.csv', 'subject,site,f1,f2\ns1,A,1,2\ns2,A,2,x\ns3,B,3,4\ns4,B,5,1\n');
    const result = await runCli('harmonize', '--data', bad, '--batch', 'site', '--features', 'f1,f2', '--id', 'subject', '--out', out, '--no-eb');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.csv: row 2 \(subject "s2"\), column "f2": "x" is not a number/);
  });

  it('an image path that does not exist', async () => {
    const covariates = await writeText(dir, 'images.csv', 'subject,site,path\ns1,A,missing-1.nii.gz\ns2,B,missing-2.nii.gz\n');
    const result = await runCli('harmonize-volumes', '--covariates', covariates, '--image-column', 'path', '--batch', 'site', '--mask', join(SEED, 'mask.nii.gz'), '--out-dir', join(dir, 'o'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/missing-1\.nii\.gz: cannot be read/);
  });

  it('warnings go to standard error', async () => {
    const single = join(FIXTURES, 'combat', 'roi-singleton-batch', 'input.csv');
    const result = await runCli('harmonize', '--data', single, ...ROI_FLAGS, '--out', out);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/combat: warning: batch siteC has a single sample: the whole fit switched to mean-only/);
    expect(result.stdout).toMatch(/mode: parametric empirical Bayes, location only \(mean-only\)/);
  });
});
