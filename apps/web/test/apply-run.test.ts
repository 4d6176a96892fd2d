import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseDelimited, type Table } from '@combat/io-arrow';
import { COMBAT_CASES, expectClose, fixturePath, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { runApply } from '../src/apply-run.js';
import { runHarmonization } from '../src/harmonize-run.js';
import type { ApplyRequest } from '../src/protocol.js';
import { featureValues } from './feature-values.js';
import { fieldProblem } from './field-problem.js';

const INPUT = join(COMBAT_CASES, 'roi-parametric', 'input.csv');
const FEATURES = Array.from({ length: 120 }, (_, v) => `f${String(v).padStart(3, '0')}`);
const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

/** The roi-parametric input, and the table and model file the table flow makes of it. */
async function trained(): Promise<{ text: string; harmonized: Table; model: File }> {
  const text = await readFile(INPUT, 'utf8');
  const run = { data: new File([text], 'input.csv'), covariates: null, id: 'subject', batch: 'site', categorical: ['sex', 'dx'], continuous: ['age'], splines: [], splineDf: 4, features: FEATURES, mode: 'parametric', meanOnly: false, refBatch: null } as const;
  const result = await runHarmonization(run, () => {});
  return { text, harmonized: parseDelimited(new TextDecoder().decode(result.table.bytes), { source: 'out.csv' }), model: new File([result.model.bytes as Uint8Array<ArrayBuffer>], 'model.arrow') };
}

/** The problem an apply gives, as the page shows it. */
function problem(request: ApplyRequest): Promise<{ field: string; message: string }> {
  return fieldProblem(() => runApply(request, () => {}));
}

describe('an apply (in Node, as the worker runs it)', () => {
  it('reproduces the table flow with its model (1e-12), every column kept, and offers no model when no batch is new', async () => {
    const { text, harmonized, model } = await trained();
    const result = await runApply({ model, data: new File([text], 'input.csv'), covariates: null, id: 'subject', estimateNewBatches: false }, () => {});
    const applied = parseDelimited(new TextDecoder().decode(result.table.bytes), { source: result.table.name });
    expect(result.table.name).toBe('input-harmonized.csv');
    expect(applied.names).toEqual(harmonized.names);
    expectClose(featureValues(applied, FEATURES), featureValues(harmonized, FEATURES), 1e-12, 'apply vs harmonize');
    expect(result.model).toBeNull();
  });

  it('puts each problem next to its control: the model file, the covariates table, the id', async () => {
    const { text, model } = await trained();
    const data = new File([text], 'input.csv');
    const base: ApplyRequest = { model, data, covariates: null, id: 'subject', estimateNewBatches: false };
    // A file that is not a model, refused by io-arrow's reader, in its words.
    const notModel = await problem({ ...base, model: new File([await readFile(join(fixturePath('volumes-seed'), 'covars.csv'))], 'covars.csv') });
    expect(notModel.field).toBe('model-file');
    expect(notModel.message).toMatch(/^covars\.csv: /);
    const lines = text.trim().split('\n').map((line) => line.split(','));
    const covariates = new File([lines.map((cells) => [cells[0], cells[2]].join(',')).join('\n')], 'covariates.csv');
    expect(await problem({ ...base, covariates })).toEqual({ field: 'covars-file', message: 'covariates.csv: batch column "site" not found; columns are subject, age' });
    expect(await problem({ ...base, covariates, id: null })).toEqual({ field: 'id-column', message: 'a covariates table needs an id column: the column of subject ids both tables share, by which their rows pair' });
  });

  it('a CovBat model meeting a new batch: refused next to the new-batches option, which cannot help, in the CLI\u2019s words', async () => {
    // A CovBat model of two of the covbat fixture's three sites, saved by the CLI.
    const dir = await temporaryFolder('web-apply-covbat');
    const text = await readFile(fixturePath('covbat', 'covbat-parametric', 'input.csv'), 'utf8');
    const lines = text.trim().split('\n');
    await writeFile(join(dir, 'train.csv'), `${lines.filter((line) => !line.split(',')[1]!.startsWith('site_c')).join('\n')}\n`);
    const flags = ['--data', join(dir, 'train.csv'), '--id', 'subject', '--batch', 'site', '--categorical', 'sex', '--continuous', 'age', '--features', 'f000:f039'];
    await promisify(execFile)(process.execPath, [CLI, 'harmonize', ...flags, '--covbat', '--out', join(dir, 'out.csv'), '--save-model', join(dir, 'covbat.arrow')]);
    const base: ApplyRequest = { model: new File([await readFile(join(dir, 'covbat.arrow'))], 'covbat.arrow'), data: new File([text], 'input.csv'), covariates: null, id: 'subject', estimateNewBatches: false };
    expect(await problem(base)).toEqual({ field: 'new-batches', message: 'input.csv: row 76 (subject "s076"): batch "site_c" was not seen in training (known: site_a, site_b)' });
    expect(await problem({ ...base, estimateNewBatches: true })).toEqual({
      field: 'new-batches',
      message: 'covbat.arrow is a CovBat model, whose new batches cannot be estimated yet (site_c not seen in training); apply it to samples of its training batches only',
    });
  });
});
