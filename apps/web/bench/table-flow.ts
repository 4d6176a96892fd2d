import { launchChromium } from '@combat/test-support';
import { serveApp } from '../test/served-app.js';
import { longestFrameGap, watchFrameGaps } from './frame-gaps.js';

/**
 * The table flow of the built app in headless Chromium, on seeded synthetic tables (4 sites, an
 * age covariate): the time to read a file and offer its columns, the time from "Harmonize" to
 * the downloads (the worker's harmonize, diagnose, report and encoding), and the longest gap
 * between two animation frames of the page meanwhile (how responsive it stays). Prints figures.
 */
const SIZES: readonly (readonly [subjects: number, features: number])[] = [
  [200, 100],
  [1000, 500],
  [300, 5000],
];

function syntheticCsv(subjects: number, features: number): string {
  let seed = 11;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const names = Array.from({ length: features }, (_, v) => `f${v}`);
  const lines = [['subject', 'site', 'age', ...names].join(',')];
  for (let i = 0; i < subjects; i++) {
    const age = 20 + random() * 60;
    lines.push([`s${i}`, `site${i % 4}`, age.toFixed(1), ...names.map((_, v) => (100 + v + (i % 4) * 3 + age * 0.1 + random() * 10).toFixed(4))].join(','));
  }
  return lines.join('\n');
}

const server = await serveApp();
const browser = await launchChromium();
try {
  console.log('subjects x features | CSV MB | read and offer columns (s) | run to downloads (s) | longest frame gap during the run (ms)');
  for (const [subjects, features] of SIZES) {
    const page = await browser.newPage();
    await page.goto(server.url);
    const csv = syntheticCsv(subjects, features);
    const readStart = performance.now();
    await page.getByTestId('data-file').setInputFiles({ name: 'bench.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('batch-column').locator('option[value="site"]').waitFor({ state: 'attached', timeout: 300_000 });
    const read = (performance.now() - readStart) / 1000;
    await page.getByTestId('batch-column').selectOption('site');
    await page.getByTestId('continuous-columns').selectOption(['age']);
    await page.locator('#features-all').click();
    await watchFrameGaps(page);
    const runStart = performance.now();
    await page.getByTestId('run').click();
    await page.getByTestId('download-table').waitFor({ state: 'visible', timeout: 600_000 });
    const run = (performance.now() - runStart) / 1000;
    const longest = await longestFrameGap(page);
    console.log(`${subjects} x ${features} | ${(csv.length / 1e6).toFixed(1)} | ${read.toFixed(2)} | ${run.toFixed(2)} | ${longest.toFixed(0)}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
