import { syntheticData } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CombatError, CovariateNameError, codeDesign, deserializeModel, harmonize, serializeModel, type Covariates } from '../src/index.js';

const batch = ['A', 'A', 'B', 'B', 'A', 'B'];

function nameError(covariates: Covariates): CovariateNameError {
  try {
    codeDesign(covariates);
  } catch (error) {
    expect(error).toBeInstanceOf(CovariateNameError);
    expect((error as CovariateNameError).code).toBe('COVARIATE_NAME');
    return error as CovariateNameError;
  }
  return expect.fail('expected a CovariateNameError');
}

describe('covariate names that would give a design column twice are refused', () => {
  it('a categorical covariate named batch is only a name: its columns are its own', () => {
    expect(codeDesign({ batch, categorical: { batch: ['A', 'B', 'A', 'B', 'B', 'A'] } }).columns).toEqual(['batch:B']);
  });

  it('a continuous covariate named like a categorical level column', () => {
    expect(nameError({ batch, categorical: { sex: ['F', 'M', 'F', 'M', 'F', 'M'] }, continuous: { 'sex:M': [1, 2, 3, 4, 5, 6] } }).message).toBe(
      'design column "sex:M" would come from level "M" of categorical covariate "sex" and from continuous covariate "sex:M"; rename one of them',
    );
  });

  it('two categorical covariates whose names and levels join to the same column', () => {
    const e = nameError({ batch, categorical: { 'a:b': ['c', 'd', 'c', 'd', 'c', 'd'], a: ['b:c', 'b:d', 'b:c', 'b:d', 'b:c', 'b:d'] } });
    expect(e.message).toBe('design column "a:b:d" would come from level "d" of categorical covariate "a:b" and from level "b:d" of categorical covariate "a"; rename one of them');
  });

  it('a name used as both categorical and continuous, and an empty name', () => {
    expect(nameError({ batch, categorical: { site: ['x', 'y', 'x', 'y', 'x', 'y'] }, continuous: { site: [1, 2, 3, 4, 5, 6] } }).message).toBe(
      '"site" is both a categorical and a continuous covariate; expected one role per covariate',
    );
    expect(nameError({ batch, continuous: { '': [1, 2, 3, 4, 5, 6] } }).message).toBe('a continuous covariate has an empty name; expected a non-empty name');
  });

  it('any coding it accepts has unique column names and round-trips exactly; any it refuses has a clash', () => {
    const name = fc.constantFrom('batch', 'sex', 'sex:M', 'M', 'a:b', 'a', 'b:c', '[x]', 'x]', 'é');
    const seen = { refused: 0, roundTripped: 0 };
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 2 }), fc.uniqueArray(name, { maxLength: 2 }), fc.constantFrom(['A', 'B'], ['M', 'F'], ['c', 'b:c']), (categorical, continuous, labels) => {
        const { matrix, covariates } = syntheticData({ seed: 3, batchSizes: [6, 6], features: 3 });
        const relabel = covariates.batch.map((b) => (b === 'siteA' ? labels[0]! : labels[1]!));
        const candidate: Covariates = {
          batch: relabel,
          categorical: Object.fromEntries(categorical.map((n, k) => [n, relabel.map((_, i) => [labels[(i + k) % 2]!, 'b', 'M'][i % 3]!)])),
          continuous: Object.fromEntries(continuous.map((n, k) => [n, Float64Array.from(relabel, (_, i) => Math.cos(i * (k + 2)))])),
        };
        let coding;
        try {
          coding = codeDesign(candidate);
        } catch (error) {
          expect(error).toBeInstanceOf(CovariateNameError);
          const clash = categorical.some((n) => continuous.includes(n));
          const columns: string[] = [];
          for (const [n, values] of Object.entries(candidate.categorical!)) columns.push(...[...new Set(values)].sort().slice(1).map((l) => `${n}:${l}`));
          columns.push(...continuous);
          expect(clash || new Set(columns).size < columns.length).toBe(true);
          seen.refused++;
          return;
        }
        expect(new Set(coding.columns).size).toBe(coding.columns.length);
        let fit;
        try {
          fit = harmonize(matrix, candidate, { eb: false });
        } catch (error) {
          expect(error).toBeInstanceOf(CombatError); // e.g. a confounded random design
          return;
        }
        const restored = deserializeModel(serializeModel(fit.model));
        expect(restored.coding).toEqual(fit.model.coding);
        expect(restored.beta).toEqual(fit.model.beta);
        seen.roundTripped++;
      }),
      { numRuns: 300 },
    );
    expect(seen.refused).toBeGreaterThan(10);
    expect(seen.roundTripped).toBeGreaterThan(10);
  });
});
