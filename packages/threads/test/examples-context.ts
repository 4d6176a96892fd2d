import { harmonize } from '@combat/core';

/**
 * The variables the examples of @combat/threads use: a matrix of 8 samples x 3 features from two
 * sites with sex and age, the model core fits to it, and three samples of a third site (`newSite`).
 */
export function context() {
  const matrix = {
    data: Float64Array.of(2.61, 1.1, 3.9, 2.48, 1.3, 4.2, 2.55, 0.9, 4.1, 2.4, 1.2, 3.8, 2.83, 1.6, 4.6, 2.71, 1.9, 4.4, 2.95, 1.5, 4.9, 2.66, 1.8, 4.5),
    samples: 8,
    features: 3,
  };
  const covariates = {
    batch: ['siteA', 'siteA', 'siteA', 'siteA', 'siteB', 'siteB', 'siteB', 'siteB'],
    categorical: { sex: ['F', 'M', 'F', 'M', 'F', 'M', 'F', 'M'] },
    continuous: { age: [61, 54, 70, 48, 66, 59, 72, 51] },
  };
  const { model } = harmonize(matrix, covariates);
  const newSite = { data: Float64Array.of(3.1, 1.4, 4.7, 2.9, 1.2, 4.4, 3.3, 1.7, 5.0), samples: 3, features: 3 };
  const newSiteCovariates = { batch: ['siteC', 'siteC', 'siteC'], categorical: { sex: ['F', 'M', 'F'] }, continuous: { age: [64, 57, 69] } };
  return { matrix, covariates, model, newSite, newSiteCovariates };
}
