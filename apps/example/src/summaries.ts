/**
 * Per region: the standard deviation of the site means divided by the pooled within-site standard
 * deviation; returned as the average over regions. Near 0 when sites agree.
 *
 * @example
 * ```ts
 * siteSpread(Float64Array.of(1, 2, 3, 4), ['a', 'a', 'b', 'b'], 1); // 2 / sqrt(0.5) / sqrt(2)
 * ```
 */
export function siteSpread(data: Float64Array, site: readonly string[], features: number): number {
  const sites = [...new Set(site)];
  let total = 0;
  for (let v = 0; v < features; v++) {
    const groups = sites.map((s) => site.flatMap((label, i) => (label === s ? [data[i * features + v]] : [])));
    const means = groups.map(mean);
    const within = Math.sqrt(groups.reduce((sum, g, k) => sum + g.reduce((a, y) => a + (y - means[k]) ** 2, 0), 0) / (site.length - sites.length));
    total += standardDeviation(means) / within;
  }
  return total / features;
}

/**
 * The Pearson correlation of age with each region, averaged over regions.
 *
 * @example
 * ```ts
 * ageCorrelation(Float64Array.of(1, 2, 3), Float64Array.of(10, 20, 30), 1); // 1
 * ```
 */
export function ageCorrelation(data: Float64Array, age: Float64Array, features: number): number {
  const ages = Array.from(age);
  let total = 0;
  for (let v = 0; v < features; v++) {
    const values = ages.map((_, i) => data[i * features + v]);
    const [ma, mv] = [mean(ages), mean(values)];
    const covariance = ages.reduce((sum, a, i) => sum + (a - ma) * (values[i] - mv), 0);
    total += covariance / Math.sqrt(ages.reduce((s, a) => s + (a - ma) ** 2, 0) * values.reduce((s, y) => s + (y - mv) ** 2, 0));
  }
  return total / features;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function standardDeviation(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((s, y) => s + (y - m) ** 2, 0) / (values.length - 1));
}
