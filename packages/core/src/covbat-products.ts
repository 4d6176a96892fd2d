/**
 * Products of samples x features matrices with K rows of features, in tiles of features
 * (tiles.ts): CovBat's scores on the K x V loadings and its features rebuilt from them, and (the
 * same product, `combineRows`) the loadings of principal components from the samples. A tile of
 * the K rows stays in cache while every sample
 * of a block passes through it, instead of the whole loadings being read again for each sample;
 * and within a tile several values are summed at once (independent sums, which the processor
 * overlaps, where one sum waits on its previous addition). Each value is still summed in the
 * order of the plain loops (over features for a score, over components for a change), its
 * running sum kept in a float64 array between tiles, so the results are those loops' bit for bit
 * whatever the tiles and the blocks of samples (`node --cpu-prof` of `pnpm bench`: these loops
 * were CovBat's time).
 */
import { forEachTile, forEachTileInFours, type TileKernel } from './tiles.js';

/**
 * The scores of `count` samples (rows of `z`, sample-major with `V` columns) on the `K` loadings:
 * `scores[i * K + k]` = sum over v, in order, of `z[i * V + v] * loadings[k * V + v]`.
 */
export function projectScores(z: Float64Array, count: number, V: number, loadings: Float64Array, K: number): Float64Array {
  const scores = new Float64Array(count * K);
  forEachTile({ z, count, V, loadings, K, scores }, V, projectTile);
  return scores;
}

/** {@link projectScores} over the features [from, to): each score's running sum taken from `scores` and put back. */
function projectTile(data: { z: Float64Array; count: number; V: number; loadings: Float64Array; K: number; scores: Float64Array }, from: number, to: number): void {
  const { z, count, V, loadings, K, scores } = data;
  let i = 0;
  // Two samples and four components at once: eight independent sums, each of one score, each in order.
  for (; i + 2 <= count; i += 2) {
    const row = i * V;
    const at = i * K;
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      let a0 = scores[at + k] as number;
      let a1 = scores[at + k + 1] as number;
      let a2 = scores[at + k + 2] as number;
      let a3 = scores[at + k + 3] as number;
      let b0 = scores[at + K + k] as number;
      let b1 = scores[at + K + k + 1] as number;
      let b2 = scores[at + K + k + 2] as number;
      let b3 = scores[at + K + k + 3] as number;
      for (let v = from, l = k * V; v < to; v++) {
        const x = z[row + v] as number;
        const y = z[row + V + v] as number;
        const l0 = loadings[l + v] as number;
        const l1 = loadings[l + V + v] as number;
        const l2 = loadings[l + 2 * V + v] as number;
        const l3 = loadings[l + 3 * V + v] as number;
        a0 += x * l0;
        a1 += x * l1;
        a2 += x * l2;
        a3 += x * l3;
        b0 += y * l0;
        b1 += y * l1;
        b2 += y * l2;
        b3 += y * l3;
      }
      scores[at + k] = a0;
      scores[at + k + 1] = a1;
      scores[at + k + 2] = a2;
      scores[at + k + 3] = a3;
      scores[at + K + k] = b0;
      scores[at + K + k + 1] = b1;
      scores[at + K + k + 2] = b2;
      scores[at + K + k + 3] = b3;
    }
    for (; k < K; k++) {
      let a = scores[at + k] as number;
      let b = scores[at + K + k] as number;
      for (let v = from, l = k * V; v < to; v++) {
        a += (z[row + v] as number) * (loadings[l + v] as number);
        b += (z[row + V + v] as number) * (loadings[l + v] as number);
      }
      scores[at + k] = a;
      scores[at + K + k] = b;
    }
  }
  for (; i < count; i++) {
    const row = i * V;
    const at = i * K;
    for (let k = 0; k < K; k++) {
      let s = scores[at + k] as number;
      for (let v = from, l = k * V; v < to; v++) s += (z[row + v] as number) * (loadings[l + v] as number);
      scores[at + k] = s;
    }
  }
}

/**
 * Rows combined: `sums[i * V + v]` = sum over k, in order, of `weights[i * K + k] * rows[k * V + v]`
 * for the `count` rows of `sums` (the product of the count x K `weights` and the K x V `rows`),
 * written into `sums` (at least `count * V` long; its first `count * V` values are overwritten).
 * CovBat's features rebuilt from their component values (`rows` the loadings), and the loadings of
 * principal components from the Gram matrix's eigenvectors (`rows` the samples).
 */
export function combineRows(weights: Float64Array, count: number, K: number, rows: Float64Array, V: number, sums: Float64Array): void {
  sums.fill(0, 0, count * V);
  forEachTileInFours({ weights, K, rows, V, sums }, V, count, K, COMBINE);
}

/** {@link combineRows}' sums over a tile, four rows k at once: each sum takes them in order, read and written once for the four. */
const COMBINE: TileKernel<{ weights: Float64Array; K: number; rows: Float64Array; V: number; sums: Float64Array }> = {
  first: () => 0,
  four({ weights, K, rows, V, sums }, from, to, i, k) {
    const row = i * V;
    const w0 = weights[i * K + k] as number;
    const w1 = weights[i * K + k + 1] as number;
    const w2 = weights[i * K + k + 2] as number;
    const w3 = weights[i * K + k + 3] as number;
    for (let v = from, l = k * V; v < to; v++) {
      sums[row + v] = (sums[row + v] as number) + w0 * (rows[l + v] as number) + w1 * (rows[l + V + v] as number) + w2 * (rows[l + 2 * V + v] as number) + w3 * (rows[l + 3 * V + v] as number);
    }
  },
  one({ weights, K, rows, V, sums }, from, to, i, k) {
    const row = i * V;
    const w = weights[i * K + k] as number;
    for (let v = from, l = k * V; v < to; v++) sums[row + v] = (sums[row + v] as number) + w * (rows[l + v] as number);
  },
};
