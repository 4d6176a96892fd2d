import { CombatError, mergeStatistics, type CombatStatistics, type CovariateTerm } from '@combat/core';
import type { CovariateColumns, ModelFileExtras } from '@combat/io-arrow';
import { readStatistics } from '@combat/io-arrow/node';
import { canonicalPath } from '@combat/base/node';
import { DataError, UsageError } from './cli-io.js';

/** A statistics file given to `merge`: its path, statistics and extras. */
export interface StatisticsInput extends ModelFileExtras {
  readonly path: string;
  readonly statistics: CombatStatistics;
}

/**
 * Reads the statistics files `merge` is given, refusing a file given twice (by path, or a copy
 * with the same bytes: its samples would count twice), and checks that each agrees with the
 * first: statistics of a table or of volumes alike, the same feature names in the same order (for
 * volumes, the same mask), the same batch and covariate columns (in any order), the same
 * covariates of the same kinds, and splines with the same knots. A disagreement names both files.
 */
export async function readStatisticsInputs(paths: readonly string[]): Promise<StatisticsInput[]> {
  const seen = new Map<string, string>();
  for (const path of paths) {
    const target = await canonicalPath(path);
    const earlier = seen.get(target);
    if (earlier !== undefined) throw new UsageError(`${path} is given twice (also as ${earlier}); its samples would count twice`);
    seen.set(target, path);
  }
  const inputs: StatisticsInput[] = [];
  for (const path of paths) inputs.push({ path, ...(await readStatistics(path)) });
  const [first, ...others] = inputs as [StatisticsInput, ...StatisticsInput[]];
  for (const other of others) checkAgreement(first, other);
  checkCopies(inputs);
  return inputs;
}

/**
 * The statistics of every input merged (core's `mergeStatistics`, which puts levels a file lacks
 * onto the union of the levels); an error of one merge names the file that was being added.
 */
export function mergeInputs(inputs: readonly StatisticsInput[]): CombatStatistics {
  let merged = (inputs[0] as StatisticsInput).statistics;
  inputs.slice(1).forEach((input, k) => {
    try {
      merged = mergeStatistics(merged, input.statistics);
    } catch (error) {
      if (!(error instanceof CombatError)) throw error;
      throw new DataError(`${input.path}: cannot be merged with ${describeFiles(inputs.slice(0, k + 1).map((earlier) => earlier.path))}: ${error.detail}`);
    }
  });
  return merged;
}

/** Files for a message: all of them up to three, else the first and a count. */
export function describeFiles(paths: readonly string[]): string {
  return paths.length <= 3 ? paths.join(', ') : `${paths[0]} and ${paths.length - 1} other files`;
}

/** The ways a file can disagree with the first, each a message naming both, or nothing. */
function checkAgreement(first: StatisticsInput, other: StatisticsInput): void {
  const [a, b] = [first.path, other.path];
  const fail = (detail: string): never => {
    throw new DataError(`${b}: ${detail}`);
  };
  const kind = (input: StatisticsInput) => (input.mask === undefined ? 'a table' : `volumes (a mask of ${input.mask.indices.length} voxels)`);
  if ((first.mask === undefined) !== (other.mask === undefined)) fail(`holds the statistics of ${kind(other)}, but ${a} those of ${kind(first)}; merge files of one kind`);
  if (first.mask !== undefined && other.mask !== undefined) {
    const [m, n] = [first.mask, other.mask];
    if (m.shape.some((size, axis) => size !== n.shape[axis])) fail(`its mask has shape ${n.shape.join('x')}, but ${m.shape.join('x')} in ${a}; every site must use the same mask`);
    const at = m.affine.findIndex((x, k) => !Object.is(x, n.affine[k]));
    if (at >= 0) fail(`its mask's affine differs from ${a}'s at row ${Math.floor(at / 4)}, column ${at % 4}: ${n.affine[at]} vs ${m.affine[at]}; every site must use the same mask`);
    if (m.indices.length !== n.indices.length || m.indices.some((index, k) => index !== n.indices[k])) {
      fail(`its mask holds other voxels than ${a}'s (${n.indices.length} and ${m.indices.length} voxels); every site must use the same mask`);
    }
  }
  const [x, y] = [first.featureNames, other.featureNames];
  if (x.length !== y.length) fail(`has ${y.length} features, but ${a} has ${x.length}; every site must give the same --features`);
  const feature = x.findIndex((name, k) => name !== y[k]);
  if (feature >= 0) fail(`feature ${feature + 1} is ${JSON.stringify(y[feature])}, but ${JSON.stringify(x[feature])} in ${a}; every site must give the same feature columns in the same order`);
  checkColumns(first.columns, other.columns, a, fail);
  const describe = (terms: readonly CovariateTerm[]) => (terms.length === 0 ? 'none' : terms.map((term) => `${term.name} (${term.kind})`).join(', '));
  const [s, t] = [first.statistics.coding.terms, other.statistics.coding.terms];
  const theirs = new Map(t.map((term) => [term.name, term]));
  if (s.length !== t.length || s.some((term) => theirs.get(term.name)?.kind !== term.kind)) {
    fail(`has the covariates ${describe(t)}, but ${a} has ${describe(s)}; every site must give the same --categorical, --continuous and --spline columns`);
  }
  for (const term of s) {
    const twin = theirs.get(term.name) as CovariateTerm;
    if (term.kind !== 'spline' || twin.kind !== 'spline') continue;
    const knots = (spline: typeof term) => `knots ${spline.knots.length === 0 ? 'none' : spline.knots.join(', ')} and boundary knots ${spline.boundaryKnots.join(', ')}`;
    if (knots(term) !== knots(twin)) fail(`its spline of "${term.name}" has ${knots(twin)}, but ${a}'s has ${knots(term)}; every site must give the same --spline ${term.name}:knots=...:boundary=...`);
  }
}

/** The batch and covariate columns must be the same (covariates in any order): the merged model reads them when applied. */
function checkColumns(first: CovariateColumns | undefined, other: CovariateColumns | undefined, a: string, fail: (detail: string) => never): void {
  if (first === undefined || other === undefined) {
    if (first !== other) fail(`${first === undefined ? 'names' : 'does not name'} its batch and covariate columns, but ${a} ${first === undefined ? 'does not' : 'does'}; merge files written by combat fit-partial`);
    return;
  }
  if (first.batch !== other.batch) fail(`its batch column is "${other.batch}", but "${first.batch}" in ${a}; every site must name the batch column the same (the merged model reads it when applied)`);
  for (const role of ['categorical', 'continuous'] as const) {
    const [mine, theirs] = [[...(first[role] ?? [])].sort(), [...(other[role] ?? [])].sort()];
    if (mine.join('\u0000') !== theirs.join('\u0000')) {
      fail(`its ${role} columns are ${JSON.stringify(other[role] ?? [])}, but ${JSON.stringify(first[role] ?? [])} in ${a}; every site must name the covariate columns the same`);
    }
  }
}

/** A file whose bytes another has too (a copy) would count its samples twice. */
function checkCopies(inputs: readonly StatisticsInput[]): void {
  inputs.forEach((input, k) => {
    const copy = inputs.slice(0, k).find((earlier) => sameStatistics(earlier.statistics, input.statistics));
    if (copy !== undefined) throw new UsageError(`${input.path} holds the same statistics as ${copy.path} (a copy?); its samples would count twice`);
  });
}

/** Whether two statistics have the same batches with the same sums, bit for bit. */
function sameStatistics(a: CombatStatistics, b: CombatStatistics): boolean {
  if (a.batches.length !== b.batches.length) return false;
  return a.batches.every((batch, k) => {
    const other = b.batches[k]!;
    if (batch.batch !== other.batch || batch.samples !== other.samples) return false;
    const bytes = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    return (['mean', 'squares', 'covariateSum'] as const).every((name) => {
      const [x, y] = [bytes(batch[name]), bytes(other[name])];
      return x.length === y.length && x.every((byte, at) => byte === y[at]);
    });
  });
}
