import { readFileSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diagnose } from '@combat/diagnostics';
import { parseDelimited } from '@combat/io-arrow';
import { readModel } from '@combat/io-arrow/node';
import { readNifti, writeNifti } from '@combat/io-nifti/node';
import { FEATURE_ROWS } from '@combat/report/internal';
import { COMBAT_CASES, browserAvailable, launchChromium, loadCase, temporaryFolder } from '@combat/test-support';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SEED, VOLUME_FLAGS, caseFlags, featureValues, filesBelow, openReport, readDiagnostics } from './helpers.js';
import { runCli, runCliWith } from './run-cli.js';

/**
 * The diagnostics of real runs: `harmonize --report --diagnostics` on a shared fixture (missing
 * cells, a 3-level categorical) and `harmonize-volumes --report --diagnostics --diagnostic-maps`
 * on the volumes-seed case; `combat report` after the fact gives the same numbers; the reports
 * open in Chromium with every plot drawn, offline, without errors.
 */

const dir = await temporaryFolder('report-runs');
const CASE = 'roi-missing-parametric';
const { spec, matrix, covariates } = loadCase(CASE);
const input = join(COMBAT_CASES, CASE, 'input.csv');
const features = parseDelimited(readFileSync(input, 'utf8'), { source: input }).names.filter((name) => /^f\d{3}$/.test(name));
const table = {
  out: join(dir, 'harmonized.csv'),
  model: join(dir, 'model.arrow'),
  report: join(dir, 'table.html'),
  json: join(dir, 'table.json'),
};
const tableRun = await runCli('harmonize', '--data', input, ...caseFlags(spec, 'f000:f119'), '--out', table.out, '--save-model', table.model, '--report', table.report, '--diagnostics', table.json);
const volumes = {
  out: join(dir, 'volumes'),
  model: join(dir, 'volume-model.arrow'),
  report: join(dir, 'volumes.html'),
  json: join(dir, 'volumes.json'),
  maps: join(dir, 'maps'),
};
const volumeRun = await runCli('harmonize-volumes', ...VOLUME_FLAGS, '--out-dir', volumes.out, '--save-model', volumes.model, '--report', volumes.report, '--diagnostics', volumes.json, '--diagnostic-maps', volumes.maps);

describe('harmonize --report --diagnostics', () => {
  it('writes the diagnostics of the library on the input, the output it wrote and the model it saved', async () => {
    expect(tableRun.stderr).toBe('');
    expect(tableRun.code).toBe(0);
    expect(tableRun.stdout).toContain(`wrote: ${table.out}, ${table.model}, ${table.report}, ${table.json}\n`);
    const harmonized = parseDelimited(await readFile(table.out, 'utf8'), { source: table.out });
    const { model } = await readModel(table.model);
    const expected = diagnose(matrix, { ...matrix, data: featureValues(harmonized, features) }, covariates, model, { names: features });
    const written = await readDiagnostics(table.json);
    expect(written).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(written.features).toBe(120);
    expect(written.verdict.siteEffect.status).toBe('removed');
  });

  it('names the run in the report: the command, the model\u2019s mode, the options with defaults marked, the files', async () => {
    const html = await readFile(table.report, 'utf8');
    expect(html).toContain(`<code>combat harmonize --data ${input} --features f000:f119 --batch site --id subject`);
    expect(html).toContain('<tr><th scope="row">mode</th><td>parametric empirical Bayes, location and scale</td></tr>');
    expect(html).toContain('<tr><th scope="row">--categorical</th><td><code>sex,dx</code></td></tr>');
    expect(html).not.toContain('--no-eb');
    // A default is marked as one (the volume run's, which has options with defaults).
    expect(await readFile(volumes.report, 'utf8')).toContain('<tr><th scope="row">--dtype</th><td><code>float32 (default)</code></td></tr>');
    expect(html).toContain(`<tr><th scope="row">the harmonized table</th><td><code>${table.out}</code></td></tr>`);
  });

  it('combat report after the fact writes the same diagnostics', async () => {
    const json = join(dir, 'table-again.json');
    const result = await runCli('report', '--model', table.model, '--data', input, '--id', 'subject', '--harmonized', table.out, '--diagnostics', json);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(json, 'utf8')).toBe(await readFile(table.json, 'utf8'));
  });

  it('keeps each chunk\u2019s rows in their place when the table is read a row or two at a time', async () => {
    const small = { env: { COMBAT_CHUNK_BYTES: '1500' } };
    const [out, model, json, again] = ['chunked.csv', 'chunked.arrow', 'chunked.json', 'chunked-again.json'].map((name) => join(dir, name)) as [string, string, string, string];
    const run = await runCliWith(small, 'harmonize', '--data', input, ...caseFlags(spec, 'f000:f119'), '--out', out, '--save-model', model, '--diagnostics', json);
    expect(run.code).toBe(0);
    // Read back in chunks too, the written output and saved model give the same diagnostics.
    const result = await runCliWith(small, 'report', '--model', model, '--data', input, '--id', 'subject', '--harmonized', out, '--diagnostics', again);
    expect(result.code).toBe(0);
    expect(await readFile(again, 'utf8')).toBe(await readFile(json, 'utf8'));
  });

  it('combat report refuses a harmonized table that is not the data\u2019s harmonization, and writes nothing', async () => {
    const [header, ...rows] = (await readFile(table.out, 'utf8')).trim().split('\n') as [string, ...string[]];
    const variant = async (name: string, lines: readonly string[]) => {
      const path = join(dir, name);
      await writeFile(path, `${lines.join('\n')}\n`);
      return path;
    };
    const report = join(dir, 'never.html');
    const refusal = async (harmonized: string, message: RegExp) => {
      // No --id: the rows pair by the id column the model was fitted with.
      const result = await runCli('report', '--model', table.model, '--data', input, '--harmonized', harmonized, '--report', report);
      expect(result.code, harmonized).toBe(1);
      expect(result.stderr).toMatch(message);
    };
    // Rows 2 and 5 are both siteA: only the ids tell them apart.
    await refusal(await variant('swapped.csv', [header, rows[0]!, rows[4]!, ...rows.slice(2, 4), rows[1]!, ...rows.slice(5)]), /swapped\.csv: row 2, column "subject": "sub-0004", but "sub-0005" in .*input\.csv; the harmonized table must have the data’s rows in their order/);
    await refusal(await variant('shorter.csv', [header, ...rows.slice(1)]), /shorter\.csv: 59 rows; expected one per row of .*input\.csv \(60\), in its order/);
    const cells = rows.map((row) => row.split(','));
    const noIds = [header.split(',').slice(1).join(','), ...cells.map((row) => row.slice(1).join(','))];
    await refusal(await variant('no-ids.csv', noIds), /no-ids\.csv: no column "subject"; expected the ids of .*input\.csv, row for row, to pair the rows by/);
    const f010 = header.split(',').indexOf('f010');
    const emptied = cells.map((row, i) => (i === 6 ? row.map((cell, k) => (k === f010 ? '' : cell)) : row).join(','));
    await refusal(await variant('emptied.csv', [header, ...emptied]), /emptied\.csv: row 7 \(subject "sub-0056"\), column "f010": missing, but [\d.]+ in .*input\.csv; harmonizing keeps missing cells missing and fills none/);
    expect((await readdir(dir)).filter((name) => name.includes('never'))).toEqual([]);
  });

  it('combat report says what it needs', async () => {
    const cases: [string[], RegExp][] = [
      [['--data', input, '--harmonized', table.out], /nothing to write: give --report FILE\.html, --diagnostics FILE\.json or \(volumes\) --diagnostic-maps DIR/],
      [['--data', input, '--report', join(dir, 'x.html')], /model\.arrow is a table model: give the table before \(--data\) and the harmonized table \(--harmonized\)/],
      [['--data', input, '--harmonized', table.out, '--diagnostic-maps', join(dir, 'm')], /--diagnostic-maps is for volumes, but .*model\.arrow is a table model/],
    ];
    for (const [flags, message] of cases) {
      const result = await runCli('report', '--model', table.model, ...flags);
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const volume = await runCli('report', '--model', volumes.model, '--data', input, '--harmonized', table.out, '--report', join(dir, 'x.html'));
    expect(volume.code).toBe(2);
    expect(volume.stderr).toMatch(/--data is for tables, but .*volume-model\.arrow is a volume model \(give --covariates, --image-column and --harmonized-dir\)/);
  });
});

describe('harmonize-volumes --report --diagnostics --diagnostic-maps', () => {
  it('writes the diagnostics, and each test\u2019s -log10 p map before and after', async () => {
    expect(volumeRun.stderr).toBe('');
    expect(volumeRun.code).toBe(0);
    const written = await readDiagnostics(volumes.json);
    expect(written.samples).toBe(24);
    expect(written.names?.[0]).toMatch(/^voxel \(\d+, \d+, \d+\)$/);
    const mask = await readNifti(join(SEED, 'mask.nii.gz'));
    const inside = [...mask.data.keys()].filter((at) => (mask.data[at] as number) > 0);
    expect(written.features).toBe(inside.length);
    expect(await readdir(volumes.maps)).toEqual(written.tests.flatMap((t) => [`neglog10p_${t.test}_after.nii.gz`, `neglog10p_${t.test}_before.nii.gz`]).sort());
    for (const t of written.tests) {
      for (const phase of ['before', 'after'] as const) {
        const map = await readNifti(join(volumes.maps, `neglog10p_${t.test}_${phase}.nii.gz`));
        expect(map.shape).toEqual(mask.shape);
        const p = t.perFeature[phase].p;
        inside.forEach((at, v) => expect(map.data[at], `${t.test} ${phase} voxel ${at}`).toBe(p[v] === null ? Number.NaN : Math.fround(-Math.log10(p[v] as number))));
        expect(map.data.filter((x: number, at: number) => (mask.data[at] as number) <= 0 && x !== 0)).toHaveLength(0);
      }
    }
  });

  it('combat report after the fact writes the same diagnostics and maps', async () => {
    const again = join(dir, 'again');
    const result = await runCli('report', '--model', volumes.model, '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--harmonized-dir', volumes.out, '--diagnostics', join(dir, 'volumes-again.json'), '--diagnostic-maps', again);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(join(dir, 'volumes-again.json'), 'utf8')).toBe(await readFile(volumes.json, 'utf8'));
    for (const name of await filesBelow(volumes.maps)) expect(await readFile(join(again, name)), name).toEqual(await readFile(join(volumes.maps, name)));
  });

  it('combat report refuses harmonized volumes that are missing, in another space or damaged', async () => {
    const variant = async (name: string, change?: (image: Awaited<ReturnType<typeof readNifti>>) => void) => {
      const folder = join(dir, name);
      await cp(volumes.out, folder, { recursive: true });
      if (change === undefined) {
        await rm(join(folder, 'sub-01.nii.gz'));
      } else {
        const image = await readNifti(join(volumes.out, 'sub-02.nii.gz'));
        change(image);
        await rm(join(folder, 'sub-02.nii.gz'));
        await writeNifti(join(folder, 'sub-02.nii.gz'), image);
      }
      return folder;
    };
    const report = (folder: string, ...flags: string[]) =>
      runCli('report', '--model', volumes.model, '--covariates', join(SEED, 'covars.csv'), '--image-column', 'path', '--harmonized-dir', folder, '--diagnostics', join(dir, 'never.json'), ...flags);
    const missing = await report(await variant('missing'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing\/sub-01\.nii\.gz: no such file; expected the harmonized volume of row 1 \(sub-01\.nii\.gz\) in --harmonized-dir .*missing/);
    const moved = await variant('moved', (image) => (image.affine[3] = (image.affine[3] as number) + 50));
    const elsewhere = await report(moved);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/moved\/sub-02\.nii\.gz.*affine differs from the mask's at row 0, column 3/);
    expect(elsewhere.stderr).toContain('--allow-affine-mismatch');
    expect((await report(moved, '--allow-affine-mismatch')).code).toBe(0);
    await rm(join(dir, 'never.json'));
    const mask = await readNifti(join(SEED, 'mask.nii.gz'));
    const inside = mask.data.findIndex((x: number) => x > 0);
    const damaged = await report(await variant('damaged', (image) => (image.data[inside] = Number.NaN)));
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/damaged\/sub-02\.nii\.gz: voxel \(\d+, \d+, \d+\) is NaN, but a number in its input; harmonizing keeps missing voxels missing and fills none/);
    expect((await readdir(dir)).filter((name) => name.startsWith('never'))).toEqual([]);
  });
});

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

describe('the reports of real runs in Chromium', () => {
  it.skipIf(!browserAvailable)('draw every plot, offline and without errors, with a table that sorts', async () => {
    const browser = await launchChromium();
    try {
      for (const { name, html, json } of [
        { name: 'table', html: table.report, json: table.json },
        { name: 'volumes', html: volumes.report, json: volumes.json },
      ]) {
        const diagnostics = await readDiagnostics(json);
        const { page, url, requests, errors } = await openReport(browser, html, join(dir, `${name}.png`));

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

        // The run's facts: the command as run, its files.
        const facts = await page.locator('#facts').textContent();
        expect(facts).toContain(name === 'table' ? `combat harmonize --data ${input}` : 'combat harmonize-volumes --covariates');
        expect(facts).toContain(html);

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
