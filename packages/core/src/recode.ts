import type { CovariateTerm, DesignCoding } from './design.js';
import { countColumns, listDesignColumns } from './design-names.js';
import { IncompatibleStatisticsError } from './errors.js';
import { sortLevels } from './levels.js';
import type { BatchStatistics } from './statistics.js';

/**
 * Recoding statistics onto another coding of the same covariates (a union of levels): each
 * sample's covariate columns become an affine function of its old ones, `c' = A c + t`, so every
 * sum over samples has a closed form in the old sums.
 */

/**
 * The coding of both codings' samples: the same covariates (by name and kind, in `a`'s order),
 * each categorical with the union of the levels (its reference level the first in code-point
 * order of the union), each continuous range the union of the ranges (unknown when one is).
 *
 * @throws {@link IncompatibleStatisticsError} when the codings do not have the same covariates.
 * @throws {@link CovariateNameError} when two levels of the union differ only in spaces or Unicode form.
 */
export function uniteCodings(a: DesignCoding, b: DesignCoding): DesignCoding {
  const describe = (coding: DesignCoding) => (coding.terms.length === 0 ? 'none' : coding.terms.map((term) => `${term.kind} "${term.name}"`).join(', '));
  const theirs = new Map(b.terms.map((term) => [term.name, term]));
  const mismatch = a.terms.length !== b.terms.length || a.terms.some((term) => theirs.get(term.name)?.kind !== term.kind);
  if (mismatch) throw new IncompatibleStatisticsError(`cannot merge statistics of different covariates: ${describe(a)} vs ${describe(b)}`);
  const terms = a.terms.map((term): CovariateTerm => {
    const other = theirs.get(term.name) as CovariateTerm;
    if (term.kind === 'categorical' || other.kind === 'categorical') {
      const levels = [...(term.kind === 'categorical' ? term.levels : []), ...(other.kind === 'categorical' ? other.levels : [])];
      return { kind: 'categorical', name: term.name, levels: sortLevels(levels, `categorical covariate "${term.name}"`) };
    }
    const [r, s] = [term.range, other.range];
    const range: [number, number] | null = r === null || s === null ? null : [Math.min(r[0], s[0]), Math.max(r[1], s[1])];
    if (term.kind === 'continuous' || other.kind === 'continuous') return { kind: 'continuous', name: term.name, range };
    const knotsOf = (spline: typeof term) => [spline.boundaryKnots[0], ...spline.knots, spline.boundaryKnots[1]].join(', ');
    if (knotsOf(term) !== knotsOf(other)) {
      throw new IncompatibleStatisticsError(`cannot merge statistics of splines of "${term.name}" with other knots: ${knotsOf(term)} vs ${knotsOf(other)} (boundary knots included)`);
    }
    return { ...term, range };
  });
  return { terms, columns: listDesignColumns(terms) };
}

/** `c' = A c + t`: A is q' x q row-major, t has q' values. */
interface ColumnMap {
  readonly A: Float64Array;
  readonly t: Float64Array;
}

/**
 * The map from `from`'s covariate columns to `to`'s (a coding of the same covariates whose levels
 * include `from`'s), or null when the columns are the same. A level of `to` is `from`'s column for
 * it, 0 where `from` never had it, and 1 minus `from`'s other columns where it was `from`'s reference.
 */
export function mapColumns(from: DesignCoding, to: DesignCoding): ColumnMap | null {
  const same = from.columns.length === to.columns.length && from.columns.every((column, k) => to.columns[k] === column);
  if (same) return null;
  const q = from.columns.length;
  const qTo = to.columns.length;
  const A = new Float64Array(qTo * q);
  const t = new Float64Array(qTo);
  const starts = new Map<string, number>();
  let offset = 0;
  for (const term of from.terms) {
    starts.set(term.name, offset);
    offset += countColumns(term);
  }
  let row = 0;
  for (const term of to.terms) {
    const start = starts.get(term.name) as number;
    const old = from.terms.find((candidate) => candidate.name === term.name) as CovariateTerm;
    if (term.kind !== 'categorical' || old.kind !== 'categorical') {
      for (let k = 0; k < countColumns(term); k++) A[(row + k) * q + start + k] = 1;
      row += countColumns(term);
      continue;
    }
    for (const level of term.levels.slice(1)) {
      const index = old.levels.indexOf(level);
      if (index > 0) {
        A[row * q + start + index - 1] = 1;
      } else if (index === 0) {
        t[row] = 1;
        for (let l = 1; l < old.levels.length; l++) A[row * q + start + l - 1] = -1;
      }
      row += 1;
    }
  }
  return { A, t };
}

/** A batch's statistics with its covariate columns mapped (`q` old columns, `features` features). */
export function recodeBatch(batch: BatchStatistics, map: ColumnMap, q: number, features: number): BatchStatistics {
  const qTo = map.t.length;
  const strideFrom = 1 + q + q * q;
  const strideTo = 1 + qTo + qTo * qTo;
  const missingSums = new Float64Array(batch.missingFeatures.length * strideTo);
  for (let j = 0; j < batch.missingFeatures.length; j++) {
    const entry = batch.missingSums.subarray(j * strideFrom, (j + 1) * strideFrom);
    const n = entry[0] as number;
    missingSums[j * strideTo] = n;
    const [sum, cross] = mapSums(map, q, n, entry.subarray(1, 1 + q), entry.subarray(1 + q));
    missingSums.set(sum, j * strideTo + 1);
    missingSums.set(cross, j * strideTo + 1 + qTo);
  }
  const [covariateSum, covariateCross] = mapSums(map, q, batch.samples, batch.covariateSum, batch.covariateCross);
  // Sums of covariate times deviation: A times the old ones, plus t times the sum of deviations.
  const covariateValueSum = new Float64Array(qTo * features);
  for (let k = 0; k < qTo; k++) {
    const tk = map.t[k] as number;
    if (tk !== 0) for (let v = 0; v < features; v++) covariateValueSum[k * features + v] = tk * (batch.deviationSum[v] as number);
    for (let l = 0; l < q; l++) {
      const a = map.A[k * q + l] as number;
      if (a === 0) continue;
      for (let v = 0; v < features; v++) covariateValueSum[k * features + v] += a * (batch.covariateValueSum[l * features + v] as number);
    }
  }
  return { ...batch, covariateSum, covariateCross, covariateValueSum, missingFeatures: batch.missingFeatures.slice(), missingSums, mean: batch.mean.slice(), deviationSum: batch.deviationSum.slice(), squares: batch.squares.slice() };
}

/**
 * The sums over n samples of `A c + t` and of its outer product, from the sums of c (`sum`, q)
 * and of c c' (`cross`, q x q).
 */
function mapSums(map: ColumnMap, q: number, n: number, sum: ArrayLike<number>, cross: ArrayLike<number>): [Float64Array, Float64Array] {
  const { A, t } = map;
  const qTo = t.length;
  const mappedSum = new Float64Array(qTo);
  for (let k = 0; k < qTo; k++) {
    let s = n * (t[k] as number);
    for (let l = 0; l < q; l++) s += (A[k * q + l] as number) * (sum[l] as number);
    mappedSum[k] = s;
  }
  // A C A' + (A s) t' + t (A s)' + n t t', with A s = mappedSum - n t.
  const mappedCross = new Float64Array(qTo * qTo);
  for (let k = 0; k < qTo; k++) {
    for (let m = 0; m < qTo; m++) {
      let s = 0;
      for (let l = 0; l < q; l++) {
        const a = A[k * q + l] as number;
        if (a === 0) continue;
        for (let r = 0; r < q; r++) s += a * (cross[l * q + r] as number) * (A[m * q + r] as number);
      }
      const as = (mappedSum[k] as number) - n * (t[k] as number);
      const bs = (mappedSum[m] as number) - n * (t[m] as number);
      mappedCross[k * qTo + m] = s + as * (t[m] as number) + (t[k] as number) * bs + n * (t[k] as number) * (t[m] as number);
    }
  }
  return [mappedSum, mappedCross];
}
