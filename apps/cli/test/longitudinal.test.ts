import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { harmonizeLongitudinal } from '@combat/core';
import { parseDelimited } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import { LONGITUDINAL_CASES, expectClose, loadLongitudinalCase, longitudinalCaseNames, readCsvFixture, temporaryFolder, type LongitudinalCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { featureValues, writeText } from './helpers.js';
import { runCli } from './run-cli.js';

function caseFlags(fixture: LongitudinalCase): string[] {
  const { spec, features } = fixture;
  return [
    '--id', spec.id,
    '--subject', spec.subject,
    '--batch', spec.batch,
    ...(spec.categorical.length > 0 ? ['--categorical', spec.categorical.join(',')] : []),
    ...(spec.continuous.length > 0 ? ['--continuous', spec.continuous.join(',')] : []),
    ...spec.splines.flatMap((s) => ['--spline', `${s.column}:${s.df}`]),
    '--features', `${features[0]}:${features.at(-1)}`,
  ];
}

describe.each(longitudinalCaseNames())('combat harmonize --subject on %s', (name) => {
  const fixture = loadLongitudinalCase(name);
  const input = join(LONGITUDINAL_CASES, name, 'input.csv');

  it('matches longCombat at 1e-7, keeps every input column, and reports subjects, scans per subject, the random intercept\u2019s share and the splines\u2019 knots', async () => {
    const dir = await temporaryFolder(name);
    const out = join(dir, 'out.csv');
    const result = await runCli('harmonize', '--data', input, ...caseFlags(fixture), '--out', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = parseDelimited(readFileSync(out, 'utf8'), { source: out });
    expect(written.names).toEqual(readCsvFixture(input).columns);
    expectClose(featureValues(written, fixture.features), fixture.expected, 1e-7, name);

    const scans = [...new Set(fixture.subject)].map((s) => fixture.subject.filter((t) => t === s).length).sort((a, b) => a - b);
    const middle = (values: number[]) => (values.length % 2 === 1 ? values[values.length >> 1]! : (values[values.length / 2 - 1]! + values[values.length / 2]!) / 2);
    const { ratio } = harmonizeLongitudinal(fixture.matrix, fixture.covariates, fixture.options);
    const share = middle(Array.from(ratio, (r) => r / (1 + r)).sort((a, b) => a - b));
    expect(result.stdout).toContain(`  subjects: ${scans.length}; scans per subject: min ${scans[0]}, median ${middle(scans)}, max ${scans.at(-1)}\n`);
    expect(result.stdout).toContain(`  random intercept's share of the variance: median ${Number(share.toPrecision(6))} over ${fixture.features.length} features\n`);
    // Each spline with the knots R's ns() chose (the quantiles of the case's values).
    const shown = (x: number) => Number(x.toPrecision(6));
    for (const { column, df, knots, boundaryKnots: [low, high] } of fixture.spec.splines) {
      expect(result.stdout).toContain(`${column} (natural spline, df ${df}, knots ${knots.map(shown).join(', ')}; trained on ${shown(low)} to ${shown(high)})`);
    }
  });

  it('takes the subjects from a --covariates table paired by --id, and writes Arrow alike', async () => {
    const dir = await temporaryFolder(`${name}-paired`);
    const table = readCsvFixture(input);
    const roles = [fixture.spec.id, fixture.spec.subject, fixture.spec.batch, ...fixture.spec.categorical, ...fixture.spec.continuous, ...fixture.spec.splines.map((s) => s.column)];
    // The covariates in reverse row order, the data without them.
    const covariates = await writeText(dir, 'covariates.csv', [roles.join(','), ...table.rows.map((row) => roles.map((c) => row[c]).join(',')).reverse()].join('\n'));
    const dataColumns = [fixture.spec.id, ...fixture.features];
    const data = await writeText(dir, 'data.csv', [dataColumns.join(','), ...table.rows.map((row) => dataColumns.map((c) => row[c]).join(','))].join('\n'));
    const out = join(dir, 'out.arrow');
    const result = await runCli('harmonize', '--data', data, '--covariates', covariates, ...caseFlags(fixture), '--out', out, '--quiet');
    expect([result.code, result.stderr, result.stdout]).toEqual([0, '', '']);
    expectClose(featureValues(await readTable(out), fixture.features), fixture.expected, 1e-7, `${name} paired`);
  });
});

describe('combat harmonize --subject refuses', () => {
  const fixture = loadLongitudinalCase('long-age');
  const input = join(LONGITUDINAL_CASES, 'long-age', 'input.csv');

  it.each([
    [['--ref-batch', 'site_a'], '--ref-batch with --subject (longitudinal ComBat): not supported, longCombat has no reference batch; leave out one of them'],
    [['--non-parametric'], '--non-parametric with --subject (longitudinal ComBat): not supported, longCombat has parametric priors only; leave out one of them'],
    [['--mean-only'], '--mean-only with --subject (longitudinal ComBat): not supported, longCombat adjusts location and scale; leave out one of them'],
    [['--no-eb'], '--no-eb with --subject (longitudinal ComBat): not supported, longCombat always shrinks by empirical Bayes; leave out one of them'],
    [['--save-model', 'model.arrow'], '--save-model with --subject (longitudinal ComBat): not supported, a longitudinal model cannot be saved (nor applied by combat apply) yet; leave out one of them'],
    [['--covbat-components', '3'], '--covbat-components needs --covbat; add --covbat to harmonize the covariance too'],
    [['--covbat', '--covbat-variance', '0.9'], '--covbat with --subject (longitudinal ComBat): not supported, CovBat is not defined for a mixed model; leave out one of them'],
  ])('%s as a usage error saying so, writing nothing', async (extra, message) => {
    const dir = await temporaryFolder('long-usage');
    const out = join(dir, 'out.csv');
    const result = await runCli('harmonize', '--data', input, ...caseFlags(fixture), '--out', out, ...extra.map((flag) => (flag === 'model.arrow' ? join(dir, flag) : flag)));
    expect([result.code, result.stderr]).toEqual([2, `combat: usage error: ${message}\n`]);
    expect(existsSync(out)).toBe(false);
  });

  it('a subject column that is also the batch column', async () => {
    const result = await runCli('harmonize', '--data', input, ...caseFlags(fixture), '--subject', 'site', '--out', join(await temporaryFolder('long-usage'), 'out.csv'));
    expect([result.code, result.stderr]).toEqual([2, 'combat: usage error: column "site" is given both as --batch and as --subject; give each column one role\n']);
  });

  it('a missing value, naming the file, row and column and saying complete data are needed; nothing is left behind', async () => {
    const dir = await temporaryFolder('long-missing');
    const lines = readFileSync(input, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const cells = lines[4]!.split(',');
    cells[header.indexOf('f003')] = 'NA';
    lines[4] = cells.join(',');
    const data = await writeText(dir, 'data.csv', lines.join('\n'));
    const out = join(dir, 'out.csv');
    const result = await runCli('harmonize', '--data', data, ...caseFlags(fixture), '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`combat: error: ${data}: row 4 (scan "${cells[0]}"), column "f003": data value is missing (NaN); longitudinal ComBat needs complete data: impute it, or leave out the sample or the feature\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('a scan without its subject, naming its row', async () => {
    const dir = await temporaryFolder('long-subject');
    const lines = readFileSync(input, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const cells = lines[2]!.split(',');
    cells[header.indexOf('subid')] = '';
    lines[2] = cells.join(',');
    const data = await writeText(dir, 'data.csv', lines.join('\n'));
    const result = await runCli('harmonize', '--data', data, ...caseFlags(fixture), '--out', join(dir, 'out.csv'));
    expect([result.code, result.stderr]).toEqual([1, `combat: error: ${data}: row 2 (scan "${cells[0]}"): subject column "subid" is missing; every scan needs its subject\n`]);
  });
});
