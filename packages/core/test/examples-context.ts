/**
 * The variables the TSDoc examples of `@combat/core` use without declaring them: a small study of
 * 8 samples in two batches (4 each) with 3 features, its covariates, each batch's block, the
 * model `harmonize` fits to it, and 3 samples of a third site the model has not seen.
 */
import { exampleStudy } from '@combat/test-support';
import { harmonize, type Covariates, type DataMatrix } from '../src/index.js';

export function context() {
  const { matrix, covariates } = exampleStudy();
  const { features } = matrix;
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
  // Two scans of each of four subjects (a subject keeps its sex), for the longitudinal examples.
  const subject = ['s1', 's2', 's1', 's2', 's3', 's4', 's3', 's4'];
  return { matrix, covariates, model, blockA: block(0, 4), covariatesA: part(0, 4), blockB: block(4, 4), covariatesB: part(4, 4), newSite, newSiteCovariates, subject };
}
