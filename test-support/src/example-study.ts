/**
 * The small study the TSDoc examples of core, diagnostics and report share: 8 samples in two
 * batches of 4 (siteB thicker on average, and more spread), the thickness of 3 regions, sex and age.
 * Plain values, so each package's examples context builds its own matrix and model from them.
 */
export function exampleStudy() {
  const features = 3;
  const data = Float64Array.of(
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
  );
  const covariates = {
    batch: ['siteA', 'siteA', 'siteA', 'siteA', 'siteB', 'siteB', 'siteB', 'siteB'],
    categorical: { sex: ['F', 'M', 'F', 'M', 'F', 'M', 'F', 'M'] },
    continuous: { age: [34, 51, 47, 29, 62, 45, 38, 56] },
  };
  return { matrix: { data, samples: 8, features }, covariates };
}
