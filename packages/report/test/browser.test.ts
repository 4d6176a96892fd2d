import { fileURLToPath } from 'node:url';
import { harmonize } from '@combat/core';
import { diagnose } from '@combat/diagnostics';
import { browserAvailable, bundleForBrowser, evaluateInChromium, loadCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { renderReport, type ReportFacts } from '../src/index.js';

/** A page with its inlined SVG figures taken out (vega measures text with a canvas in a browser, by estimate in Node), and how many there were. */
function withoutFigures(html: string): { text: string; figures: number } {
  const parts = html.split(/<svg[\s\S]*?<\/svg>/);
  return { text: parts.join('<svg/>'), figures: parts.length - 1 };
}

describe.skipIf(!browserAvailable)('in a browser (headless Chromium)', () => {
  it('renders the report of a run as in Node, with no Node built-in', async () => {
    const { matrix, covariates, options } = loadCase('roi-missing-parametric');
    const { data, model } = harmonize(matrix, covariates, options);
    const diagnostics = diagnose(matrix, { ...matrix, data }, covariates, model);
    const facts: ReportFacts = { version: '0.1.0', date: new Date('2026-11-22T10:00:00Z'), command: ['combat', 'report'], mode: 'parametric empirical Bayes, location and scale', options: [], inputs: [], outputs: [] };
    const script = await bundleForBrowser(
      `import { renderReport } from '../src/index.ts';
       globalThis.report = { renderReport };`,
      fileURLToPath(new URL('.', import.meta.url)),
    );
    const html: string = await evaluateInChromium(
      script,
      ({ diagnostics, facts }) => (globalThis as any).report.renderReport(diagnostics, { ...facts, date: new Date(facts.date) }),
      { diagnostics: JSON.parse(JSON.stringify(diagnostics)), facts: { ...facts, date: facts.date.toISOString() } },
    );
    const [here, there] = [withoutFigures(await renderReport(diagnostics, facts)), withoutFigures(html)];
    expect(there.figures).toBe(here.figures);
    expect(here.figures).toBeGreaterThan(10);
    expect(there.text).toBe(here.text);
  });
});
