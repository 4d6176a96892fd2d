import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readNifti } from '@combat/io-nifti/node';
import { browserAvailable, launchChromium, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/**
 * What the report's slices show, from the demo's files: the middle axial slice of the first subject
 * of each scanner before (inputs/) and after (harmonized/), its voxels outside the mask, and the
 * lowest and highest in-mask value of the six.
 */
async function sliceFacts(dir: string): Promise<{ outside: number; low: number; high: number }> {
  const mask = await readNifti(join(dir, 'inputs', 'mask.nii.gz'));
  const [nx, ny, nz] = mask.shape as [number, number, number];
  const slice = Array.from({ length: nx * ny }, (_, at) => at + nx * ny * Math.floor(nz / 2));
  const inside = slice.filter((at) => mask.data[at] !== 0);
  const rows = readFileSync(join(dir, 'covariates.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  const firsts = rows.filter((row, i) => rows.findIndex((other) => other[1] === row[1]) === i).map((row) => `${row[0]}.nii.gz`);
  const values: number[] = [];
  for (const file of firsts) {
    for (const folder of ['inputs', 'harmonized']) {
      const image = await readNifti(join(dir, folder, file));
      for (const at of inside) values.push(image.data[at] as number);
    }
  }
  return { outside: slice.length - inside.length, low: Math.min(...values), high: Math.max(...values) };
}

describe('combat demo', async () => {
  const dir = await temporaryFolder('demo');
  const result = await runCli('demo', '--out-dir', dir);

  it('harmonizes the example and prints the scanner means and the age correlation', async () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const means = [...result.stdout.matchAll(/(Scanner_[ABC]) +(\d\.\d{4}) -> (\d\.\d{4})/g)].map((m) => ({ before: Number(m[2]), after: Number(m[3]) }));
    expect(means).toHaveLength(3);
    const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
    expect(spread(means.map((m) => m.after))).toBeLessThan(0.05 * spread(means.map((m) => m.before)));
    const [, before, after] = result.stdout.match(/Correlation of age with the mean in-mask value: before (-?\d\.\d{4}), after (\d\.\d{4})/) ?? [];
    expect(Number(after)).toBeGreaterThan(0.9);
    expect(Number(after)).toBeGreaterThan(Number(before));
    expect((await readdir(join(dir, 'harmonized'))).filter((f) => f.endsWith('.nii.gz'))).toHaveLength(24);
  });

  it.skipIf(!browserAvailable)('writes a report that renders every plot offline in Chromium', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(error.message));
      const url = pathToFileURL(join(dir, 'report.html')).href;
      await page.goto(url);
      const figures = await page.$$eval('figure', (nodes) =>
        nodes.map((figure) => {
          const svg = figure.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          // Data marks only (vega's role-mark), not axes or legends.
          return { id: figure.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: svg?.querySelectorAll('.role-mark path').length ?? 0 };
        }),
      );
      expect(figures.map((f) => f.id)).toEqual(['histograms', 'slices', 'age']);
      for (const figure of figures) {
        expect(figure.width, figure.id).toBeGreaterThan(100);
        expect(figure.height, figure.id).toBeGreaterThan(100);
      }
      const marks = Object.fromEntries(figures.map((f) => [f.id, f.marks]));
      expect(marks.histograms).toBe(6); // a line per scanner, before and after
      expect(marks.slices).toBe(6 * 30 * 36); // every voxel of six slices
      expect(marks.age).toBe(2 * 24 + 2); // every subject before and after, and two regression lines
      // The slices, before and after alike: grey outside the mask, coloured on the range of the
      // in-mask values shown, which the legend labels from end to end.
      const slices = await sliceFacts(dir);
      const legend = await page.$$eval('#slices .role-legend-label text', (nodes) => nodes.map((node) => node.textContent));
      expect(legend).toHaveLength(6);
      expect([legend[0], legend.at(-1)]).toEqual([slices.low.toFixed(2), slices.high.toFixed(2)]);
      const fills = await page.$$eval('#slices .role-mark path', (nodes) => nodes.map((node) => node.getAttribute('fill')));
      expect(fills.filter((fill) => fill === '#d9d9d9')).toHaveLength(6 * slices.outside);
      // The two age plots share their y axis: one axis drawn for both.
      const yAxes = await page.$$eval('#age [aria-label^="Y-axis"]', (nodes) => nodes.map((node) => node.getAttribute('aria-label')));
      expect(yAxes).toHaveLength(1);
      expect(yAxes[0]).toMatch(/mean in-mask value/);
      expect(await page.textContent('body')).toMatch(/after \(r = 0\.9\d\d\)/);
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
