import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, inject, it } from 'vitest';
import { ROI, ROI_FLAGS, SEED, writeText } from './helpers.js';
import { COMBAT, runCli, runCliWith } from './run-cli.js';

const COMMANDS = ['harmonize', 'apply', 'harmonize-volumes', 'apply-volumes', 'fit-partial', 'merge', 'report', 'demo'];

describe('the built combat executable', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli('--version');
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('combat --help lists the commands', async () => {
    const result = await runCli('--help');
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command);
  });

  it.each(COMMANDS)('%s --help marks required flags, states defaults, and offers --quiet and --overwrite', async (command) => {
    const result = await runCli(command, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: combat ${command} [options]`);
    expect(result.stdout).toContain('--quiet');
    expect(result.stdout).toContain('--overwrite');
    if (!['demo', 'merge', 'report'].includes(command)) expect(result.stdout).toMatch(/--out(-dir)? <\w+> +\(required\)/);
    if (command.startsWith('harmonize')) {
      expect(result.stdout).toMatch(/--batch <column> +\(required\)/);
      expect(result.stdout).toMatch(/--non-parametric[\s\S]*?\(default:\s+parametric\)/);
    }
  });

  it('--quiet leaves standard output empty on every command that harmonizes, and on report', async () => {
    const dir = await temporaryFolder('quiet');
    const table = await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--out', join(dir, 'out.csv'), '--save-model', join(dir, 'model.arrow'), '--quiet');
    expect(table).toMatchObject({ code: 0, stdout: '' });
    const applied = await runCli('apply', '--model', join(dir, 'model.arrow'), '--data', ROI, '--out', join(dir, 'applied.csv'), '--quiet');
    expect(applied).toMatchObject({ code: 0, stdout: '' });
    const report = await runCli('report', '--model', join(dir, 'model.arrow'), '--data', ROI, '--harmonized', join(dir, 'out.csv'), '--diagnostics', join(dir, 'diagnostics.json'), '--quiet');
    expect(report).toMatchObject({ code: 0, stdout: '' });
    const volumes = await runCli('harmonize-volumes', '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--batch', 'site', '--mask', join(SEED, 'mask.nii.gz'), '--out-dir', join(dir, 'volumes'), '--quiet');
    expect(volumes).toMatchObject({ code: 0, stdout: '' });
  });

  it('through `pnpm combat`, relative paths resolve against the folder the user ran pnpm in', async () => {
    const dir = await temporaryFolder('cwd');
    await writeText(dir, 'rois.csv', readFileSync(ROI, 'utf8'));
    const root = join(COMBAT, '..', '..', '..', '..');
    const result = await runCliWith({ cwd: root, env: { npm_lifecycle_event: 'combat', INIT_CWD: dir } }, 'harmonize', '--data', 'rois.csv', ...ROI_FLAGS, '--out', 'out.csv');
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toMatch(/^subject,site,age,sex,dx,f000/);
  });
});

describe('usage errors exit 2', () => {
  const out = join(inject('scratch'), 'never.csv');
  it.each([
    [['harmonize', '--data', ROI, '--out', out], /required option '--batch <column>' not specified/],
    [['harmonize', '--data', ROI, '--batch', 'site', '--out', out, '--bogus'], /unknown option '--bogus'/],
    [['harmonize', '--data', ROI, '--batch', 'site', '--out', out, '--categorical', 'sex,,dx'], /"sex,,dx" has an empty name/],
    [['harmonize-volumes', '--covariates', 'c.csv', '--image-column', 'p', '--batch', 's', '--mask', 'm.nii', '--out-dir', 'o', '--dtype', 'int16'], /argument 'int16' is invalid. Allowed choices are float32, float64/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j', async (argv, message) => {
    const result = await runCli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^combat: usage error: /);
    expect(result.stderr).toMatch(message);
  });
});

describe('--spline', () => {
  const never = join('/nonexistent', 'never.csv');
  it.each([
    [['--spline', 'age:0'], 'combat: usage error: --spline age:0: expected COLUMN or COLUMN:DF with DF a whole number of at least 1\n'],
    [['--spline', 'age:x'], 'combat: usage error: --spline age:x: expected COLUMN or COLUMN:DF with DF a whole number of at least 1\n'],
    [['--spline', 'age,age:3'], 'combat: usage error: --spline names column "age" twice; give each spline once\n'],
    [['--spline', 'age:knots=40:boundary=20'], 'combat: usage error: --spline age:knots=40:boundary=20: expected COLUMN:knots=K1,K2,...:boundary=LOW,HIGH with numbers for the interior knots and the two boundary knots\n'],
    [['--spline', 'age:knots=60,40:boundary=20,90'], 'combat: usage error: --spline age:knots=60,40:boundary=20,90: expected the interior knots strictly ascending and strictly between the boundary knots, LOW below HIGH\n'],
  ])('refuses %j with a usage error', async (flags, message) => {
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'site', '--features', 'f000:f009', ...flags, '--out', never);
    expect(result).toMatchObject({ code: 2, stderr: message });
  });

  it('refuses a column given as --continuous and as --spline', async () => {
    const result = await runCli('harmonize', '--data', ROI, ...ROI_FLAGS, '--spline', 'age', '--out', never);
    expect(result).toMatchObject({ code: 2, stderr: 'combat: usage error: column "age" is given both as --continuous and as --spline; give each column one role\n' });
  });

  it('takes explicit knots: the list ends after the two boundary knots', async () => {
    const dir = await temporaryFolder('spline-knots');
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'site', '--categorical', 'sex,dx', '--spline', 'age:knots=40,60:boundary=15,90', '--features', 'f000:f119', '--out', join(dir, 'out.csv'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('age (natural spline, df 3, knots 40, 60; trained on 18 to 88)');
    const twice = await runCli('harmonize', '--data', ROI, '--batch', 'site', '--spline', 'age:knots=40,60:boundary=15,90,age:2', '--features', 'f000:f119', '--out', join(dir, 'never.csv'));
    expect(twice).toMatchObject({ code: 2, stderr: 'combat: usage error: --spline names column "age" twice; give each spline once\n' });
  });

  it('fits a spline of a column, named in the summary with its knots', async () => {
    const dir = await temporaryFolder('spline');
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'site', '--categorical', 'sex,dx', '--spline', 'age:3', '--features', 'f000:f119', '--out', join(dir, 'out.csv'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/covariates: sex \(categorical: F, M\), dx \(categorical: AD, CN, MCI\), age \(natural spline, df 3, knots [\d.]+, [\d.]+; trained on 18 to 88\)/);
  });
});
