/**
 * The variables the TSDoc examples of `@combat/diagnostics` use without declaring them: core's
 * example study (8 samples in two batches of 4, 3 features, sex and age), its first feature's
 * values, the model `harmonize` fits and the harmonized data.
 */
import { harmonize, type Covariates, type DataMatrix } from '@combat/core';

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
  const { data, model } = harmonize(matrix, covariates);
  const harmonized: DataMatrix = { data, samples: 8, features };
  // The first region's thickness, and each sample's batch.
  const thickness = Float64Array.from({ length: 8 }, (_, i) => values[i * features] as number);
  return { matrix, covariates, model, harmonized, thickness, batch: covariates.batch };
}
