import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDelimited } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../../packages/core/test/close.js';
import { temporaryFolder } from './helpers.js';
import { runCli } from './run-cli.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/combat/', import.meta.url));
const CASES = ['large-batch-nonparametric', 'roi-meanonly-nonparametric', 'roi-meanonly-parametric', 'roi-missing-nonparametric-refbatch', 'roi-missing-parametric', 'roi-nocovariates', 'roi-noeb', 'roi-nonparametric', 'roi-parametric', 'roi-refbatch-meanonly', 'roi-refbatch-nonparametric', 'roi-refbatch-parametric', 'roi-singleton-batch', 'roi-zerovariance', 'testdata-meanonly-nonparametric', 'testdata-meanonly-parametric', 'testdata-nonparametric', 'testdata-parametric', 'testdata-refbatch'];

interface CaseSpec {
  features: { from: string; to: string; count: number };
  batch: string;
  categorical: string[];
  continuous: string[];
  parametric: boolean;
  meanOnly: boolean;
  refBatch: string | null;
  eb: boolean;
}

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
    const spec = JSON.parse(readFileSync(join(FIXTURES, name, 'case.json'), 'utf8')) as CaseSpec;
    const input = join(FIXTURES, name, 'input.csv');
    const out = join(dir, 'out.csv');
    const model = join(dir, 'model.arrow');
    const result = await runCli('harmonize', '--data', input, ...flagsOf(spec), '--out', out, '--save-model', model);
    expect(result.stderr.replace(/combat: warning: .*\n/g, '')).toBe('');
    expect(result.code).toBe(0);
    const expectedText = readFileSync(join(FIXTURES, name, 'expected.csv'), 'utf8');
    const features = parseDelimited(expectedText, { source: 'expected.csv' }).names.filter((c) => /^f\d+$/.test(c));
    const written = readFileSync(out, 'utf8');
    expect(parseDelimited(written, { source: out }).names).toEqual(parseDelimited(readFileSync(input, 'utf8'), { source: input }).names);
    expectClose(featureValues(written, out, features), featureValues(expectedText, 'expected.csv', features), 1e-9, name);

    const applied = join(dir, 'applied.feather');
    expect((await runCli('apply', '--model', model, '--data', input, '--out', applied)).code).toBe(0);
    const table = await readTable(applied);
    const appliedValues = Float64Array.from({ length: table.rows * features.length }, (_, k) => table.columns.get(features[k % features.length]!)!.numbers![Math.floor(k / features.length)]!);
    expectClose(appliedValues, featureValues(written, out, features), 1e-12, `${name} apply`);
  });
});
