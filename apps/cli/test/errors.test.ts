import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const ROI = fileURLToPath(new URL('../../../fixtures/combat/roi-parametric/input.csv', import.meta.url));
const SEED = fileURLToPath(new URL('../../../fixtures/volumes-seed/', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'cli-errors-'));
const out = join(dir, 'out.csv');

describe('--help on every command, exit 0', () => {
  it.each(['harmonize', 'apply', 'harmonize-volumes', 'apply-volumes', 'demo'])('%s --help', async (command) => {
    const result = await runCli(command, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: combat ${command} [options]`);
  });

  it('combat --help lists the commands', async () => {
    const result = await runCli('--help');
    expect(result.code).toBe(0);
    for (const command of ['harmonize', 'apply', 'harmonize-volumes', 'apply-volumes', 'demo']) expect(result.stdout).toContain(command);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['harmonize', '--data', ROI, '--out', out], /required option '--batch <column>' not specified/],
    [['harmonize', '--data', ROI, '--batch', 'site', '--out', out, '--bogus'], /unknown option '--bogus'/],
    [['harmonize', '--data', ROI, '--batch', 'site', '--out', out, '--features', 'f000', '--exclude', 'f001'], /--features and --exclude cannot be used together/],
    [['harmonize', '--data', ROI, '--batch', 'site', '--out', out, '--categorical', 'sex,,dx'], /"sex,,dx" has an empty name/],
    [['harmonize-volumes', '--covars', 'c.csv', '--image-col', 'p', '--batch', 's', '--mask', 'm.nii', '--out-dir', dir, '--dtype', 'int16'], /argument 'int16' is invalid. Allowed choices are float32, float64/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j', async (argv, message) => {
    const result = await runCli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^combat: usage error: /);
    expect(result.stderr).toMatch(message);
  });
});

describe('data errors exit 1, naming the file, row and column', () => {
  it('a file that does not exist', async () => {
    const result = await runCli('harmonize', '--data', join(dir, 'nope.csv'), '--batch', 'site', '--out', out);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toMatch(/combat: error: .*nope\.csv: cannot be read/);
  });

  it('an unknown column lists the columns that exist', async () => {
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'scanner', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/input\.csv: batch column "scanner" not found; columns are subject, site, age, sex, dx, f000/);
  });

  it('a non-numeric cell in a feature', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'subject,site,f1,f2\ns1,A,1,2\ns2,A,2,x\ns3,B,3,4\ns4,B,5,1\n');
    const result = await runCli('harmonize', '--data', bad, '--batch', 'site', '--features', 'f1,f2', '--out', out, '--no-eb');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.csv: row 2, column "f2": "x" is not a number/);
  });

  it('covariates that do not pair with the data', async () => {
    const covars = join(dir, 'covars.csv');
    await writeFile(covars, 'subject,site\nsub-9999,A\n');
    const byOrder = await runCli('harmonize', '--data', ROI, '--covars', covars, '--batch', 'site', '--out', out);
    expect(byOrder.code).toBe(1);
    expect(byOrder.stderr).toMatch(/covars\.csv has 1 rows and .*input\.csv has 60; they pair by order unless --id/);
    const byId = await runCli('harmonize', '--data', ROI, '--covars', covars, '--id', 'subject', '--batch', 'site', '--out', out);
    expect(byId.stderr).toMatch(/input\.csv: row 1, column "subject": id "sub-\d+" has no row in .*covars\.csv/);
  });

  it('a batch the model has not seen, in apply', async () => {
    const model = join(dir, 'model.arrow');
    expect((await runCli('harmonize', '--data', ROI, '--batch', 'site', '--continuous', 'age', '--categorical', 'sex,dx', '--out', out, '--save-model', model)).code).toBe(0);
    const fresh = join(dir, 'fresh.csv');
    const lines = (await import('node:fs')).readFileSync(ROI, 'utf8').split('\n');
    await writeFile(fresh, [lines[0], lines[1]!.replace(/,site[A-C],/, ',siteQ,')].join('\n'));
    const result = await runCli('apply', '--model', model, '--data', fresh, '--out', join(dir, 'fresh-out.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/batch "siteQ" at sample 0 was not seen in training \(known: siteA, siteB, siteC\)/);
  });

  it('a confounded design', async () => {
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'site', '--categorical', 'site', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/confounded with batch/);
  });

  it('an image path that does not exist', async () => {
    const covars = join(dir, 'images.csv');
    await writeFile(covars, 'subject,site,path\ns1,A,missing-1.nii.gz\ns2,B,missing-2.nii.gz\n');
    const result = await runCli('harmonize-volumes', '--covars', covars, '--image-col', 'path', '--batch', 'site', '--mask', join(SEED, 'mask.nii.gz'), '--out-dir', join(dir, 'o'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/missing-1\.nii\.gz: cannot be read/);
  });

  it('warnings go to standard error', async () => {
    const single = join(SEED, '..', 'combat', 'roi-singleton-batch', 'input.csv');
    const result = await runCli('harmonize', '--data', single, '--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/combat: warning: batch siteC has a single sample: the whole fit switched to mean-only/);
  });
});

describe('the executable', () => {
  it('runs as a process and sets its exit code', async () => {
    const { spawnSync } = await import('node:child_process');
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    const help = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', main, '--help'], { cwd: root, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: combat [options] [command]');
    const usage = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', main, 'harmonize'], { cwd: root, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("combat: usage error: required option '--data <table>' not specified");
  });
});
