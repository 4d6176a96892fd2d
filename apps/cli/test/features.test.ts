import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDelimited } from '@combat/io-arrow';
import { readCsvFixture, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { ROI, ROI_FLAGS, roiLines, writeText } from './helpers.js';
import { runCli } from './run-cli.js';

const dir = await temporaryFolder('features');

/** The ROI table with a numeric subject id column in front. */
async function withNumericIds(): Promise<string> {
  const lines = roiLines();
  return writeText(dir, 'numeric-ids.csv', lines.map((line, r) => `${r === 0 ? 'id' : 100 + r},${line}`).join('\n'));
}

describe('which columns are features is explicit', () => {
  it('without --features the command stops and lists the numeric columns as a flag ready to paste', async () => {
    const result = await runCli('harmonize', '--data', await withNumericIds(), '--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--features f000:f119\n');
    expect(result.stderr).toMatch(/Left out: id, where every value is a distinct whole number, as in an identifier/);
    expect(result.stdout).toBe('');
  });

  it('the pasted flag runs, and the summary names the features (count, first, last)', async () => {
    const modelFlags = ['--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age'];
    const listed = await runCli('harmonize', '--data', ROI, ...modelFlags, '--out', join(dir, 'never.csv'));
    const pasted = /^ {2}(--features \S+)$/m.exec(listed.stderr)?.[1]?.split(' ') ?? [];
    expect(pasted).toEqual(['--features', 'f000:f119']);
    const result = await runCli('harmonize', '--data', ROI, ...modelFlags, ...pasted, '--out', join(dir, 'pasted.csv'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/harmonized 120 features \(f000 \.\.\. f119\) of 60 samples/);
    expect(result.stdout).toMatch(/batches: siteA 15, siteB 20, siteC 25\n/);
    expect(result.stdout).toMatch(/covariates: sex \(categorical: F, M\), dx \(categorical: AD, CN, MCI\), age \(continuous, trained on 18 to 88\)/);
    expect(result.stdout).toMatch(/mode: parametric empirical Bayes, location and scale/);
  });

  it('a feature column with one unparsable cell is named with its row, not silently dropped', async () => {
    const lines = roiLines();
    lines[5] = lines[5]!.replace(/,([-\d.]+)$/, ',"1,5"');
    const data = await writeText(dir, 'decimal-comma.csv', lines.join('\n'));
    const listed = await runCli('harmonize', '--data', data, '--batch', 'site', '--out', join(dir, 'never.csv'));
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/Not offered: "f119" is numeric except at row 5, "1,5"/);
    const named = await runCli('harmonize', '--data', data, ...ROI_FLAGS, '--out', join(dir, 'never.csv'));
    expect(named.code).toBe(1);
    expect(named.stderr).toMatch(/decimal-comma\.csv: row 5.*column "f119": "1,5" is not a number/);
  });

  it.each([['1e400'], ['-inf'], ['Infinity']])('a feature cell %s is an error naming row, column and value', async (cell) => {
    const lines = roiLines();
    lines[3] = lines[3]!.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,)[^,]*/, `$1${cell}`);
    const data = await writeText(dir, `cell-${cell}.csv`, lines.join('\n'));
    const result = await runCli('harmonize', '--data', data, ...ROI_FLAGS, '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`row 3`);
    expect(result.stderr).toContain(`column "f000": "${cell}" is not a number`);
  });

  it('globs, ranges and --exclude choose the same columns as the names they stand for', async () => {
    const modelFlags = ['--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age'];
    const [byPattern, byName] = [join(dir, 'glob.csv'), join(dir, 'names.csv')];
    const names = Array.from({ length: 120 }, (_, k) => `f${String(k).padStart(3, '0')}`).filter((name) => !/^f01\d$/.test(name) && name !== 'f119');
    expect((await runCli('harmonize', '--data', ROI, ...modelFlags, '--features', 'f0*,f1??', '--exclude', 'f010:f019,f119', '--out', byPattern)).code).toBe(0);
    expect((await runCli('harmonize', '--data', ROI, ...modelFlags, '--features', names.join(','), '--out', byName)).code).toBe(0);
    expect(readFileSync(byPattern, 'utf8')).toBe(readFileSync(byName, 'utf8'));
    const written = parseDelimited(readFileSync(byPattern, 'utf8'), { source: byPattern });
    const input = parseDelimited(readFileSync(ROI, 'utf8'), { source: ROI });
    for (const unchanged of ['f010', 'f019', 'f119', 'age']) expect(written.columns.get(unchanged)?.raw).toEqual(input.columns.get(unchanged)?.raw);
    expect(written.columns.get('f020')?.raw).not.toEqual(input.columns.get('f020')?.raw);
  });

  it.each([
    [['--features', 'f000:f119,age'], /--features includes "age" \(given as --continuous\)/],
    [['--features', 'f119:f000'], /"f119" comes after "f000"/],
    [['--features', 'lh_*'], /--features lh_\*: no column of .* matches/],
    [['--features', 'f000,nope'], /--features nope: .* has no such column/],
    [['--features', 'f000:f119', '--exclude', 'f*'], /leave no feature columns/],
  ])('%j is a usage error', async (flags, message) => {
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', ...flags, '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('a column may have one role only', async () => {
    const result = await runCli('harmonize', '--data', ROI, '--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age,sex', '--features', 'f000:f119', '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/column "sex" is given both as --categorical and as --continuous/);
  });
});

describe('rows pair by --id, exactly once each', () => {
  const roi = readCsvFixture(ROI);
  const covariateColumns = roi.columns.slice(0, 5);
  const featureColumns = roi.columns.slice(5);
  const demographics = (rows: string[][]) => ['subject,site,age,sex,dx', ...rows.map((r) => r.join(','))].join('\n');
  const people = roi.rows.map((row) => covariateColumns.map((c) => row[c] as string));
  const features = [['subject', ...featureColumns].join(','), ...roi.rows.map((row) => [row.subject, ...featureColumns.map((c) => row[c])].join(','))].join('\n');
  const modelFlags = ['--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', 'f000:f119'];

  it('--covariates without --id is a usage error', async () => {
    const data = await writeText(dir, 'features-only.csv', features);
    const covariates = await writeText(dir, 'demographics.csv', demographics(people));
    const result = await runCli('harmonize', '--data', data, '--covariates', covariates, ...modelFlags, '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--covariates needs --id COLUMN/);
  });

  it('shuffled demographics pair by id and give the same harmonized table as one table', async () => {
    const data = await writeText(dir, 'features-only.csv', features);
    const shuffled = people.map((p, k) => ({ p, key: (k * 37) % people.length })).sort((a, b) => a.key - b.key).map(({ p }) => p);
    const covariates = await writeText(dir, 'shuffled.csv', demographics(shuffled));
    const [split, whole] = [join(dir, 'split.csv'), join(dir, 'whole.csv')];
    expect((await runCli('harmonize', '--data', data, '--covariates', covariates, '--id', 'subject', ...modelFlags, '--out', split)).code).toBe(0);
    expect((await runCli('harmonize', '--data', ROI, ...modelFlags, '--out', whole)).code).toBe(0);
    const [a, b] = [parseDelimited(readFileSync(split, 'utf8'), { source: split }), parseDelimited(readFileSync(whole, 'utf8'), { source: whole })];
    for (const name of ['f000', 'f077', 'f119']) expect(a.columns.get(name)?.numbers).toEqual(b.columns.get(name)?.numbers);
  });

  it.each([
    ['a duplicate id in --covariates', (rows: string[][]) => [...rows, rows[3]!], /shuffled-dup\.csv: id "sub-\w+" \(column "subject"\) appears in rows 4 and 61/],
    ['an id missing from --covariates', (rows: string[][]) => rows.slice(1), /features-only\.csv: 1 id with no row in .*: "sub-\w+" \(row 1\)/],
    ['an extra id in --covariates', (rows: string[][]) => [...rows, ['sub-extra', 'siteA', '50', 'F', 'CN']], /1 id with no row in .*features-only\.csv: "sub-extra" \(row 61\)/],
  ])('%s is an error naming it', async (_, edit, message) => {
    const data = await writeText(dir, 'features-only.csv', features);
    const covariates = await writeText(dir, 'shuffled-dup.csv', demographics(edit(people)));
    const result = await runCli('harmonize', '--data', data, '--covariates', covariates, '--id', 'subject', ...modelFlags, '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('a batch or covariate both tables hold must agree for every subject', async () => {
    const edited = people.map((p, k) => (k === 10 ? [p[0]!, p[1] === 'siteA' ? 'siteB' : 'siteA', ...p.slice(2)] : p));
    const covariates = await writeText(dir, 'disagree.csv', demographics(edited));
    const result = await runCli('harmonize', '--data', ROI, '--covariates', covariates, '--id', 'subject', ...modelFlags, '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`input\\.csv: row 11 \\(subject "${people[10]![0]}"\\), column "site": "${people[10]![1]}" here but "site[AB]" in .*disagree\\.csv \\(row 11\\); the tables disagree`));
    const agreeing = await writeText(dir, 'agree.csv', demographics(people));
    expect((await runCli('harmonize', '--data', ROI, '--covariates', agreeing, '--id', 'subject', ...modelFlags, '--out', join(dir, 'agree-out.csv'))).code).toBe(0);
  });

  it('a duplicate id in --data is an error too', async () => {
    const dup = features.split('\n');
    const data = await writeText(dir, 'dup-data.csv', [...dup, dup[2]].join('\n'));
    const covariates = await writeText(dir, 'demographics.csv', demographics(people));
    const result = await runCli('harmonize', '--data', data, '--covariates', covariates, '--id', 'subject', ...modelFlags, '--out', join(dir, 'never.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/dup-data\.csv: id "sub-\w+" \(column "subject"\) appears in rows 2 and 61/);
  });
});
