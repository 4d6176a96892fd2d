import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { harmonizeCovbat } from '@combat/core';
import { diagnose } from '@combat/diagnostics';
import { parseDelimited } from '@combat/io-arrow';
import { readModel } from '@combat/io-arrow/node';
import { COVBAT_CASES, browserAvailable, expectClose, launchChromium, loadCovbatCase, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { featureValues, openReport, readDiagnostics } from './helpers.js';
import { runCli, runCliWith } from './run-cli.js';

/**
 * `combat harmonize --covbat --report --diagnostics`: the diagnostics of CovBat's three states
 * (the input, the ComBat step's output, CovBat's output), as the library gives them, the same
 * from `combat report` after the fact, and the report's CovBat section drawn in Chromium.
 */
const dir = await temporaryFolder('covbat-report');
const CASE = 'covbat-parametric';
const fixture = loadCovbatCase(CASE);
const { spec, matrix, covariates, features } = fixture;
const input = join(COVBAT_CASES, CASE, 'input.csv');
const paths = { out: join(dir, 'harmonized.csv'), model: join(dir, 'model.arrow'), report: join(dir, 'report.html'), json: join(dir, 'diagnostics.json') };
const flags = ['--features', `${spec.features.from}:${spec.features.to}`, '--batch', spec.batch, '--id', spec.id, '--categorical', spec.categorical.join(','), '--continuous', spec.continuous.join(','), '--covbat'];
const run = await runCli('harmonize', '--data', input, ...flags, '--out', paths.out, '--save-model', paths.model, '--report', paths.report, '--diagnostics', paths.json);

describe('combat harmonize --covbat --report --diagnostics', () => {
  it('writes diagnose of the input, the ComBat step and CovBat\u2019s output', async () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const harmonized = parseDelimited(await readFile(paths.out, 'utf8'), { source: paths.out });
    const { model } = await readModel(paths.model);
    expect(model.covbat?.components).toBe(spec.covbat.npcChosen);
    // The ComBat step as core computes it (the CLI keeps its own in memory between the passes).
    const { combat } = harmonizeCovbat(matrix, covariates, { variance: spec.covbat.percentVar });
    const expected = diagnose(matrix, { ...matrix, data: featureValues(harmonized, features) }, covariates, model, { names: features, combat: { ...matrix, data: combat } });
    const written = await readDiagnostics(paths.json);
    expect(written).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(Object.keys(written.covariance)).toEqual(['before', 'combat', 'after']);
    expect(Object.keys(written.predictability)).toEqual(['before', 'combat', 'after']);
    const html = await readFile(paths.report, 'utf8');
    expect(html).toContain(`<tr><th scope="row">mode</th><td>parametric empirical Bayes, location and scale; then CovBat, ${spec.covbat.npcChosen} principal components of the residuals harmonized (${(100 * model.covbat!.variance).toFixed(1)}% of their variance)</td></tr>`);
  });

  it('combat report after the fact writes the same diagnostics, its ComBat step rebuilt from the model, on 1 or 2 threads', async () => {
    for (const threads of ['1', '2']) {
      const json = join(dir, `again-${threads}.json`);
      const result = await runCli('report', '--model', paths.model, '--data', input, '--id', spec.id, '--harmonized', paths.out, '--diagnostics', json, '--threads', threads);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(await readFile(json, 'utf8')).toBe(await readFile(paths.json, 'utf8'));
    }
  });

  it('writes the same diagnostics, to the last bits, when the table is read a row or two at a time', async () => {
    const json = join(dir, 'chunked.json');
    const chunked = await runCliWith({ env: { COMBAT_CHUNK_BYTES: '1000' } }, 'harmonize', '--data', input, ...flags, '--out', join(dir, 'chunked.csv'), '--diagnostics', json);
    expect(chunked.code, chunked.stderr).toBe(0);
    // The fit's sums merge chunk by chunk, so the values agree to the last bits only (as the
    // harmonized tables do): the same JSON but for numbers, and those by the parity rule. But for
    // Fligner-Killeen, which ranks |y - median| within a batch: whether the two middle values of an
    // even batch tie depends on their last bits (the diagnostics README's caveat).
    const numbers: number[][] = [[], []];
    const shapes = [await readDiagnostics(json), await readDiagnostics(paths.json)].map((diagnostics, d) =>
      JSON.stringify({ ...diagnostics, tests: diagnostics.tests.filter((t) => t.test !== 'fligner-killeen') }, (_, value: unknown) => (typeof value === 'number' ? (numbers[d]!.push(value), 0) : value)),
    );
    expect(shapes[0]).toBe(shapes[1]);
    expectClose(numbers[0]!, numbers[1]!, 1e-9, 'chunked');
  });

  it.skipIf(!browserAvailable)('draws the CovBat section in Chromium: three states, one heat map each, offline and without errors', async () => {
    const diagnostics = await readDiagnostics(paths.json);
    const browser = await launchChromium();
    try {
      const { page, url, requests, errors } = await openReport(browser, paths.report, join(dir, 'report.png'));
      const ids = await page.$$eval('figure', (nodes) => nodes.map((node) => node.id));
      expect(ids.slice(ids.indexOf('pca'), ids.indexOf('pca') + 3)).toEqual(['pca', 'covariance', 'gamma-density']);
      const drawn = await page.$eval('#covariance', (figure) => {
        const box = figure.querySelector('svg')!.getBoundingClientRect();
        const axes = (axis: string) => new Set([...figure.querySelectorAll(`[aria-label^="${axis}-axis"]`)].map((node) => node.getAttribute('aria-label'))).size;
        return { width: box.width, height: box.height, marks: figure.querySelectorAll('.role-mark path').length, x: axes('X'), y: axes('Y'), caption: figure.querySelector('figcaption')!.textContent };
      });
      // One rect per finite entry of the drawn batch's difference matrix, in each of the three states.
      const scaled = diagnostics.covariance.combat!.batches.map((b) => b.scaled as number);
      const k = scaled.indexOf(Math.max(...scaled));
      const entries = (['before', 'combat', 'after'] as const).reduce((n, state) => n + diagnostics.covariance[state]!.batches[k]!.difference.flat().filter((d) => d !== null).length, 0);
      expect(entries).toBe(3 * features.length ** 2);
      expect(drawn.marks).toBe(entries);
      expect(drawn.width).toBeGreaterThan(700);
      expect(drawn.height).toBeGreaterThan(200);
      // The three panels share their axes.
      expect([drawn.x, drawn.y]).toEqual([1, 1]);
      expect(drawn.caption).toContain(`Batch ${diagnostics.batches[k]!.batch}, the one whose correlations differ most`);
      // The table: one row per state, the predictability and each batch's scaled difference.
      const rows = await page.$$eval('#covbat table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
      expect(rows.map((row) => row[0])).toEqual(['before ComBat', 'after ComBat', 'after CovBat']);
      expect(rows.every((row) => row.length === 2 + diagnostics.batches.length)).toBe(true);
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await browser.close();
    }
  });
});
