/**
 * A Gaussian kernel density estimate on a grid, as R's `density(x)` draws it (bandwidth
 * `bw.nrd0`, the grid from 3 bandwidths below the smallest value to 3 above the largest), but
 * summed exactly at each grid point instead of R's binned FFT approximation.
 */
import { quantile7 } from './sample-summaries.js';

/** R's `bw.nrd0`: 0.9 min(sd, IQR / 1.34) n^-0.2, falling back to sd, |x[0]|, then 1 when that is 0. */
export function bandwidth(values: Float64Array, sorted: Float64Array): number {
  const n = values.length;
  let mean = 0;
  for (const x of values) mean += x;
  mean /= n;
  let squares = 0;
  for (const x of values) squares += (x - mean) ** 2;
  const sd = Math.sqrt(squares / (n - 1));
  let low = Math.min(sd, (quantile7(sorted, 0.75) - quantile7(sorted, 0.25)) / 1.34);
  if (!(low > 0)) low = sd > 0 ? sd : Math.abs(values[0] as number) > 0 ? Math.abs(values[0] as number) : 1;
  return 0.9 * low * n ** -0.2;
}

/** The density of ascending values at `points` grid points, with the bandwidth. */
export function kernelDensity(sorted: Float64Array, width: number, points: number): { x: number[]; density: number[] } {
  const n = sorted.length;
  const from = (sorted[0] as number) - 3 * width;
  const to = (sorted[n - 1] as number) + 3 * width;
  const x = Array.from({ length: points }, (_, k) => from + ((to - from) * k) / (points - 1));
  const scale = 1 / (n * width * Math.sqrt(2 * Math.PI));
  const density = x.map((at) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(-0.5 * (((sorted[i] as number) - at) / width) ** 2);
    return sum * scale;
  });
  return { x, density };
}
