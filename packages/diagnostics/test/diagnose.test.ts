import { readFileSync } from 'node:fs';
import { harmonize, harmonizeCovbat, InvalidArgumentError, ShapeMismatchError, type DataMatrix } from '@combat/core';
import { loadCovbatCase, syntheticData, thrownBy } from '@combat/test-support';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { batchPredictability, covarianceDifference, diagnose, fitCovariates, priorFit, testBatches, type Diagnostics } from '../src/index.js';
import { fiveNumbers } from '../src/sample-summaries.js';

const schema = JSON.parse(readFileSync(new URL('../schema/diagnostics.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** The output, validated against the schema, and a check that it survives JSON unchanged. */
function checked(result: Diagnostics): Diagnostics {
  const valid = validate(result);
  expect(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toBe(true);
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  return result;
}

// Three sites, 60 features, 2% missing cells; feature 5 constant in siteB (the model leaves it
// unadjusted), feature 7 missing in every male sample (the covariate model cannot fit it).
const study = syntheticData({ seed: 3, batchSizes: [25, 35, 30], features: 60, missing: 0.02 });
const V = study.matrix.features;
const data = study.matrix.data.slice();
study.covariates.batch.forEach((label, i) => {
  if (label === 'siteB') data[i * V + 5] = 4;
  if (study.covariates.categorical.sex[i] === 'M') data[i * V + 7] = NaN;
});
const before: DataMatrix = { ...study.matrix, data };
const { data: adjusted, model } = harmonize(before, study.covariates);
const after: DataMatrix = { ...before, data: adjusted };
const names = Array.from({ length: V }, (_, v) => `roi${v}`);

describe('diagnose', () => {
  const result = checked(diagnose(before, after, study.covariates, model, { names }));

  it('gathers what the single functions give', () => {
    const fits = [before, after].map((matrix) => fitCovariates(matrix, model.coding, study.covariates));
    const tests = fits.map((fit) => testBatches(fit.residuals, study.covariates.batch));
    result.tests.forEach((summary, t) => {
      expect(summary.before.share).toBe(tests[0]![t]!.share);
      expect(summary.after.share).toBe(tests[1]![t]!.share);
      expect(summary.perFeature.after.p).toEqual(Array.from(tests[1]![t]!.p, (p) => (Number.isNaN(p) ? null : p)));
      expect(summary.before.untested).toEqual(tests[0]![t]!.untested);
    });
    expect(result.covariates.unfitted.before).toEqual([{ feature: 7, cause: 'confounded', columns: ['sex:M'] }]);
    // Core leaves both unadjusted: 5 constant in siteB, 7 not solvable on its finite values.
    expect(result.unadjusted).toEqual([5, 7]);
    expect(result.predictability.before).toEqual(batchPredictability(before, study.covariates.batch));
    expect(result.predictability.after).toEqual(batchPredictability(after, study.covariates.batch));
    expect(result.priors.batches.map((b) => b.batch)).toEqual(priorFit(model).batches.map((b) => b.batch));
    expect(result.batches).toEqual([{ batch: 'siteA', samples: 25 }, { batch: 'siteB', samples: 35 }, { batch: 'siteC', samples: 30 }]);
    expect(result.pca.before.scores.map((scores) => scores.length)).toEqual([90, 90]);
  });

  it('gives a verdict: the site effect removed, the batch no longer predictable, the biology kept', () => {
    const { verdict } = result;
    expect(verdict.siteEffect.status).toBe('removed');
    expect(verdict.siteEffect.tests.find((t) => t.test === 'anova')!.before).toBeGreaterThan(0.8);
    expect(verdict.predictability).toMatchObject({ status: 'at-chance', before: 1 });
    expect(verdict.biology.status).toBe('kept');
    expect(verdict.biology.terms.map((t) => t.name)).toEqual(['sex', 'age']);
    expect(['fit', 'poor']).toContain(verdict.priors.status);
    expect(verdict.priors.batches.every((b) => b.gamma !== null && b.delta !== null)).toBe(true);
  });

  it('draws the worst features: smallest p before, Tukey\'s five numbers per batch', () => {
    expect(result.worst).toHaveLength(10);
    const p = result.worst.map((w) => w.p.before!);
    expect(p).toEqual([...p].sort((a, b) => a - b));
    const anova = result.tests[0]!.perFeature.before.p;
    const smallest = Math.min(...anova.filter((x): x is number => x !== null));
    expect(p[0]).toBe(smallest);
    const first = result.worst[0]!;
    expect(first.name).toBe(names[first.feature]);
    const fit = fitCovariates(before, model.coding, study.covariates);
    const siteA = study.covariates.batch.flatMap((label, i) => (label === 'siteA' ? [fit.residuals.data[i * V + first.feature]!] : [])).filter((x) => !Number.isNaN(x));
    const box = first.boxes.find((b) => b.batch === 'siteA')!;
    expect(box.count).toBe(siteA.length);
    expect(box.before[0]).toBe(Math.min(...siteA));
    expect(box.before[4]).toBe(Math.max(...siteA));
  });

  it('fivenum as R: the hinges are medians of the halves', () => {
    // R: fivenum(1:6) is 1 2 3.5 5 6; fivenum(c(1, 2, 4, 8, 16)) is 1 2 4 8 16; fivenum(1:4) is 1 1.5 2.5 3.5 4.
    expect(fiveNumbers([1, 2, 3, 4, 5, 6])).toEqual([1, 2, 3.5, 5, 6]);
    expect(fiveNumbers([1, 2, 4, 8, 16])).toEqual([1, 2, 4, 8, 16]);
    expect(fiveNumbers([1, 2, 3, 4])).toEqual([1, 1.5, 2.5, 3.5, 4]);
  });

  it('validates for models without a prior to check, and says so', () => {
    for (const options of [{ parametric: false }, { eb: false }, { meanOnly: true }, { refBatch: 'siteA' }]) {
      const fitted = harmonize(before, study.covariates, options);
      const other = checked(diagnose(before, { ...before, data: fitted.data }, study.covariates, fitted.model, { worst: 2, tests: ['anova', 'levene'] }));
      expect(other.tests.map((t) => t.test)).toEqual(['anova', 'levene']);
      if ('parametric' in options || 'eb' in options) expect(other.verdict.priors.status).toBe('no-prior');
    }
  });

  it('keeps going on features it cannot test, and says which', () => {
    const sparse = before.data.slice();
    // Feature 9: one finite value in siteC only.
    study.covariates.batch.forEach((label, i) => {
      if (label === 'siteC' && i !== 60) sparse[i * V + 9] = NaN;
    });
    const gappy: DataMatrix = { ...before, data: sparse };
    const other = checked(diagnose(gappy, gappy, study.covariates, model, { worst: 0 }));
    const levene = other.tests.find((t) => t.test === 'levene')!;
    expect(levene.before.untested).toContainEqual({ feature: 9, cause: 'too-few-values-in-batch', batch: 'siteC' });
    expect(levene.perFeature.before.p[9]).toBeNull();
    expect(other.worst).toEqual([]);
  });

  it('refuses mismatched inputs before any work', () => {
    expect(thrownBy(() => diagnose(before, { ...after, features: 59, data: after.data.subarray(0, 90 * 59) }, study.covariates, model), ShapeMismatchError).message).toBe('after has 90 samples x 59 features; expected the shape of before (90 x 60)');
    expect(thrownBy(() => diagnose(before, after, study.covariates, model, { names: ['a'] }), ShapeMismatchError).message).toBe('options.names has 1 names; expected one per feature (60)');
    expect(thrownBy(() => diagnose(before, after, study.covariates, model, { bounds: { priors: 2 } }), InvalidArgumentError).message).toBe('diagnose: options.bounds.priors: expected a number from 0 to 1; received a number (2)');
    expect(thrownBy(() => diagnose(before, after, study.covariates, model, { worst: -1 }), InvalidArgumentError).message).toBe('diagnose: options.worst: expected an integer of at least 0; received a number (-1)');
    expect(thrownBy(() => diagnose(before, after, study.covariates, model, { combat: { ...after, samples: 89, data: after.data.subarray(0, 89 * 60) } }), ShapeMismatchError).message).toBe('options.combat has 89 samples x 60 features; expected the shape of before (90 x 60)');
  });

  it('gives the correlations between features against the pooled ones, of the covariate model\u2019s residuals, before and after', () => {
    const fits = [before, after].map((matrix) => fitCovariates(matrix, model.coding, study.covariates));
    expect(result.covariance.before).toEqual(covarianceDifference(fits[0]!.residuals, study.covariates.batch));
    expect(result.covariance.after).toEqual(covarianceDifference(fits[1]!.residuals, study.covariates.batch));
    expect(Object.keys(result.covariance)).toEqual(['before', 'after']);
    expect(Object.keys(result.predictability)).toEqual(['before', 'after']);
  });
});

describe('diagnose of a CovBat run (before ComBat, after ComBat, after CovBat)', () => {
  const fixture = loadCovbatCase('covbat-parametric');
  const { matrix, covariates } = fixture;
  const run = harmonizeCovbat(matrix, covariates, { variance: fixture.spec.covbat.percentVar });
  const combat: DataMatrix = { ...matrix, data: run.combat };
  const result = checked(diagnose(matrix, { ...matrix, data: run.data }, covariates, run.model, { names: fixture.features, combat }));

  it('adds the ComBat step\u2019s predictability and covariance differences, as the single functions give them', () => {
    expect(Object.keys(result.predictability)).toEqual(['before', 'combat', 'after']);
    expect(result.predictability.combat).toEqual(batchPredictability(combat, covariates.batch));
    expect(result.predictability.after).toEqual(batchPredictability({ ...matrix, data: run.data }, covariates.batch));
    expect(result.covariance.combat).toEqual(covarianceDifference(fitCovariates(combat, run.model.coding, covariates).residuals, covariates.batch));
    // The rest is the two-state diagnosis of CovBat's output.
    const { predictability: _p, covariance: _c, ...rest } = result;
    const { predictability: _q, covariance: _d, ...plain } = diagnose(matrix, { ...matrix, data: run.data }, covariates, run.model, { names: fixture.features });
    expect(rest).toEqual(plain);
  });

  it('shows what CovBat is for: its output\u2019s batches differ less in their correlations than ComBat\u2019s', () => {
    const largest = (stage: 'before' | 'combat' | 'after') => Math.max(...result.covariance[stage]!.batches.map((b) => b.scaled as number));
    expect(largest('after')).toBeLessThan(largest('combat'));
  });
});
