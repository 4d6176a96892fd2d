import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InMemoryVolumeResource } from '@combat/base';
import { harmonize, type DataMatrix } from '@combat/core';
import { diagnose, type Diagnostics } from '@combat/diagnostics';
import { browserAvailable, launchChromium, loadCase, temporaryFolder } from '@combat/test-support';
import { harmonizeVolumes, maskIndices } from '@combat/volumes';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { generateExample } from '../src/demo/generate.js';
import { FEATURE_ROWS } from '../src/report/feature-table.js';
import { renderReport } from '../src/report/page.js';

/** A table run: by default the shared fixture with missing cells and a 3-level categorical, through core's harmonize. */
function tableRun(name = 'roi-missing-parametric'): Diagnostics {
  const { matrix, covariates, options } = loadCase(name);
  const { data, model } = harmonize(matrix, covariates, options);
  const names = Array.from({ length: matrix.features }, (_, v) => `roi_${v + 1}`);
  return diagnose(matrix, { ...matrix, data }, covariates, model, { names });
}

/** A volume run: the demo's example through harmonizeVolumes, as the masked matrix of its voxels named by their indices. */
async function volumeRun(): Promise<Diagnostics> {
  const { subjects, mask } = generateExample(7);
  const covariates = { batch: subjects.map((s) => s.scanner), continuous: { age: subjects.map((s) => s.age) } };
  const { harmonized, estimates } = await harmonizeVolumes(
    subjects.map((s) => new InMemoryVolumeResource(s.volume)),
    covariates,
    { mask: new InMemoryVolumeResource(mask) },
  );
  const inside = maskIndices(mask);
  const matrix = (volumes: readonly { data: ArrayLike<number> }[]): DataMatrix => {
    const data = new Float64Array(volumes.length * inside.length);
    volumes.forEach((volume, i) => inside.forEach((at, v) => (data[i * inside.length + v] = volume.data[at] as number)));
    return { data, samples: volumes.length, features: inside.length };
  };
  const [nx, ny] = mask.shape;
  const names = Array.from(inside, (at) => `voxel ${at % nx},${Math.floor(at / nx) % ny},${Math.floor(at / (nx * ny))}`);
  return diagnose(matrix(subjects.map((s) => s.volume)), matrix(harmonized), covariates, estimates.model, { names });
}

const facts = {
  version: '0.1.0',
  date: new Date('2026-11-22T01:00:00Z'),
  command: ['combat', 'harmonize', 'data.csv', '--batch', 'site', '--out', 'harmonized.csv', '--report', 'my report.html'],
  options: [
    ['--batch', 'site'],
    ['--eb', 'parametric'],
  ] as const,
  inputs: [['the table', 'data.csv']] as const,
  outputs: [
    ['the harmonized table', 'harmonized.csv'],
    ['the report', 'my report.html'],
  ] as const,
};

/** Every figure: its id, its SVG's size, its data marks, and its axes' descriptions. */
function figures(page: Page) {
  return page.$$eval('figure', (nodes) =>
    nodes.map((figure) => {
      const svg = figure.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const axes = (axis: string) => [...figure.querySelectorAll(`[aria-label^="${axis}-axis"]`)].map((node) => node.getAttribute('aria-label'));
      return {
        id: figure.id,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        // Data marks only (vega's role-mark), not axes or legends.
        marks: figure.querySelectorAll('.role-mark path, .role-mark line').length,
        x: new Set(axes('X')).size,
        y: new Set(axes('Y')).size,
      };
    }),
  );
}

/** The cells of one column of the per-feature table, as the page shows them: each row's sort value. */
function column(page: Page, index: number) {
  return page.$$eval('table.features tbody tr', (rows, k) => rows.map((row) => row.children[k]?.getAttribute('data-value') ?? row.children[k]?.textContent), index);
}

/** Whether a column's values are in order (1 ascending, -1 descending), the missing ones ('') last. */
function sortedBy(values: readonly (string | null | undefined)[], direction: 1 | -1): boolean {
  const present = values.findIndex((v) => v === '');
  const numbers = (present < 0 ? values : values.slice(0, present)).map(Number);
  return (present < 0 || values.slice(present).every((v) => v === '')) && numbers.every((x, i) => i === 0 || direction * (x - (numbers[i - 1] as number)) >= 0);
}

describe('the diagnostics report', async () => {
  const dir = await temporaryFolder('report');
  const runs = [
    { name: 'table', diagnostics: tableRun() },
    { name: 'volumes', diagnostics: await volumeRun() },
  ];

  it('puts the verdict first, and names the run\u2019s facts', async () => {
    for (const { diagnostics } of runs) {
      const html = await renderReport(diagnostics, facts);
      const order = ['id="verdict"', 'id="covariates"', 'id="features"', 'id="worst"', 'id="components"', 'id="priors"', 'id="facts"'].map((id) => html.indexOf(id));
      expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] as number)))).toBe(true);
      expect(html).toContain(`Site effects <strong>${diagnostics.verdict.siteEffect.status}</strong>`);
      expect(html).toContain("<code>combat harmonize data.csv --batch site --out harmonized.csv --report &#39;my report.html&#39;</code>");
      for (const { batch, samples } of diagnostics.batches) expect(html).toContain(`<tr><th scope="row">${batch}</th><td>${samples}</td></tr>`);
    }
  });

  it('says why a model without empirical Bayes has no prior plots', async () => {
    const html = await renderReport(tableRun('roi-noeb'), facts);
    expect(html).toContain('No prior to check: the model uses no empirical Bayes.');
    expect(html).toContain('siteA: gammaHat <span class="muted">(no prior: no empirical Bayes)</span>');
    expect(html).not.toContain('id="gamma-density"');
  });

  it.skipIf(!browserAvailable)('renders every plot in Chromium, offline and without errors, with a table that sorts', async () => {
    const browser = await launchChromium();
    try {
      for (const { name, diagnostics } of runs) {
        const path = join(dir, `${name}.html`);
        await writeFile(path, await renderReport(diagnostics, facts));
        const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
        const requests: string[] = [];
        const errors: string[] = [];
        page.on('request', (request) => requests.push(request.url()));
        page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
        page.on('pageerror', (error) => errors.push(error.message));
        const url = pathToFileURL(path).href;
        await page.goto(url);
        await page.screenshot({ path: `/tmp/report-${name}.png`, fullPage: true });

        const batches = diagnostics.batches.length;
        const drawn = await figures(page);
        const checked = diagnostics.priors.batches.filter((b) => 'ks' in b.gamma).length;
        expect(checked, name).toBeGreaterThan(0);
        expect(drawn.map((f) => f.id)).toEqual([...diagnostics.worst.map((_, w) => `box-${w + 1}`), 'pca', 'gamma-density', 'gamma-qq', 'delta-density', 'delta-qq']);
        expect(diagnostics.worst).toHaveLength(10);
        for (const figure of drawn) {
          expect(figure.width, `${name} ${figure.id}`).toBeGreaterThan(150);
          expect(figure.height, `${name} ${figure.id}`).toBeGreaterThan(100);
        }
        const marks = Object.fromEntries(drawn.map((f) => [f.id, f.marks]));
        // A box plot: per batch and stage a whisker, a box and a median line.
        for (let w = 1; w <= 10; w++) expect(marks[`box-${w}`], `${name} box-${w}`).toBe(2 * batches * 3);
        expect(marks.pca, name).toBe(2 * diagnostics.samples);
        expect(marks['gamma-density'], name).toBe(2 * checked); // per batch the estimates' density and the prior's
        expect(marks['gamma-qq'], name).toBe(diagnostics.priors.batches.reduce((n, b) => n + ('qq' in b.gamma ? b.gamma.qq.sample.length : 0), 0) + checked);
        // Before and after share their axes: one description per axis.
        for (const figure of drawn.filter((f) => f.id.startsWith('box') || f.id === 'pca')) expect([figure.x, figure.y], `${name} ${figure.id}`).toEqual([1, 1]);

        // The verdict table, first, with one row per test, covariate, batch and parameter, and the classifier.
        const verdict = await page.$$eval('section', (sections) => [sections[0]!.id, sections[0]!.querySelectorAll('tbody tr:not(.group)').length]);
        expect(verdict).toEqual(['verdict', diagnostics.tests.length + diagnostics.covariates.terms.length + 2 * batches + 1]);

        // The per-feature table sorts: by Levene's adjusted p before (rows start in ANOVA's order),
        // ascending, then descending, missing values last either way; and by name, as text.
        expect(await page.$$eval('table.features tbody tr', (rows) => rows.length)).toBe(Math.min(diagnostics.features, FEATURE_ROWS));
        const levene = 3 + 2 * diagnostics.tests.findIndex((t) => t.test === 'levene');
        const header = page.locator('table.features thead th').nth(levene);
        expect(await header.textContent()).toBe('Levene (median)before');
        expect(sortedBy(await column(page, levene), 1), name).toBe(false);
        await header.click();
        expect(await header.getAttribute('aria-sort')).toBe('ascending');
        expect(sortedBy(await column(page, levene), 1), name).toBe(true);
        await header.click();
        expect(await header.getAttribute('aria-sort')).toBe('descending');
        expect(sortedBy(await column(page, levene), -1), name).toBe(true);
        await page.locator('table.features thead th').nth(1).click();
        const named = await column(page, 1);
        expect(named).toEqual([...named].sort((a, b) => (a as string).localeCompare(b as string, undefined, { numeric: true })));

        expect(requests, name).toEqual([url]);
        expect(errors, name).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
