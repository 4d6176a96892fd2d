import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, launchChromium } from '@combat/test-support';
import { unzipSync } from 'fflate';
import { serveApp } from '../test/served-app.js';
import { longestFrameGap, watchFrameGaps } from './frame-gaps.js';

/**
 * The volume flow of the built app in headless Chromium, on `fixtures/volumes-seed` (24 images
 * of 3 sites, 8,624 voxels in the mask) and on copies of it (each image again under a new name,
 * with its row): the time from "Harmonize the volumes" to the zip (the streaming fit and
 * adjustment, the maps, the model, the diagnostics and the report), the time to the first image
 * in the viewer and then to its harmonized volume (read from the zip), the longest gap between
 * two animation frames of the page during the run, and the zip's size and its volumes' and
 * maps' (which the page holds there only). Prints figures.
 */
const SEED = fixturePath('volumes-seed');
const COPIES = [1, 4];

/** The seed's images `copies` times over, with their covariates table, in a new folder of `parent`. */
async function seedCopies(parent: string, copies: number): Promise<{ covariates: string; images: string[] }> {
  const dir = join(parent, `copies-${copies}`);
  await mkdir(dir);
  await mkdir(join(dir, 'images'));
  const [header, ...rows] = (await readFile(join(SEED, 'covars.csv'), 'utf8')).trim().split('\n');
  const lines = [header as string];
  const images: string[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const row of rows) {
      const [subject, site, age, path] = row.split(',') as [string, string, string, string];
      const name = `${subject}-${copy}.nii.gz`;
      await copyFile(join(SEED, path), join(dir, 'images', name));
      images.push(join(dir, 'images', name));
      lines.push([`${subject}-${copy}`, site, age, `images/${name}`].join(','));
    }
  }
  await writeFile(join(dir, 'covars.csv'), `${lines.join('\n')}\n`);
  return { covariates: join(dir, 'covars.csv'), images };
}

const server = await serveApp();
const browser = await launchChromium();
const folder = await mkdtemp(join(tmpdir(), 'combat-web-bench-'));
try {
  console.log('images | run to the zip (s) | first image in the viewer (s) | its harmonized volume, from the zip (s) | longest frame gap during the run (ms) | zip (MB) | its volumes and maps, held there only (MB)');
  for (const copies of COPIES) {
    const { covariates, images } = await seedCopies(folder, copies);
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.getByTestId('task-volumes').check();
    await page.getByTestId('covars-file').setInputFiles(covariates);
    await page.getByTestId('image-column').locator('option[value="path"]').waitFor({ state: 'attached' });
    await page.getByTestId('images-file').setInputFiles(images);
    await page.getByTestId('mask-file').setInputFiles(join(SEED, 'mask.nii.gz'));
    await page.getByTestId('image-column').selectOption('path');
    await page.getByTestId('batch-column').selectOption('site');
    await page.getByTestId('continuous-columns').selectOption(['age']);
    await watchFrameGaps(page);
    const start = performance.now();
    await page.getByTestId('run').click();
    await page.getByTestId('download-zip').waitFor({ state: 'visible', timeout: 600_000 });
    const run = (performance.now() - start) / 1000;
    const longest = await longestFrameGap(page);
    await page.locator('[data-testid="viewer"][data-showing]').waitFor({ state: 'attached', timeout: 60_000 });
    const shown = (performance.now() - start) / 1000 - run;
    const first = await page.getByTestId('viewer').getAttribute('data-showing');
    const afterStart = performance.now();
    await page.getByTestId('view-image').selectOption('after');
    await page.locator(`[data-testid="viewer"][data-showing="harmonized/${first}"]`).waitFor({ state: 'attached', timeout: 60_000 });
    const after = (performance.now() - afterStart) / 1000;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
    const zip = join(folder, `zip-${copies}.zip`);
    await download.saveAs(zip);
    const bytes = new Uint8Array(await readFile(zip));
    const outputs = Object.entries(unzipSync(bytes)).reduce((sum, [name, file]) => sum + (name.startsWith('harmonized/') ? file.length : 0), 0);
    console.log(`${images.length} | ${run.toFixed(2)} | ${shown.toFixed(2)} | ${after.toFixed(2)} | ${longest.toFixed(0)} | ${(bytes.length / 1e6).toFixed(1)} | ${(outputs / 1e6).toFixed(1)}`);
    await page.close();
  }
} finally {
  await rm(folder, { recursive: true, force: true });
  await browser.close();
  await server.close();
}
