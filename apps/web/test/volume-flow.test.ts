import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeModelFile } from '@combat/io-arrow';
import { decodeNifti } from '@combat/io-nifti';
import { browserAvailable, fixturePath, readCsvFixture, temporaryFolder } from '@combat/test-support';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appSession, dropPaths, outside, saveDownload } from './app-page.js';

const SEED = fixturePath('volumes-seed');
const rows = readCsvFixture(join(SEED, 'covars.csv')).rows as { subject: string; site: string; path: string }[];
const subjects = rows.map((row) => row.subject);

/** The volume task with the seed's covariates table and mask chosen, and its columns picked as the CLI tests' flags pick them. */
async function chooseSeed(page: Page, images: () => Promise<void>): Promise<void> {
  await page.getByTestId('task-volumes').check();
  await page.getByTestId('covars-file').setInputFiles(join(SEED, 'covars.csv'));
  await expect.poll(() => page.getByTestId('image-column').locator('option').allTextContents()).toContain('path');
  await images();
  await page.getByTestId('mask-file').setInputFiles(join(SEED, 'mask.nii.gz'));
  await page.getByTestId('image-column').selectOption('path');
  await page.getByTestId('batch-column').selectOption('site');
  await page.getByTestId('continuous-columns').selectOption(['age']);
}

/** The zip's volumes, each equal to the expected one by the parity rule of the CLI's volume tests: every voxel within 1e-9 x max(1, |expected|). */
async function expectSeedVolumes(zip: Record<string, Uint8Array>): Promise<void> {
  for (const subject of subjects) {
    const written = decodeNifti(zip[`harmonized/${subject}.nii.gz`] as Uint8Array, { source: subject });
    const expected = decodeNifti(new Uint8Array(await readFile(join(SEED, 'expected', `${subject}.nii.gz`))), { source: subject });
    expect(written.header.datatype).toBe('float64');
    expect(written.shape).toEqual(expected.shape);
    let worst = 0;
    expected.data.forEach((e: number, at: number) => (worst = Math.max(worst, Math.abs((written.data[at] as number) - e) / Math.max(1, Math.abs(e)))));
    expect(worst, subject).toBeLessThanOrEqual(1e-9);
  }
}

/** How many distinct colours a screenshot of an element has (decoded by the page itself). */
async function colours(page: Page, testId: string): Promise<number> {
  const png = (await page.getByTestId(testId).screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    const seen = new Set<number>();
    for (let at = 0; at < pixels.length; at += 4) seen.add(((pixels[at] as number) << 16) | ((pixels[at + 1] as number) << 8) | (pixels[at + 2] as number));
    return seen.size;
  }, png);
}

describe.skipIf(!browserAvailable)('the web app harmonizes volumes (built, served on 127.0.0.1, in headless Chromium)', () => {
  const app = appSession();

  it('harmonizes volumes-seed from a folder: the zipped volumes as the expected ones (1e-9), the model, the report, the maps; the viewer draws', async () => {
    const { page, requests, errors } = await app.open();
    await chooseSeed(page, () => page.getByTestId('images-folder').setInputFiles(join(SEED, 'images')));
    expect(await page.locator('#images-file-info').textContent()).toBe('24 NIfTI files chosen from the folder');
    await page.getByTestId('dtype-float64').check();
    await page.screenshot({ path: join(app.screens, 'volumes-1-chosen.png'), fullPage: true });
    await page.getByTestId('run').click();
    await page.getByTestId('download-zip').waitFor({ state: 'visible', timeout: 120_000 });
    expect(await page.getByTestId('summary').textContent()).toMatch(/^harmonized 24 volumes \(\d+ voxels in the mask\) in 3 batches$/);

    const dir = await temporaryFolder('combat-web-volumes');
    const zip = unzipSync(new Uint8Array(await readFile(await saveDownload(page, 'download-zip', dir))));
    const maps = ['deltaStar_Scanner_A', 'deltaStar_Scanner_B', 'deltaStar_Scanner_C', 'gammaStar_Scanner_A', 'gammaStar_Scanner_B', 'gammaStar_Scanner_C'].map((name) => `harmonized/${name}.nii.gz`);
    expect(Object.keys(zip).sort()).toEqual(['diagnostics.json', ...subjects.map((subject) => `harmonized/${subject}.nii.gz`), ...maps, 'model.arrow', 'report.html'].sort());
    await expectSeedVolumes(zip);
    expect(new TextDecoder().decode(zip['report.html'])).toContain('Did harmonization work?');
    const diagnostics = JSON.parse(new TextDecoder().decode(zip['diagnostics.json'])) as { tests: unknown[] };
    expect(diagnostics.tests.length).toBeGreaterThan(0);
    // (Buffer.equals: a deep toEqual of megabytes takes a minute.)
    expect((await readFile(await saveDownload(page, 'download-diagnostics', dir))).equals(zip['diagnostics.json'] as Uint8Array)).toBe(true);

    // The viewer: the first subject before, after, and a site-effect map, each drawn.
    const canvas = page.getByTestId('viewer');
    await canvas.scrollIntoViewIfNeeded();
    await expect.poll(() => canvas.getAttribute('data-showing'), { timeout: 30_000 }).toBe('sub-01.nii.gz');
    await page.waitForTimeout(300);
    expect(await colours(page, 'viewer')).toBeGreaterThan(20);
    await page.screenshot({ path: join(app.screens, 'volumes-2-viewer-before.png') });
    const before = await canvas.screenshot();
    await page.getByTestId('view-image').selectOption('after');
    await expect.poll(() => canvas.getAttribute('data-showing')).toBe('harmonized/sub-01.nii.gz');
    await page.waitForTimeout(300);
    expect(await colours(page, 'viewer')).toBeGreaterThan(20);
    expect((await canvas.screenshot()).equals(before)).toBe(false);
    await page.screenshot({ path: join(app.screens, 'volumes-3-viewer-after.png') });
    await page.getByTestId('view-image').selectOption('harmonized/gammaStar_Scanner_B.nii.gz');
    await expect.poll(() => canvas.getAttribute('data-showing')).toBe('harmonized/gammaStar_Scanner_B.nii.gz');
    await page.waitForTimeout(300);
    expect(await colours(page, 'viewer')).toBeGreaterThan(5);
    await page.screenshot({ path: join(app.screens, 'volumes-4-viewer-map.png') });
    await page.getByTestId('report').scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(app.screens, 'volumes-5-report.png') });
    expect(outside(requests, app.url)).toEqual([]);
    expect(errors).toEqual([]);
    const model = decodeModelFile(zip['model.arrow'] as Uint8Array, { source: 'model.arrow' });
    expect([...model.model.batches.keys()]).toEqual(['Scanner_A', 'Scanner_B', 'Scanner_C']);
    expect(model.mask?.shape).toEqual(decodeNifti(new Uint8Array(await readFile(join(SEED, 'mask.nii.gz')))).shape);
  });

  it('takes a folder dropped on the images\u2019 area, read to any depth: the volumes as the expected ones (1e-9)', async () => {
    // The seed's images in a folder per site, and beside them a folder of 130 notes: more than
    // the 100 entries Chromium's folder reader gives at a time, and no NIfTI among them.
    const scans = join(await temporaryFolder('combat-web-drop'), 'scans');
    for (const row of rows) {
      await mkdir(join(scans, row.site), { recursive: true });
      await copyFile(join(SEED, row.path), join(scans, row.site, basename(row.path)));
    }
    await mkdir(join(scans, 'notes', 'more'), { recursive: true });
    for (let note = 0; note < 130; note++) await writeFile(join(scans, 'notes', note < 120 ? '' : 'more', `note-${note}.txt`), `note ${note}\n`);
    const { page, requests, errors } = await app.open();
    await chooseSeed(page, () => dropPaths(page, '#images-drop', [scans]));
    await expect.poll(() => page.locator('#images-file-info').textContent()).toBe('24 NIfTI files chosen from the dropped folder (130 other files left out)');
    await page.getByTestId('dtype-float64').check();
    await page.screenshot({ path: join(app.screens, 'volumes-6-dropped.png'), fullPage: true });
    await page.getByTestId('run').click();
    await page.getByTestId('download-zip').waitFor({ state: 'visible', timeout: 120_000 });
    const zip = unzipSync(new Uint8Array(await readFile(await saveDownload(page, 'download-zip', await temporaryFolder('combat-web-drop-out')))));
    await expectSeedVolumes(zip);
    expect(outside(requests, app.url)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('names the row whose image was not chosen, next to the images', async () => {
    const names = (await readdir(join(SEED, 'images'))).sort();
    const { page, requests, errors } = await app.open();
    await chooseSeed(page, () => page.getByTestId('images-file').setInputFiles(names.filter((name) => name !== 'sub-07.nii.gz').map((name) => join(SEED, 'images', name))));
    await page.getByTestId('run').click();
    const shown = page.locator('[data-testid="error"][data-field="images-file"]');
    await shown.waitFor({ state: 'visible' });
    expect(await shown.textContent()).toBe('covars.csv: row 7 (path "images/sub-07.nii.gz"): no image named "sub-07.nii.gz" among the 23 files chosen; choose it too (or the folder that holds it)');
    expect(await page.locator('[data-testid="error"]:visible').count()).toBe(1);
    await page.screenshot({ path: join(app.screens, 'volumes-7-unmatched.png'), fullPage: true });
    expect(outside(requests, app.url)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
