import { checkOneOf, checkOptions, checkStrings, refuseArgument } from '@combat/base/internal';
import { ShapeMismatchError, type DataMatrix } from '@combat/core';
import { anovaOfGroups } from './anova.js';
import { bartlettOfGroups } from './bartlett.js';
import { FeatureGroups, indexBatches, type FeatureWhere } from './batch-groups.js';
import { benjaminiHochberg } from './benjamini-hochberg.js';
import { flignerKilleenOfGroups } from './fligner-killeen.js';
import { kruskalWallisOfGroups } from './kruskal-wallis.js';
import { leveneOfGroups } from './levene.js';
import { checkMatrix } from './matrix-check.js';
import { median } from './sample-summaries.js';

/**
 * The tests across batches, by name: `anova` and `kruskal-wallis` test location, `levene`,
 * `bartlett` and `fligner-killeen` scale.
 *
 * @example
 * ```ts
 * const name: BatchTestName = 'fligner-killeen';
 * BATCH_TESTS.includes(name); // true
 * ```
 */
export type BatchTestName = 'anova' | 'kruskal-wallis' | 'levene' | 'bartlett' | 'fligner-killeen';

/**
 * Every test {@link testBatches} runs by default, in the order it reports them.
 *
 * @example
 * ```ts
 * BATCH_TESTS; // ['anova', 'kruskal-wallis', 'levene', 'bartlett', 'fligner-killeen']
 * ```
 */
export const BATCH_TESTS: readonly BatchTestName[] = Object.freeze(['anova', 'kruskal-wallis', 'levene', 'bartlett', 'fligner-killeen']);

/**
 * Options of {@link testBatches}: which tests (default {@link BATCH_TESTS}), the features' names
 * (for messages), and the false discovery rate at which a feature counts as having a batch
 * effect (default 0.05).
 *
 * @example
 * ```ts
 * const options: TestBatchesOptions = { tests: ['anova', 'levene'], features: ['lh_a', 'lh_b', 'lh_c'], fdr: 0.1 };
 * testBatches(matrix, batch, options).map((result) => result.test); // ['anova', 'levene']
 * ```
 */
export interface TestBatchesOptions {
  readonly tests?: readonly BatchTestName[];
  readonly features?: readonly string[];
  readonly fdr?: number;
}

/**
 * Why a feature has no result in a test of {@link testBatches} (its statistic, p and adjusted p
 * are NaN): `too-few-batches` (finite values in fewer than two batches), `too-few-values-in-batch`
 * (a scale test, and a batch with fewer than two finite values: `batch` names it),
 * `too-few-values` (an F test, and no more finite values than batches), `constant` (the statistic
 * is 0/0, as R gives it: all values equal, or for a scale test every batch's values equal).
 *
 * @example
 * ```ts
 * const cause: UntestedCause = 'too-few-values-in-batch';
 * cause; // 'too-few-values-in-batch'
 * ```
 */
export type UntestedCause = 'too-few-batches' | 'too-few-values-in-batch' | 'too-few-values' | 'constant';

/**
 * A feature a test of {@link testBatches} could not test: its 0-based index, the cause and, for
 * `too-few-values-in-batch`, the batch.
 *
 * @example
 * ```ts
 * const data = matrix.data.slice();
 * data[7 * 3] = NaN; // feature 0 of the last sample
 * const [levene] = testBatches({ ...matrix, data }, ['siteA', 'siteA', 'siteA', 'siteA', 'siteA', 'siteA', 'siteB', 'siteB'], { tests: ['levene'] });
 * const untested: UntestedFeature[] = [...levene!.untested];
 * untested; // [{ feature: 0, cause: 'too-few-values-in-batch', batch: 'siteB' }]
 * ```
 */
export interface UntestedFeature {
  readonly feature: number;
  readonly cause: UntestedCause;
  readonly batch?: string;
}

/**
 * One test of every feature of a matrix: per feature (index v) its `statistic`, degrees of freedom
 * `df` (the numerator's for an F test) and `df2` (an F test's denominator; null for a chi-squared
 * test), `p` and Benjamini-Hochberg `adjusted` p; over the features, `share`, the share of the
 * tested features whose adjusted p is at most the FDR (those with a batch effect), and
 * `medianStatistic`. A feature the test cannot test has NaN there (and NaN degrees of freedom
 * unless the statistic alone is 0/0) and is listed in `untested` with the cause; such features
 * count in neither summary.
 *
 * @example
 * ```ts
 * const [location]: FeatureTests[] = testBatches(matrix, batch, { tests: ['anova'] });
 * [location.test, location.df[0], location.df2?.[0], location.untested.length]; // ['anova', 1, 6, 0]
 * ```
 */
export interface FeatureTests {
  readonly test: BatchTestName;
  readonly statistic: Float64Array;
  readonly df: Float64Array;
  readonly df2: Float64Array | null;
  readonly p: Float64Array;
  readonly adjusted: Float64Array;
  readonly share: number;
  readonly medianStatistic: number;
  readonly untested: readonly UntestedFeature[];
}

/**
 * Tests every feature of a samples x features matrix for a difference between batches: location
 * (one-way ANOVA, Kruskal-Wallis) and scale (Levene with median centring, Bartlett,
 * Fligner-Killeen), each as R computes it (see the functions of the same names), with
 * Benjamini-Hochberg adjusted p-values and the share of features with a batch effect at the FDR.
 * Give it the residuals of the covariate model ({@link fitCovariates}) before and after
 * harmonization to see whether the batch effects are gone. Each feature's NaN cells are skipped.
 * A feature a test cannot test (too few values, or all equal) does not stop the run: it gets NaN
 * and a cause in `untested` (the single-feature functions throw instead).
 *
 * @throws {@link InvalidArgumentError} when an argument or option is not of the right kind.
 * @throws {@link EmptyInputError} when the matrix has no sample or no feature.
 * @throws {@link ShapeMismatchError} when `data` does not hold samples x features values, or
 * `batch` (or `features`) has not one entry per sample (feature).
 * @throws {@link InvalidValueError} when a value is infinite (`sample`, `feature` set; the
 * message names the feature too when `features` are given).
 *
 * @example
 * ```ts
 * const results = testBatches(matrix, batch);
 * results.map((result) => result.test); // ['anova', 'kruskal-wallis', 'levene', 'bartlett', 'fligner-killeen']
 * results[0]!.p[0]!.toPrecision(6); // '0.00817742'
 * results[0]!.share; // 1
 * const lopsided = testBatches(matrix, ['siteA', 'siteA', 'siteA', 'siteA', 'siteA', 'siteA', 'siteA', 'siteB']);
 * [lopsided[0]!.untested.length, lopsided[2]!.untested.length, lopsided[2]!.share]; // [0, 3, NaN]
 * ```
 */
export function testBatches(matrix: DataMatrix, batch: readonly string[], options: TestBatchesOptions = {}): FeatureTests[] {
  const { samples, features } = checkMatrix(matrix);
  const index = indexBatches(batch, 'testBatches: batch');
  if (batch.length !== samples) throw new ShapeMismatchError(`batch has ${batch.length} labels; expected one per sample (${samples})`);
  const checked = checkOptions(options, 'testBatches: options');
  const tests = checked.tests === undefined ? BATCH_TESTS : checkStrings(checked.tests, 'testBatches: options.tests').map((name, k) => checkOneOf(name, `testBatches: options.tests[${k}]`, BATCH_TESTS));
  if (tests.length === 0) refuseArgument('testBatches: options.tests', 'at least one test', checked.tests);
  const names = checked.features === undefined ? undefined : checkStrings(checked.features, 'testBatches: options.features');
  if (names !== undefined && names.length !== features) throw new ShapeMismatchError(`options.features has ${names.length} names; expected one per feature (${features})`);
  const fdr = checked.fdr === undefined ? 0.05 : checked.fdr;
  if (typeof fdr !== 'number' || !(fdr > 0 && fdr < 1)) refuseArgument('testBatches: options.fdr', 'a number between 0 and 1', fdr);
  const results = tests.map((test) => ({
    test,
    statistic: new Float64Array(features),
    df: new Float64Array(features),
    df2: isFTest(test) ? new Float64Array(features) : null,
    p: new Float64Array(features),
    untested: [] as UntestedFeature[],
  }));
  const groups = new FeatureGroups(index);
  for (let v = 0; v < features; v++) {
    const where: FeatureWhere = names === undefined ? { feature: v } : { feature: v, name: names[v] as string };
    groups.load(matrix.data, v, features, where);
    for (const result of results) {
      const reason = untestable(result.test, groups);
      const outcome = reason === null ? runTest(result.test, groups, where) : { statistic: NaN, df: NaN, df1: NaN, df2: NaN, p: NaN };
      result.statistic[v] = outcome.statistic;
      result.df[v] = 'df' in outcome ? outcome.df : outcome.df1;
      if (result.df2 !== null && 'df2' in outcome) result.df2[v] = outcome.df2;
      result.p[v] = outcome.p;
      if (reason !== null) result.untested.push({ feature: v, ...reason });
      else if (Number.isNaN(outcome.statistic)) result.untested.push({ feature: v, cause: 'constant' });
    }
  }
  return results.map((result) => {
    const adjusted = benjaminiHochberg(result.p);
    let tested = 0;
    let significant = 0;
    for (const q of adjusted) {
      if (Number.isNaN(q)) continue;
      tested++;
      if (q <= fdr) significant++;
    }
    return { ...result, adjusted, share: tested === 0 ? NaN : significant / tested, medianStatistic: median(result.statistic.filter((x) => !Number.isNaN(x))) };
  });
}

/** Why a test cannot test groups of finite values (which may be fewer than two), or null. */
function untestable(test: BatchTestName, groups: FeatureGroups): { cause: UntestedCause; batch?: string } | null {
  if (groups.k < 2) return { cause: 'too-few-batches' };
  if (test === 'levene' || test === 'bartlett' || test === 'fligner-killeen') {
    for (let g = 0; g < groups.k; g++) if (groups.size(g) < 2) return { cause: 'too-few-values-in-batch', batch: groups.label(g) };
  }
  if (test === 'anova' && groups.n <= groups.k) return { cause: 'too-few-values' };
  return null;
}

function isFTest(test: BatchTestName): boolean {
  return test === 'anova' || test === 'levene';
}

/** The test's name in messages. */
function testLabel(test: BatchTestName): string {
  return { anova: 'ANOVA', 'kruskal-wallis': 'Kruskal-Wallis test', levene: 'Levene test', bartlett: 'Bartlett test', 'fligner-killeen': 'Fligner-Killeen test' }[test];
}

function runTest(test: BatchTestName, groups: FeatureGroups, where: FeatureWhere) {
  switch (test) {
    case 'anova':
      return anovaOfGroups(groups.values, groups, where, testLabel(test));
    case 'kruskal-wallis':
      return kruskalWallisOfGroups(groups);
    case 'levene':
      return leveneOfGroups(groups, where);
    case 'bartlett':
      return bartlettOfGroups(groups);
    case 'fligner-killeen':
      return flignerKilleenOfGroups(groups);
  }
}
