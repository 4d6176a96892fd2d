import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDelimited } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
import { COMBAT_CASES, expectClose, loadCase, readCsvFixture, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { caseFlags, featureValues } from './helpers.js';
import { runCli } from './run-cli.js';

const CASES = ['large-batch-nonparametric', 'roi-meanonly-nonparametric', 'roi-meanonly-parametric', 'roi-missing-nonparametric-refbatch', 'roi-missing-parametric', 'roi-nocovariates', 'roi-noeb', 'roi-nonparametric', 'roi-parametric', 'roi-refbatch-meanonly', 'roi-refbatch-nonparametric', 'roi-refbatch-parametric', 'roi-singleton-batch', 'roi-zerovariance', 'testdata-meanonly-nonparametric', 'testdata-meanonly-parametric', 'testdata-nonparametric', 'testdata-parametric', 'testdata-refbatch'];

describe.each(CASES)('combat harmonize on %s', (name) => {
  it('matches the reference by the parity rule, keeping every input column, and apply reproduces it', async () => {
    const dir = await temporaryFolder(name);
    const { spec, expected } = loadCase(name);
    const input = join(COMBAT_CASES, name, 'input.csv');
    const inputColumns = readCsvFixture(input).columns;
    const features = inputColumns.slice(inputColumns.indexOf(spec.features.from), inputColumns.indexOf(spec.features.to) + 1);
    const out = join(dir, 'out.csv');
    const model = join(dir, 'model.arrow');
    const result = await runCli('harmonize', '--data', input, ...caseFlags(spec, features.join(',')), '--out', out, '--save-model', model);
    expect(result.stderr.replace(/combat: warning: .*\n/g, '')).toBe('');
    expect(result.code).toBe(0);
    const written = parseDelimited(readFileSync(out, 'utf8'), { source: out });
    expect(written.names).toEqual(inputColumns);
    expectClose(featureValues(written, features), expected, 1e-9, name);

    const applied = join(dir, 'applied.feather');
    expect((await runCli('apply', '--model', model, '--data', input, '--out', applied)).code).toBe(0);
    expectClose(featureValues(await readTable(applied), features), featureValues(written, features), 1e-12, `${name} apply`);
  });
});
