import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, launchChromium } from '@combat/test-support';
import { serveApp } from '../test/served-app.js';

/**
 * The volume flow of the built app in headless Chromium, on `fixtures/volumes-seed` (24 images
 * of 3 sites, 8,624 voxels in the mask) and on copies of it (each image again under a new name,
 * with its row): the time from "Harmonize the volumes" to the zip (the streaming fit and
 * adjustment, the maps, the model, the diagnostics and the report), the time to the first image
 * in the viewer, and the longest gap between two animation frames of the page during the run.
 * Prints figures.
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
  console.log('images | run to the zip (s) | first image in the viewer (s) | longest frame gap during the run (ms)');
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
    // As text: tsx would wrap a named function in a helper the page lacks.
    await page.evaluate(`{
      const state = { last: performance.now(), longest: 0, on: true };
      globalThis.frameGaps = state;
      const tick = () => {
        const now = performance.now();
        state.longest = Math.max(state.longest, now - state.last);
        state.last = now;
        if (state.on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }`);
    const start = performance.now();
    await page.getByTestId('run').click();
    await page.getByTestId('download-zip').waitFor({ state: 'visible', timeout: 600_000 });
    const run = (performance.now() - start) / 1000;
    const longest = Number(await page.evaluate('globalThis.frameGaps.on = false, globalThis.frameGaps.longest'));
    await page.waitForFunction('document.getElementById("viewer").dataset.showing !== undefined', undefined, { timeout: 60_000 });
    const shown = (performance.now() - start) / 1000 - run;
    console.log(`${images.length} | ${run.toFixed(2)} | ${shown.toFixed(2)} | ${longest.toFixed(0)}`);
    await page.close();
  }
} finally {
  await rm(folder, { recursive: true, force: true });
  await browser.close();
  await server.close();
}
