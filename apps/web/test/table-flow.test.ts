import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeArrowTable, encodeArrowTable, parseDelimited } from '@combat/io-arrow';
import { browserAvailable, COMBAT_CASES, expectClose, loadCase, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { appSession, harmonizeTable, outside, saveDownload } from './app-page.js';
import { featureValues } from './feature-values.js';
import { expectSameJson } from './same-json.js';

const CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const CASE = 'roi-parametric';
const INPUT = join(COMBAT_CASES, CASE, 'input.csv');

/** The message a library reader gives for bytes, to compare with what the page shows. */
function readerMessage(text: string, source: string): string {
  try {
    parseDelimited(text, { source });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${source} was read without an error`);
}

describe.skipIf(!browserAvailable)('the web app, built and served on 127.0.0.1, in headless Chromium', () => {
  const app = appSession();

  it('harmonizes roi-parametric as sva does (1e-9), the downloaded model applied by the CLI gives the same table, the diagnostics are the CLI\u2019s', async () => {
    const { spec, expected } = loadCase(CASE);
    const input = parseDelimited(await readFile(INPUT, 'utf8'), { source: INPUT });
    const features = input.names.slice(input.names.indexOf(spec.features.from), input.names.indexOf(spec.features.to) + 1);
    const { page, requests, errors } = await app.open();
    await page.screenshot({ path: join(app.screens, '1-empty.png'), fullPage: true });

    await page.getByTestId('data-file').setInputFiles(INPUT);
    await expect.poll(() => page.getByTestId('batch-column').locator('option').allTextContents()).toContain(spec.batch);
    await page.screenshot({ path: join(app.screens, '2-data-read.png'), fullPage: true });

    // Nothing is chosen for the user; the features offered are the numeric columns besides the roles.
    expect(await page.getByTestId('features').evaluate((select: HTMLSelectElement) => select.selectedOptions.length)).toBe(0);
    await page.getByTestId('id-column').selectOption('subject');
    await page.getByTestId('batch-column').selectOption(spec.batch);
    await page.getByTestId('categorical-columns').selectOption(spec.categorical);
    await page.getByTestId('continuous-columns').selectOption(spec.continuous);
    expect(await page.getByTestId('features').locator('option').allTextContents()).toEqual(features);
    await page.getByTestId('features').selectOption(features);
    await page.getByTestId(spec.parametric ? 'mode-parametric' : 'mode-non-parametric').check();
    await page.screenshot({ path: join(app.screens, '3-columns-chosen.png'), fullPage: true });

    await page.getByTestId('run').click();
    await page.getByTestId('download-table').waitFor({ state: 'visible' });
    expect(await page.getByTestId('progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);
    const frame = page.frameLocator('[data-testid="report"]');
    await expect.poll(() => frame.locator('h1, h2').allTextContents()).toContain('Did harmonization work?');
    await page.screenshot({ path: join(app.screens, '4-harmonized.png'), fullPage: true });
    // The report's sandboxed frame paints in the viewport (a full-page or element screenshot leaves it blank).
    await page.getByTestId('report').scrollIntoViewIfNeeded();
    await page.frames()[1]?.evaluate(() => new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted))));
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(app.screens, '5-report.png') });
    // The plots were drawn in the worker (vega to SVG, no canvas) and are inlined in the page.
    expect(await frame.locator('svg').count()).toBeGreaterThan(10);
    await frame.locator('svg').nth(1).scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(app.screens, '5-report-figures.png') });

    const dir = await temporaryFolder('combat-web');
    const tablePath = await saveDownload(page, 'download-table', dir);
    const modelPath = await saveDownload(page, 'download-model', dir);
    expect(tablePath.endsWith('input-harmonized.csv')).toBe(true);

    const written = parseDelimited(await readFile(tablePath, 'utf8'), { source: tablePath });
    expect(written.names).toEqual(input.names);
    for (const name of input.names.filter((column) => !features.includes(column))) expect(written.columns.get(name)?.cells).toEqual(input.columns.get(name)?.cells);
    expectClose(featureValues(written, features), expected, 1e-9, CASE);

    // The diagnostics JSON: what combat harmonize --diagnostics writes of the same run (numbers within 1e-9).
    const diagnosticsPath = await saveDownload(page, 'download-diagnostics', dir);
    expect(diagnosticsPath.endsWith('diagnostics.json')).toBe(true);
    const cliDiagnostics = join(dir, 'cli-diagnostics.json');
    await promisify(execFile)(process.execPath, [CLI, 'harmonize', '--data', INPUT, '--id', 'subject', '--batch', spec.batch, '--categorical', spec.categorical.join(','), '--continuous', spec.continuous.join(','), '--features', features.join(','), '--out', join(dir, 'cli.csv'), '--diagnostics', cliDiagnostics]);
    expectSameJson(JSON.parse(await readFile(diagnosticsPath, 'utf8')), JSON.parse(await readFile(cliDiagnostics, 'utf8')), 'diagnostics');

    const applied = join(dir, 'applied.csv');
    await promisify(execFile)(process.execPath, [CLI, 'apply', '--model', modelPath, '--data', INPUT, '--out', applied]);
    expectClose(featureValues(parseDelimited(await readFile(applied, 'utf8'), { source: applied }), features), featureValues(written, features), 1e-12, `${CASE} apply`);

    expect(outside(requests, app.url)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a ragged CSV\u2019s error next to the data file, in the reader\u2019s words', async () => {
    const text = 'subject,site,f1\ns1,A,1\ns2,B\n';
    const { page, requests, errors } = await app.open();
    await page.getByTestId('data-file').setInputFiles({ name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    const shown = page.locator('[data-testid="error"][data-field="data-file"]');
    await shown.waitFor({ state: 'visible' });
    expect(await shown.textContent()).toBe(readerMessage(text, 'ragged.csv'));
    expect(await page.locator('[data-testid="error"]:visible').count()).toBe(1);
    await page.screenshot({ path: join(app.screens, '6-ragged.png'), fullPage: true });
    expect(outside(requests, app.url)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('never runs without a covariates table that was chosen but refused', async () => {
    const { page, requests, errors } = await app.open();
    await page.getByTestId('data-file').setInputFiles(INPUT);
    await expect.poll(() => page.getByTestId('batch-column').locator('option').count()).toBeGreaterThan(1);
    await page.getByTestId('covars-file').setInputFiles({ name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from('subject,site\ns1,A,extra\n') });
    const refused = page.locator('[data-testid="error"][data-field="covars-file"]');
    await refused.waitFor({ state: 'visible' });
    await page.getByTestId('batch-column').selectOption('site');
    await page.getByTestId('features').selectOption(['f000', 'f001']);
    await page.getByTestId('run').click();
    await expect.poll(() => refused.textContent()).toBe('ragged.csv: not read yet, or refused (see its message); wait for its columns, choose another file, or remove it');
    expect(await page.getByTestId('progress').evaluate((bar) => (bar as HTMLProgressElement).value)).toBe(0);
    expect(await page.locator('#results').isHidden()).toBe(true);
    expect(outside(requests, app.url)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a covariates table that misses a subject next to its control, and does not offer a column with a text cell', async () => {
    const input = await readFile(INPUT, 'utf8');
    const lines = input.trim().split('\n');
    const header = (lines[0] as string).split(',');
    const [id, site] = [header.indexOf('subject'), header.indexOf('site')];
    // The data: the fixture with one cell of f001 spoiled; the covariates: its subject and site, less its third subject.
    const data = lines.map((line, row) => (row === 4 ? line.split(',').map((cell, at) => (header[at] === 'f001' ? 'n/a?' : cell)).join(',') : line)).join('\n');
    const covariates = lines.filter((_, row) => row !== 3).map((line) => line.split(',')).map((cells) => `${cells[id]},${cells[site]}`).join('\n');
    const missing = (lines[3] as string).split(',')[id] as string;
    const { page, errors } = await app.open();
    await page.getByTestId('data-file').setInputFiles({ name: 'data.csv', mimeType: 'text/csv', buffer: Buffer.from(data) });
    await page.getByTestId('covars-file').setInputFiles({ name: 'covariates.csv', mimeType: 'text/csv', buffer: Buffer.from(covariates) });
    await expect.poll(() => page.getByTestId('batch-column').locator('option').allTextContents()).toEqual(['(choose)', 'subject', 'site']);
    await page.getByTestId('id-column').selectOption('subject');
    await page.getByTestId('batch-column').selectOption('site');
    const offered = await page.getByTestId('features').locator('option').allTextContents();
    expect(offered).not.toContain('f001');
    expect(offered).toContain('f000');
    expect(await page.locator('#features-notes').textContent()).toContain('Not offered: "f001" is numeric except at row 4, "n/a?"');
    await page.getByTestId('features').selectOption(offered);
    await page.getByTestId('run').click();
    const shown = page.locator('[data-testid="error"][data-field="covars-file"]');
    await shown.waitFor({ state: 'visible' });
    expect(await shown.textContent()).toBe(`data.csv: 1 id with no row in covariates.csv: ${JSON.stringify(missing)} (row 3)`);
    await page.screenshot({ path: join(app.screens, '7-unpaired.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('writes the table in the input\u2019s format: Arrow in, Arrow out, at the parity rule', async () => {
    const { spec, expected } = loadCase(CASE);
    const input = parseDelimited(await readFile(INPUT, 'utf8'), { source: INPUT });
    const features = input.names.slice(input.names.indexOf(spec.features.from), input.names.indexOf(spec.features.to) + 1);
    const { page, errors } = await app.open();
    await page.getByTestId('data-file').setInputFiles({ name: 'roi.arrow', mimeType: 'application/vnd.apache.arrow.file', buffer: Buffer.from(encodeArrowTable(input, new Map())) });
    await harmonizeTable(page, { ...spec, features });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-table').click()]);
    expect(download.suggestedFilename()).toBe('roi-harmonized.arrow');
    const path = join(await temporaryFolder('combat-web'), download.suggestedFilename());
    await download.saveAs(path);
    const written = decodeArrowTable(new Uint8Array(await readFile(path)), { source: path });
    expect(written.names).toEqual(input.names);
    expectClose(featureValues(written, features), expected, 1e-9, `${CASE} (Arrow)`);
    expect(errors).toEqual([]);
  });
  it('cancels a run: the worker stops, the page stays usable and shows no result', async () => {
    // A table large enough that the run is still going when cancelled: 3,000 subjects x 300 features, seeded.
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const features = Array.from({ length: 300 }, (_, v) => `f${v}`);
    const lines = [['subject', 'site', ...features].join(',')];
    for (let i = 0; i < 3000; i++) lines.push([`s${i}`, `site${i % 4}`, ...features.map((_, v) => (100 + v + (i % 4) * 3 + random() * 10).toFixed(4))].join(','));
    const { page, errors } = await app.open();
    await page.getByTestId('data-file').setInputFiles({ name: 'large.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await expect.poll(() => page.getByTestId('batch-column').locator('option').allTextContents(), { timeout: 30_000 }).toContain('site');
    await page.getByTestId('batch-column').selectOption('site');
    await page.keyboard.press('Tab');
    await page.getByRole('button', { name: 'Choose every offered column' }).press('Enter');
    expect(await page.locator('#features-count').textContent()).toBe('300 of 300 chosen');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/reading|harmonizing|diagnosing|drawing/);
    await page.getByTestId('cancel').click();
    expect(await page.getByTestId('status').textContent()).toBe('cancelled');
    expect(await page.getByTestId('progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(0);
    expect(await page.getByTestId('run').isEnabled()).toBe(true);
    await page.screenshot({ path: join(app.screens, '8-cancelled.png'), fullPage: true });
    // A terminated worker sends nothing more: a while later there is still no result.
    await page.waitForTimeout(1500);
    expect(await page.locator('#results').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });
});
