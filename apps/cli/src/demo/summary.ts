import type { Volume } from '@combat/base';
import { maskIndices } from '@combat/volumes';

/**
 * What the demo prints and the report shows: per-scanner mean in-mask value and the correlation
 * of age with each subject's mean in-mask value, before and after.
 */
export interface DemoSummary {
  readonly batchMeans: { readonly batch: string; readonly before: number; readonly after: number }[];
  readonly correlation: { readonly before: number; readonly after: number };
  readonly subjectMeans: { readonly before: number[]; readonly after: number[] };
}

/**
 * Computes the {@link DemoSummary} of volumes before and after harmonization.
 */
export function summarize(before: readonly Volume[], after: readonly Volume[], mask: Volume, scanners: readonly string[], ages: readonly number[]): DemoSummary {
  const inside = maskIndices(mask);
  const meanInMask = (v: Volume) => inside.reduce((s, at) => s + v.data[at], 0) / inside.length;
  const subjectMeans = { before: before.map(meanInMask), after: after.map(meanInMask) };
  const batches = [...new Set(scanners)];
  const batchMean = (means: number[], batch: string) => mean(means.filter((_, i) => scanners[i] === batch));
  return {
    batchMeans: batches.map((batch) => ({ batch, before: batchMean(subjectMeans.before, batch), after: batchMean(subjectMeans.after, batch) })),
    correlation: { before: pearson(ages, subjectMeans.before), after: pearson(ages, subjectMeans.after) },
    subjectMeans,
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Pearson's correlation of two equally long series.
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
