/**
 * The variables the TSDoc examples of `@combat/core` use without declaring them: a small study of
 * 8 samples in two batches (4 each) with 3 features, its covariates, each batch's block, the
 * model `harmonize` fits to it, and 3 samples of a third site the model has not seen.
 */
import { harmonize, type Covariates, type DataMatrix } from '../src/index.js';

const features = 3;
const values = [
  // siteA: thickness of three regions
  2.61, 2.48, 3.05,
  2.55, 2.40, 2.98,
  2.70, 2.52, 3.11,
  2.49, 2.37, 2.90,
  // siteB: thicker on average, and more spread
  2.83, 2.71, 3.32,
  2.95, 2.66, 3.41,
  2.74, 2.80, 3.20,
  3.02, 2.59, 3.47,
];

export function context() {
  const matrix: DataMatrix = { data: Float64Array.from(values), samples: 8, features };
  const covariates = {
    batch: ['siteA', 'siteA', 'siteA', 'siteA', 'siteB', 'siteB', 'siteB', 'siteB'],
    categorical: { sex: ['F', 'M', 'F', 'M', 'F', 'M', 'F', 'M'] },
    continuous: { age: [34, 51, 47, 29, 62, 45, 38, 56] },
  } satisfies Covariates;
  const block = (first: number, samples: number): DataMatrix => ({ data: matrix.data.slice(first * features, (first + samples) * features), samples, features });
  const part = (first: number, samples: number): Covariates => ({
    batch: covariates.batch.slice(first, first + samples),
    categorical: { sex: covariates.categorical.sex.slice(first, first + samples) },
    continuous: { age: covariates.continuous.age.slice(first, first + samples) },
  });
  const { model } = harmonize(matrix, covariates);
  // Three scans of a site the model has never seen.
  const newSite: DataMatrix = { data: Float64Array.of(2.41, 2.3, 2.83, 2.52, 2.35, 2.95, 2.46, 2.41, 2.86), samples: 3, features };
  const newSiteCovariates = { batch: ['siteC', 'siteC', 'siteC'], categorical: { sex: ['F', 'M', 'M'] }, continuous: { age: [44, 58, 36] } } satisfies Covariates;
  return { matrix, covariates, model, blockA: block(0, 4), covariatesA: part(0, 4), blockB: block(4, 4), covariatesB: part(4, 4), newSite, newSiteCovariates };
}
