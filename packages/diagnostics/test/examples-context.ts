/**
 * The variables the TSDoc examples of `@combat/diagnostics` use without declaring them: core's
 * example study (8 samples in two batches of 4, 3 features, sex and age), its first feature's
 * values, the model `harmonize` fits and the harmonized data.
 */
import { harmonize, type DataMatrix } from '@combat/core';
import { exampleStudy } from '@combat/test-support';

export function context() {
  const { matrix, covariates } = exampleStudy();
  const { features } = matrix;
  const { data, model } = harmonize(matrix, covariates);
  const harmonized: DataMatrix = { data, samples: 8, features };
  // The first region's thickness, and each sample's batch.
  const thickness = Float64Array.from({ length: 8 }, (_, i) => matrix.data[i * features] as number);
  return { matrix, covariates, model, harmonized, thickness, batch: covariates.batch };
}
