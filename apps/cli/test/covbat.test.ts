import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDelimited } from '@combat/io-arrow';
import { readModel, readTable } from '@combat/io-arrow/node';
import { COVBAT_CASES, covbatCaseNames, expectClose, loadCovbatCase, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { featureValues, filesBelow, writeText } from './helpers.js';
import { runCli, runCliWith } from './run-cli.js';

/**
 * `combat harmonize --covbat` on CovBat's reference cases, whole and in chunks of a row or two
 * (CovBat keeps the ComBat output of every row between the fit and the adjust pass), and
 * `combat apply` with the CovBat model it saves.
 */
const dir = await temporaryFolder('covbat');
/** Chunks of about 1 kB of text: a row or two of the 40-feature cases. */
const SMALL = { env: { COMBAT_CHUNK_BYTES: '1000' } };

function covbatFlags(name: string): string[] {
  const { spec } = loadCovbatCase(name);
  return [
    '--features', `${spec.features.from}:${spec.features.to}`,
    '--batch', spec.batch,
    '--id', spec.id,
    '--categorical', spec.categorical.join(','),
    '--continuous', spec.continuous.join(','),
    ...(spec.parametric ? [] : ['--non-parametric']),
    '--covbat',
    ...(spec.covbat.nPc === null ? ['--covbat-variance', String(spec.covbat.percentVar)] : ['--covbat-components', String(spec.covbat.nPc)]),
  ];
}

describe.each(covbatCaseNames())('combat harmonize --covbat on %s', (name) => {
  it('matches CovBat by the parity rule with as many components, in one chunk or many, and apply reproduces it', async () => {
    const fixture = loadCovbatCase(name);
    const input = join(COVBAT_CASES, name, 'input.csv');
    const run = async (label: string, options: { env?: Record<string, string> }) => {
      const out = join(dir, `${name}-${label}.csv`);
      const model = join(dir, `${name}-${label}.arrow`);
      const result = await runCliWith(options, 'harmonize', '--data', input, ...covbatFlags(name), '--out', out, '--save-model', model);
      expect(result.code, result.stderr).toBe(0);
      return { out, model, result, written: parseDelimited(readFileSync(out, 'utf8'), { source: out }) };
    };
    const whole = await run('whole', {});
    const chunked = await run('chunked', SMALL);
    const share = (await readModel(whole.model)).model.covbat!.variance;
    expect(whole.result.stdout).toContain(`  CovBat: ${fixture.spec.covbat.npcChosen} principal components harmonized, explaining ${(100 * share).toFixed(1)}% of the residual variance\n`);
    expect(chunked.result.stdout.replaceAll('-chunked', '-whole')).toBe(whole.result.stdout);
    for (const { written } of [whole, chunked]) expectClose(featureValues(written, fixture.features), fixture.expected, 1e-9, name);

    const applied = join(dir, `${name}-applied.feather`);
    const result = await runCli('apply', '--model', whole.model, '--data', input, '--out', applied);
    expect(result.code, result.stderr).toBe(0);
    expectClose(featureValues(await readTable(applied), fixture.features), featureValues(whole.written, fixture.features), 1e-10, `${name} apply`);
  });
});

describe('combat harmonize --covbat and apply on threads', () => {
  it('write the same bytes with 1 (no worker), 2 and 3 threads, the table read a row or two at a time', async () => {
    const name = covbatCaseNames()[0]!;
    const input = join(COVBAT_CASES, name, 'input.csv');
    const written: Buffer[][] = [];
    for (const threads of ['1', '2', '3']) {
      const [out, model, applied] = ['harmonized.csv', 'model.arrow', 'applied.csv'].map((file) => join(dir, `threads-${threads}-${file}`)) as [string, string, string];
      const fit = await runCliWith(SMALL, 'harmonize', '--data', input, ...covbatFlags(name), '--out', out, '--save-model', model, '--threads', threads);
      expect(fit.code, fit.stderr).toBe(0);
      const apply = await runCliWith(SMALL, 'apply', '--model', model, '--data', input, '--out', applied, '--threads', threads);
      expect(apply.code, apply.stderr).toBe(0);
      written.push([out, model, applied].map((path) => readFileSync(path)));
    }
    for (const files of written.slice(1)) files.forEach((bytes, f) => expect(bytes.equals(written[0]![f]!), `file ${f}`).toBe(true));
  });
});

describe('combat apply with a CovBat model', () => {
  it('refuses to estimate a new site (a usage error), and names an unseen one without suggesting it', async () => {
    const input = join(COVBAT_CASES, 'covbat-npc', 'input.csv');
    const model = join(dir, 'apply-model.arrow');
    expect((await runCli('harmonize', '--data', input, ...covbatFlags('covbat-npc'), '--out', join(dir, 'apply-harmonized.csv'), '--save-model', model)).code).toBe(0);
    const renamed = await writeText(dir, 'new-site.csv', readFileSync(input, 'utf8').replaceAll('site_c', 'site_z'));
    const estimated = await runCli('apply', '--model', model, '--data', renamed, '--estimate-new-batches', '--out', join(dir, 'new-site-out.csv'));
    expect(estimated.code).toBe(2);
    expect(estimated.stderr).toContain(`--estimate-new-batches: ${model} is a CovBat model, whose new batches cannot be estimated yet (site_z not seen in training)`);
    const unseen = await runCli('apply', '--model', model, '--data', renamed, '--out', join(dir, 'new-site-out.csv'));
    expect(unseen.code).toBe(1);
    expect(unseen.stderr).toContain('batch "site_z" was not seen in training');
    expect(unseen.stderr).not.toContain('--estimate-new-batches');
    expect(await filesBelow(dir)).not.toContain('new-site-out.csv');
  });
});

describe('combat harmonize --covbat warns', () => {
  it('of a batch of one sample: the fit, and CovBat\u2019s score step, switch to mean-only', async () => {
    const lines = readFileSync(join(COVBAT_CASES, 'covbat-parametric', 'input.csv'), 'utf8').trim().split('\n');
    const firstOfC = lines.findIndex((line) => line.split(',')[1] === 'site_c');
    const input = await writeText(dir, 'one-of-c.csv', `${lines.filter((line, i) => line.split(',')[1] !== 'site_c' || i === firstOfC).join('\n')}\n`);
    const result = await runCli('harmonize', '--data', input, '--features', 'f000:f039', '--batch', 'site', '--id', 'subject', '--covbat', '--mean-only', '--out', join(dir, 'one-of-c-out.csv'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'combat: warning: batch site_c has a single sample: the whole fit switched to mean-only (as sva does)\n' +
        "combat: warning: batch site_c has a single sample: CovBat's score step switched to mean-only (the components' scores are moved, not rescaled)\n",
    );
  });
});

describe('combat harmonize --covbat refuses, before writing anything', () => {
  const input = join(COVBAT_CASES, 'covbat-npc', 'input.csv');
  const base = ['harmonize', '--data', input, '--features', 'f000:f039', '--batch', 'site', '--continuous', 'age'];

  it('its flags used wrongly: a usage error (exit 2)', async () => {
    const cases: [string[], string][] = [
      [['--covbat-variance', '0.9'], '--covbat-variance needs --covbat; add --covbat to harmonize the covariance too'],
      [['--covbat-components', '3'], '--covbat-components needs --covbat; add --covbat to harmonize the covariance too'],
      [['--covbat', '--covbat-variance', '0.9', '--covbat-components', '3'], '--covbat-variance and --covbat-components are exclusive; give one of them'],
      [['--covbat', '--covbat-variance', '1.2'], '--covbat-variance: expected a share of variance in (0, 1], such as 0.95; received "1.2"'],
      [['--covbat', '--covbat-variance', '0'], '--covbat-variance: expected a share of variance in (0, 1], such as 0.95; received "0"'],
      [['--covbat', '--covbat-components', '2.5'], '--covbat-components: expected a whole number of at least 1; received "2.5"'],
      [['--covbat', '--ref-batch', 'site_a'], '--covbat with --ref-batch: CovBat has no reference batch; leave out one of them'],
    ];
    for (const [flags, message] of cases) {
      const out = join(dir, 'refused.csv');
      const result = await runCli(...base, ...flags, '--out', out);
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(await filesBelow(dir)).not.toContain('refused.csv');
    }
  });

  it('a missing cell, naming its row and column; more components than the samples give', async () => {
    // Four subjects of site_a and four of site_b; the third of site_b misses f007.
    const all = readFileSync(input, 'utf8').trimEnd().split('\n');
    const lines = [all[0]!, ...all.slice(1, 5), ...all.slice(41, 45)];
    const header = lines[0]!.split(',');
    const cells = lines[7]!.split(',');
    cells[header.indexOf('f007')] = 'NaN';
    lines[7] = cells.join(',');
    const subject = cells[0]!;
    const small = await writeText(dir, 'small.csv', `${lines.join('\n')}\n`);
    const missing = await runCli('harmonize', '--data', small, '--features', 'f000:f039', '--batch', 'site', '--id', 'subject', '--covbat', '--out', join(dir, 'missing.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CovBat needs complete data');
    expect(missing.stderr).toContain(subject);
    expect(missing.stderr).toContain('f007');
    const many = await runCli('harmonize', '--data', input, '--features', 'f000:f039', '--batch', 'site', '--covbat', '--covbat-components', '41', '--out', join(dir, 'many.csv'));
    expect(many.code).toBe(1);
    expect(many.stderr).toContain('41 components requested; 40 features give at most 40');
    expect(await filesBelow(dir)).not.toContain('missing.csv');
    expect(await filesBelow(dir)).not.toContain('many.csv');
  });
});
