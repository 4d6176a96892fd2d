import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDelimited } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import { COMBAT_CASES, expectClose, loadCase, readCsvFixture, temporaryFolder, type CaseSpec } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const CASES = ['large-batch-nonparametric', 'roi-meanonly-nonparametric', 'roi-meanonly-parametric', 'roi-missing-nonparametric-refbatch', 'roi-missing-parametric', 'roi-nocovariates', 'roi-noeb', 'roi-nonparametric', 'roi-parametric', 'roi-refbatch-meanonly', 'roi-refbatch-nonparametric', 'roi-refbatch-parametric', 'roi-singleton-batch', 'roi-zerovariance', 'testdata-meanonly-nonparametric', 'testdata-meanonly-parametric', 'testdata-nonparametric', 'testdata-parametric', 'testdata-refbatch'];

/** case.json as command-line flags. */
function flagsOf(spec: CaseSpec): string[] {
  const first = Number(spec.features.from.slice(1));
  const features = Array.from({ length: spec.features.count }, (_, k) => `f${String(first + k).padStart(3, '0')}`);
  expect(features.at(-1)).toBe(spec.features.to);
  return [
    '--features', features.join(','),
    '--batch', spec.batch,
    '--id', 'subject',
    ...(spec.categorical.length > 0 ? ['--categorical', spec.categorical.join(',')] : []),
    ...(spec.continuous.length > 0 ? ['--continuous', spec.continuous.join(',')] : []),
    ...(spec.refBatch !== null ? ['--ref-batch', spec.refBatch] : []),
    ...(spec.meanOnly ? ['--mean-only'] : []),
    ...(spec.parametric ? [] : ['--non-parametric']),
    ...(spec.eb ? [] : ['--no-eb']),
  ];
}

function featureValues(text: string, source: string, features: string[]): Float64Array {
  const table = parseDelimited(text, { source });
  return Float64Array.from({ length: table.rows * features.length }, (_, k) => table.columns.get(features[k % features.length]!)!.numbers![Math.floor(k / features.length)]!);
}

describe.each(CASES)('combat harmonize on %s', (name) => {
  it('matches the reference by the parity rule, keeping every input column, and apply reproduces it', async () => {
    const dir = await temporaryFolder(name);
    const { spec, expected } = loadCase(name);
    const input = join(COMBAT_CASES, name, 'input.csv');
    const inputColumns = readCsvFixture(input).columns;
    const features = inputColumns.slice(inputColumns.indexOf(spec.features.from), inputColumns.indexOf(spec.features.to) + 1);
    const out = join(dir, 'out.csv');
    const model = join(dir, 'model.arrow');
    const result = await runCli('harmonize', '--data', input, ...flagsOf(spec), '--out', out, '--save-model', model);
    expect(result.stderr.replace(/combat: warning: .*\n/g, '')).toBe('');
    expect(result.code).toBe(0);
    const written = readFileSync(out, 'utf8');
    expect(parseDelimited(written, { source: out }).names).toEqual(inputColumns);
    expectClose(featureValues(written, out, features), expected, 1e-9, name);

    const applied = join(dir, 'applied.feather');
    expect((await runCli('apply', '--model', model, '--data', input, '--out', applied)).code).toBe(0);
    const table = await readTable(applied);
    const appliedValues = Float64Array.from({ length: table.rows * features.length }, (_, k) => table.columns.get(features[k % features.length]!)!.numbers![Math.floor(k / features.length)]!);
    expectClose(appliedValues, featureValues(written, out, features), 1e-12, `${name} apply`);
  });
});
