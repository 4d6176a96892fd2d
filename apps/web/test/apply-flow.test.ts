import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseDelimited, type Table } from '@combat/io-arrow';
import { browserAvailable, COMBAT_CASES, expectClose, loadCase, temporaryFolder } from '@combat/test-support';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appSession, harmonizeTable, outside, saveDownload } from './app-page.js';
import { featureValues } from './feature-values.js';

const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const CASE = 'roi-parametric';
const INPUT = join(COMBAT_CASES, CASE, 'input.csv');
const run = promisify(execFile);

async function readCsv(path: string): Promise<Table> {
  return parseDelimited(await readFile(path, 'utf8'), { source: path });
}

/** The apply task with a model and data chosen, the id column picked once the data is read. */
async function chooseApply(page: Page, model: string, data: string): Promise<void> {
  await page.getByTestId('task-apply').check();
  await page.getByTestId('model-file').setInputFiles(model);
  await expect.poll(() => page.locator('#model-file-info').textContent()).toMatch(/features; batch column "site"/);
  await page.getByTestId('data-file').setInputFiles(data);
  await expect.poll(() => page.getByTestId('id-column').locator('option').allTextContents()).toContain('subject');
  await page.getByTestId('id-column').selectOption('subject');
}

describe.skipIf(!browserAvailable)('the web app applies a saved model (built, served on 127.0.0.1, in headless Chromium)', () => {
  const app = appSession();

  it('applies the table flow\u2019s downloaded model to the same data: the table flow\u2019s output (1e-12), and combat apply\u2019s', async () => {
    const { spec } = loadCase(CASE);
    const input = await readCsv(INPUT);
    const features = input.names.slice(input.names.indexOf(spec.features.from), input.names.indexOf(spec.features.to) + 1);
    const dir = await temporaryFolder('combat-web-apply');
    const { page, requests, errors } = await app.open();
    await page.getByTestId('data-file').setInputFiles(INPUT);
    await harmonizeTable(page, { id: 'subject', ...spec, features });
    const harmonized = await readCsv(await saveDownload(page, 'download-table', dir));
    const model = await saveDownload(page, 'download-model', dir);
    await mkdir(join(dir, 'applied'));

    await chooseApply(page, model, INPUT);
    // The pickers show the model's columns, chosen and not to change.
    expect(await page.getByTestId('batch-column').inputValue()).toBe(spec.batch);
    expect(await page.getByTestId('batch-column').isDisabled()).toBe(true);
    expect(await page.getByTestId('features').evaluate((select: HTMLSelectElement) => Array.from(select.selectedOptions, (option) => option.value))).toEqual(features);
    await page.screenshot({ path: join(app.screens, 'apply-1-chosen.png'), fullPage: true });
    await page.getByTestId('run').click();
    await page.getByTestId('download-table').waitFor({ state: 'visible' });
    expect(await page.getByTestId('summary').textContent()).toBe(`applied model.arrow to 120 features (f000 ... f119) of ${input.rows} samples`);
    // No batch was estimated: the model given is the model, and none is offered.
    expect(await page.getByTestId('download-model').isHidden()).toBe(true);
    await page.screenshot({ path: join(app.screens, 'apply-2-applied.png'), fullPage: true });
    const appliedPath = await saveDownload(page, 'download-table', join(dir, 'applied'));
    const applied = await readCsv(appliedPath);
    expect(applied.names).toEqual(input.names);
    expectClose(featureValues(applied, features), featureValues(harmonized, features), 1e-12, `${CASE}: applied in the page vs the table flow`);

    const cli = join(dir, 'cli.csv');
    await run(process.execPath, [CLI, 'apply', '--model', model, '--data', INPUT, '--id', 'subject', '--out', cli]);
    expectClose(featureValues(applied, features), featureValues(await readCsv(cli), features), 1e-12, `${CASE}: applied in the page vs combat apply`);
    expect(outside(requests, app.url)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('refuses a batch the model has not seen next to the option, and estimates it with the option as combat apply --estimate-new-batches does', async () => {
    const input = await readCsv(INPUT);
    const { spec } = loadCase(CASE);
    const features = input.names.slice(input.names.indexOf(spec.features.from), input.names.indexOf(spec.features.to) + 1);
    const dir = await temporaryFolder('combat-web-new-batch');
    // A model of siteA and siteB only, by the CLI; siteC is new to it.
    const lines = (await readFile(INPUT, 'utf8')).trim().split('\n');
    const training = join(dir, 'training.csv');
    await writeFile(training, `${lines.filter((line, row) => row === 0 || !line.split(',').includes('siteC')).join('\n')}\n`);
    const model = join(dir, 'model.arrow');
    await run(process.execPath, [CLI, 'harmonize', '--data', training, '--id', 'subject', '--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', 'f000:f119', '--out', join(dir, 'training-out.csv'), '--save-model', model]);

    const { page, requests, errors } = await app.open();
    await chooseApply(page, model, INPUT);
    await page.getByTestId('run').click();
    const refused = page.locator('[data-testid="error"][data-field="new-batches"]');
    await refused.waitFor({ state: 'visible' });
    const first = (input.columns.get('site')?.cells ?? []).indexOf('siteC');
    const subject = input.columns.get('subject')?.cells[first];
    expect(await refused.textContent()).toBe(`input.csv: row ${first + 1} (subject "${subject}"): batch "siteC" was not seen in training (known: siteA, siteB); use "Estimate new batches" (--estimate-new-batches)`);
    expect(await page.locator('[data-testid="error"]:visible').count()).toBe(1);
    expect(await page.locator('#results').isHidden()).toBe(true);
    await page.screenshot({ path: join(app.screens, 'apply-3-new-batch-refused.png'), fullPage: true });

    await page.getByTestId('new-batches').check();
    await page.getByTestId('run').click();
    await page.getByTestId('download-model').waitFor({ state: 'visible' });
    expect(await page.getByTestId('summary').textContent()).toMatch(/; new batches estimated: siteC$/);
    await page.screenshot({ path: join(app.screens, 'apply-4-new-batch-estimated.png'), fullPage: true });
    const applied = await readCsv(await saveDownload(page, 'download-table', dir));
    const extended = await saveDownload(page, 'download-model', dir);
    expect(extended.endsWith('model-extended.arrow')).toBe(true);

    const cli = join(dir, 'cli.csv');
    const cliModel = join(dir, 'cli-extended.arrow');
    await run(process.execPath, [CLI, 'apply', '--model', model, '--data', INPUT, '--id', 'subject', '--estimate-new-batches', '--save-model', cliModel, '--out', cli]);
    expectClose(featureValues(applied, features), featureValues(await readCsv(cli), features), 1e-12, `${CASE}: a new batch estimated in the page vs by combat apply`);
    // The extended model knows siteC: applied by the CLI without estimating, it gives the same table.
    const again = join(dir, 'again.csv');
    await run(process.execPath, [CLI, 'apply', '--model', extended, '--data', INPUT, '--id', 'subject', '--out', again]);
    expectClose(featureValues(await readCsv(again), features), featureValues(applied, features), 1e-12, `${CASE}: the page's extended model applied by the CLI`);
    expect(outside(requests, app.url)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a data table that lacks a column of the model next to the data file, in the reader\u2019s words, as soon as both are read', async () => {
    const dir = await temporaryFolder('combat-web-missing');
    const model = join(dir, 'model.arrow');
    await run(process.execPath, [CLI, 'harmonize', '--data', INPUT, '--id', 'subject', '--batch', 'site', '--categorical', 'sex,dx', '--continuous', 'age', '--features', 'f000:f119', '--out', join(dir, 'out.csv'), '--save-model', model]);
    const lines = (await readFile(INPUT, 'utf8')).trim().split('\n').map((line) => line.split(','));
    const drop = (lines[0] as string[]).indexOf('f007');
    const data = join(dir, 'less.csv');
    await writeFile(data, `${lines.map((cells) => cells.filter((_, at) => at !== drop).join(',')).join('\n')}\n`);
    const { page, errors } = await app.open();
    await chooseApply(page, model, data);
    // Checked as soon as the model and the data are read, and again by the run.
    const shown = page.locator('[data-testid="error"][data-field="data-file"]');
    await shown.waitFor({ state: 'visible' });
    const early = await shown.textContent();
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('stopped: the message beside the control it concerns says why');
    expect(await shown.textContent()).toBe(early);
    const cli = await run(process.execPath, [CLI, 'apply', '--model', model, '--data', data, '--id', 'subject', '--out', join(dir, 'never.csv')]).then(
      () => '',
      (error: { stderr: string }) => error.stderr,
    );
    expect(await shown.textContent()).toMatch(/^less\.csv: feature column "f007" not found; columns are subject, site/);
    // The CLI says the same of its path.
    expect(cli).toContain(`feature column "f007" not found; columns are subject, site`);
    await page.screenshot({ path: join(app.screens, 'apply-5-missing-column.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
