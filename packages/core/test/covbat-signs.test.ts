import { expectClose, syntheticData } from '@combat/test-support';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { harmonizeCovbat } from '../src/index.js';

// The decomposition with the sign of chosen components flipped, as another eigen solver may give them.
const signs = vi.hoisted(() => ({ flip: [] as boolean[] }));
vi.mock('../src/principal-components.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/principal-components.js')>();
  return {
    principalComponents: (...args: Parameters<typeof original.principalComponents>) => {
      const result = original.principalComponents(...args);
      const V = args[2];
      for (let k = 0; k < result.components; k++) {
        if (signs.flip[k] !== true) continue;
        for (let v = 0; v < V; v++) result.loadings[k * V + v] = -(result.loadings[k * V + v] as number);
      }
      return result;
    },
  };
});

describe('CovBat does not depend on the sign convention of the decomposition', () => {
  it('flipping the sign of any components changes no output value (1e-10 relative), few or many features', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.integer({ min: 4, max: 10 }), { minLength: 2, maxLength: 3 }),
        fc.integer({ min: 2, max: 30 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        fc.option(fc.double({ min: 0.3, max: 0.99, noNaN: true }), { nil: undefined }),
        (seed, batchSizes, features, flip, variance) => {
          const { matrix, covariates } = syntheticData({ seed, batchSizes, features });
          const options = variance === undefined ? {} : { variance };
          signs.flip = [];
          const plain = harmonizeCovbat(matrix, covariates, options);
          signs.flip = flip;
          const flipped = harmonizeCovbat(matrix, covariates, options);
          signs.flip = [];
          // The fit did see the flipped components, and its output is the same.
          const { components, loadings } = flipped.model.covbat!;
          const sign = Float64Array.from({ length: components * features }, (_, at) => (flip[Math.floor(at / features)] ? -1 : 1) * (plain.model.covbat!.loadings[at] as number));
          expect(Array.from(loadings)).toEqual(Array.from(sign));
          expectClose(flipped.data, plain.data, 1e-10, 'flipped components');
        },
      ),
      { numRuns: 60 },
    );
  });
});
