import { maskIndices, type Volume } from '@combat/volumes';

/**
 * What the demo prints and the report shows: per-scanner mean in-mask value and the correlation
 * of age with each subject's mean in-mask value, before and after.
 *
 * @example
 * ```ts
 * const s = summarize(before, after, mask, scanners, ages);
 * s.correlation.after; // about 0.97
 * ```
 */
export interface DemoSummary {
  readonly siteMeans: { readonly site: string; readonly before: number; readonly after: number }[];
  readonly correlation: { readonly before: number; readonly after: number };
  readonly subjectMeans: { readonly before: number[]; readonly after: number[] };
}

/**
 * Computes the {@link DemoSummary} of volumes before and after harmonization.
 *
 * @example
 * ```ts
 * summarize(inputs, outputs, mask, ['A', 'B'], [40, 60]);
 * ```
 */
export function summarize(before: readonly Volume[], after: readonly Volume[], mask: Volume, scanners: readonly string[], ages: readonly number[]): DemoSummary {
  const inside = maskIndices(mask);
  const meanInMask = (v: Volume) => inside.reduce((s, at) => s + v.data[at], 0) / inside.length;
  const subjectMeans = { before: before.map(meanInMask), after: after.map(meanInMask) };
  const sites = [...new Set(scanners)];
  const siteMean = (means: number[], site: string) => mean(means.filter((_, i) => scanners[i] === site));
  return {
    siteMeans: sites.map((site) => ({ site, before: siteMean(subjectMeans.before, site), after: siteMean(subjectMeans.after, site) })),
    correlation: { before: pearson(ages, subjectMeans.before), after: pearson(ages, subjectMeans.after) },
    subjectMeans,
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Pearson's correlation of two equally long series.
 *
 * @example
 * ```ts
 * pearson([1, 2, 3], [2, 4, 7]); // 0.99...
 * ```
 */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const [mx, my] = [mean(x), mean(y)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((xi, i) => {
    sxy += (xi - mx) * (y[i] - my);
    sxx += (xi - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}
