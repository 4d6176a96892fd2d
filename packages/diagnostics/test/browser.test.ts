import { fileURLToPath } from 'node:url';
import { browserAvailable, bundleForBrowser, evaluateInChromium, expectClose, loadCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { fitCovariates, testBatches } from '../src/index.js';

describe.skipIf(!browserAvailable)('in a browser (headless Chromium)', () => {
  it('fits the covariates and tests the batches as in Node, with no Node built-in', async () => {
    const fixture = loadCase('roi-missing-parametric');
    const script = await bundleForBrowser(
      `import { codeDesign } from '@combat/core';
       import { fitCovariates, testBatches } from '../src/index.ts';
       globalThis.diagnostics = { codeDesign, fitCovariates, testBatches };`,
      fileURLToPath(new URL('.', import.meta.url)),
    );
    const input = { data: Array.from(fixture.matrix.data, (x) => (Number.isNaN(x) ? null : x)), samples: fixture.matrix.samples, features: fixture.matrix.features, covariates: fixture.covariates };
    const result: { test: string; p: number[]; share: number }[] = await evaluateInChromium(
      script,
      ({ data, samples, features, covariates }) => {
        const { codeDesign, fitCovariates, testBatches } = (globalThis as any).diagnostics;
        const covariatesHere = { ...covariates, continuous: { age: Object.values(covariates.continuous.age) } };
        const matrix = { data: Float64Array.from(data, (x: number | null) => (x === null ? NaN : x)), samples, features };
        const fit = fitCovariates(matrix, codeDesign(covariatesHere), covariatesHere);
        return testBatches(fit.residuals, covariates.batch).map((result: { test: string; p: Float64Array; share: number }) => ({ test: result.test, p: Array.from(result.p), share: result.share }));
      },
      { ...input, covariates: { ...fixture.covariates, continuous: { age: Array.from(fixture.covariates.continuous!.age!) } } },
    );
    const { codeDesign } = await import('@combat/core');
    const fit = fitCovariates(fixture.matrix, codeDesign(fixture.covariates), fixture.covariates);
    const expected = testBatches(fit.residuals, fixture.covariates.batch).map((result) => ({ test: result.test, p: Array.from(result.p), share: result.share }));
    // The same code in another V8: equal to rounding (Math.log and the like may differ in the last bit).
    expect(result.map((r) => [r.test, r.share])).toEqual(expected.map((r) => [r.test, r.share]));
    result.forEach((r, t) => expectClose(r.p, expected[t]!.p, 1e-12, `${r.test} p in the browser`));
  });

  it('diagnoses a harmonization as in Node: priors, predictability, PCA and the verdict', async () => {
    const fixture = loadCase('roi-parametric');
    const script = await bundleForBrowser(
      `import { harmonize } from '@combat/core';
       import { diagnose } from '../src/index.ts';
       globalThis.diagnostics = { harmonize, diagnose };`,
      fileURLToPath(new URL('.', import.meta.url)),
    );
    const input = { data: Array.from(fixture.matrix.data), samples: fixture.matrix.samples, features: fixture.matrix.features, covariates: { ...fixture.covariates, continuous: { age: Array.from(fixture.covariates.continuous!.age!) } } };
    const json: string = await evaluateInChromium(
      script,
      ({ data, samples, features, covariates }) => {
        const { harmonize, diagnose } = (globalThis as any).diagnostics;
        const matrix = { data: Float64Array.from(data), samples, features };
        const { data: after, model } = harmonize(matrix, covariates);
        return JSON.stringify(diagnose(matrix, { ...matrix, data: after }, covariates, model));
      },
      input,
    );
    const inBrowser = JSON.parse(json);
    const { harmonize } = await import('@combat/core');
    const { diagnose } = await import('../src/index.js');
    const { data, model } = harmonize(fixture.matrix, input.covariates);
    const inNode = JSON.parse(JSON.stringify(diagnose(fixture.matrix, { ...fixture.matrix, data }, input.covariates, model)));
    expect(inBrowser.predictability).toEqual(inNode.predictability);
    expect([inBrowser.verdict.siteEffect, inBrowser.verdict.biology.status, inBrowser.verdict.priors.status]).toEqual([inNode.verdict.siteEffect, inNode.verdict.biology.status, inNode.verdict.priors.status]);
    inNode.priors.batches.forEach((batch: { gamma: { ks: { statistic: number; p: number } } }, b: number) => {
      expectClose([inBrowser.priors.batches[b].gamma.ks.statistic, inBrowser.priors.batches[b].gamma.ks.p], [batch.gamma.ks.statistic, batch.gamma.ks.p], 1e-12, 'KS in the browser');
    });
    // Scores may differ in sign (an eigenvector's) and in the last bits; their magnitudes agree.
    inNode.pca.after.scores.forEach((scores: number[], c: number) => expectClose(inBrowser.pca.after.scores[c].map(Math.abs), scores.map(Math.abs), 1e-9, `PCA component ${c}`));
  });
});
