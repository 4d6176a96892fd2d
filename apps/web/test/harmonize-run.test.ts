import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeModelFile, parseDelimited, tableMatrix } from '@combat/io-arrow';
import { COMBAT_CASES, expectClose, loadCase, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { runHarmonization } from '../src/harmonize-run.js';
import type { RunRequest } from '../src/protocol.js';
import { featureValues } from './feature-values.js';
import { fieldProblem } from './field-problem.js';

const INPUT = join(COMBAT_CASES, 'roi-parametric', 'input.csv');
const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

function request(data: File, changes: Partial<RunRequest> = {}): RunRequest {
  return { data, covariates: null, id: 'subject', batch: 'site', categorical: ['sex', 'dx'], continuous: ['age'], splines: [], splineDf: 4, features: ['f000', 'f001'], mode: 'parametric', meanOnly: false, refBatch: null, ...changes };
}

/** The problem a run gives, as the page shows it. */
function problem(run: RunRequest): Promise<{ field: string; message: string }> {
  return fieldProblem(() => runHarmonization(run, () => {}));
}

describe('a run of the table flow (in Node, as the worker runs it)', () => {
  it('gives sva\u2019s table for roi-parametric (1e-9), every column kept, and a model file that reads back', async () => {
    const { spec, expected } = loadCase('roi-parametric');
    const text = await readFile(INPUT, 'utf8');
    const input = parseDelimited(text, { source: INPUT });
    const features = input.names.slice(input.names.indexOf(spec.features.from), input.names.indexOf(spec.features.to) + 1);
    const result = await runHarmonization(request(new File([text], 'input.csv'), { features }), () => {});
    const written = parseDelimited(new TextDecoder().decode(result.table.bytes), { source: result.table.name });
    expect(written.names).toEqual(input.names);
    expectClose(featureValues(written, features), expected, 1e-9, 'roi-parametric');
    const saved = decodeModelFile(result.model.bytes, { source: result.model.name });
    expect(saved.featureNames).toEqual(features);
    expect(saved.columns).toEqual({ batch: 'site', categorical: ['sex', 'dx'], continuous: ['age'] });
    expect(saved.idColumn).toBe('subject');
    expect(result.report).toContain('Did harmonization work?');
  });

  it('puts each problem next to its control, in the library\u2019s words', async () => {
    const text = await readFile(INPUT, 'utf8');
    const data = new File([text], 'input.csv');
    // A text column chosen as a feature: tableMatrix's own message.
    let expected = '';
    try {
      tableMatrix(parseDelimited(text, { source: 'input.csv' }), ['f000', 'sex'], { idColumn: 'subject' });
    } catch (error) {
      expected = (error as Error).message;
    }
    expect(expected).not.toBe('');
    expect(await problem(request(data, { categorical: ['dx'], features: ['f000', 'sex'] }))).toEqual({ field: 'features', message: expected });
    expect(await problem(request(data, { features: ['f000', 'site'] }))).toEqual({ field: 'features', message: 'the features include "site" (given as the batch); a column is a feature or has another role, not both' });
    expect(await problem(request(data, { splines: ['age'], continuous: [] }))).toEqual({ field: 'spline-columns', message: 'a spline is of a continuous covariate; "age" is not one (choose it as continuous too)' });
    expect(await problem(request(new File([text], 'input.xlsx')))).toEqual({ field: 'data-file', message: 'input.xlsx: expected a table file ending in .csv, .tsv, .arrow, .feather, .ipc or .arrows' });
    const oneSite = text.replace(/,site[ABC],/g, ',siteA,');
    const one = await problem(request(new File([oneSite], 'one-site.csv')));
    expect(one.field).toBe('batch-column');
    expect(one.message.startsWith('one-site.csv: column "site": ')).toBe(true);
  });

  it('words a feature left unadjusted as the CLI does', async () => {
    // f2 is constant within siteA: ComBat cannot scale it there.
    const rows = Array.from({ length: 12 }, (_, i) => `s${i},site${'ABC'[i % 3]},${(10 + ((i * 7) % 5) + i / 10).toFixed(2)},${i % 3 === 0 ? '5' : (4 + ((i * 3) % 4) / 3).toFixed(3)},${(20 + ((i * 5) % 7) / 2).toFixed(2)}`);
    const text = `subject,site,f1,f2,f3\n${rows.join('\n')}\n`;
    const result = await runHarmonization(request(new File([text], 'constant.csv'), { categorical: [], continuous: [], features: ['f1', 'f2', 'f3'] }), () => {});
    const folder = await temporaryFolder('combat-web-warning');
    const path = join(folder, 'constant.csv');
    await writeFile(path, text);
    const cli = await promisify(execFile)(process.execPath, [CLI, 'harmonize', '--data', path, '--id', 'subject', '--batch', 'site', '--features', 'f1,f2,f3', '--out', join(folder, 'out.csv')]);
    const printed = cli.stderr.split('\n').filter((line) => line.startsWith('combat: warning: ')).map((line) => line.slice('combat: warning: '.length));
    expect(printed.length).toBeGreaterThan(0);
    expect(result.warnings).toEqual(printed);
  });
});

