import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { browserAvailable, launchChromium, temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

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
      expect(await page.textContent('body')).toMatch(/after \(r = 0\.9\d\d\)/);
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
