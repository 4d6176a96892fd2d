import { checkInteger, checkObject, checkOptions } from '@combat/base/internal';
import {
  applyCombat as applyWhole,
  applyEncoded as applyEncodedWhole,
  CombatError,
  type ApplyOptions,
  type ApplyResult,
  type CombatModel,
  type CombatOptions,
  type CombatStatistics,
  type Covariates,
  type DataMatrix,
  type DesignCoding,
  type EncodedRows,
  type HarmonizeResult,
} from '@combat/core';
import {
  accumulateColumns,
  adjustColumns,
  allocateModel,
  assembleModel,
  checkEncodedApply,
  checkEncodedBlock,
  checkNoInfinity,
  estimateFitPriors,
  findFirstAtLeast,
  findKept,
  fitRange,
  fitWarnings,
  iterateRange,
  joinScreens,
  joinStatistics,
  planFit,
  prepareApply,
  prepareHarmonize,
  shrinkRange,
  allocateLocal,
  type Allocate,
  type FitPlan,
  type Iterations,
  type RangeFit,
} from '@combat/core/internal';
import type workerpool from 'workerpool';
import { splitFeatures } from './feature-ranges.js';
import { iterateOverRanges } from './iterations.js';
import { IN_NODE, startPool } from './pool.js';
import { allocateShared, requireSharedMemory, shareArray, shareMatrix, shareModel } from './shared.js';
import { adjustSamples, checkAdjust, finishAdjust } from './tasks.js';
import { unwrap, type Outcome } from './transport.js';

/**
 * Options of {@link CombatThreads}: how many threads do the work (1: the calling thread alone).
 *
 * @example
 * ```ts
 * const options: ThreadsOptions = { threads: 2 };
 * new CombatThreads(options).threads; // 2
 * ```
 */
export interface ThreadsOptions {
  readonly threads: number;
}

/**
 * `@combat/core`'s `harmonize`, `applyCombat` and the passes of a fit over blocks of rows on
 * several threads: the features are split into one consecutive range per thread, and each
 * range's share of every phase (accumulating its sufficient statistics, its regression, screen
 * and batch estimates, their shrinkage, and adjusting its values) runs on a worker (a worker
 * thread under Node, a module Web Worker in a browser); the calling thread does only what needs
 * every feature at once (the empirical-Bayes priors, the parametric solver's stopping point, the
 * warnings). Each value's arithmetic is the one core does, so the results are core's bit for bit,
 * for any number of threads. Inputs are checked as core checks them, with the same errors.
 *
 * The workers read the data and write the result in shared memory: data already in a
 * `SharedArrayBuffer` are read in place, others are copied into one first; the result's `data`
 * and a fitted model's arrays lie in `SharedArrayBuffer`s. A browser page must be cross-origin
 * isolated to share memory. The workers start with the object and stay until
 * {@link CombatThreads.close}; each warms up as it starts, before its first task (see the
 * constructor).
 *
 * @example
 * ```ts
 * import { applyCombat, harmonize } from '@combat/core';
 * import { CombatThreads } from '@combat/threads';
 *
 * const threads = new CombatThreads({ threads: 2 });
 * const result = await threads.harmonize(matrix, covariates);
 * result.data; // harmonize(matrix, covariates).data
 * const applied = await threads.applyCombat(model, matrix, covariates);
 * applied.data; // applyCombat(model, matrix, covariates).data
 * await threads.close();
 * ```
 */
export class CombatThreads {
  /** How many threads do the work. */
  readonly threads: number;
  private readonly pool: workerpool.Pool | null;
  /** The memory of what one phase hands to the next: shared with the workers, ordinary without them. */
  private readonly allocate: Allocate;

  /**
   * Starts `options.threads` workers (none for one thread: the work is then done on the calling
   * thread). Each worker warms up in the background before it takes a task: it runs the tasks of
   * a fit and an adjustment twice on a small synthetic problem, so that a caller's first call
   * runs optimized code; that costs each worker about 0.2-0.3 s of processor time (more time on a
   * busy machine), which a call made at once waits for.
   *
   * @throws `InvalidArgumentError` when `options.threads` is not a whole number from 1 to 1024.
   */
  constructor(options: ThreadsOptions) {
    const given = checkObject(options, 'CombatThreads: options', 'an object { threads }');
    this.threads = checkInteger(given.threads, 'CombatThreads: options.threads', 1, 1024);
    this.pool = this.threads === 1 ? null : startPool(this.threads);
    this.allocate = this.pool === null ? allocateLocal : allocateShared;
  }

  /**
   * Core's `harmonize` on these threads: the same checks, errors, model, warnings and values.
   *
   * @example
   * ```ts
   * import { harmonize } from '@combat/core';
   *
   * const threads = new CombatThreads({ threads: 2 });
   * const { data, model: fitted } = await threads.harmonize(matrix, covariates, { parametric: false });
   * data.length; // 24
   * fitted.batches.get('siteA')!.gammaStar; // harmonize(matrix, covariates, { parametric: false }).model.batches.get('siteA')!.gammaStar
   * await threads.close();
   * ```
   */
  async harmonize(matrix: DataMatrix, covariates: Covariates, options: CombatOptions = {}): Promise<HarmonizeResult> {
    const { coding, rows, fitOptions } = prepareHarmonize(matrix, covariates, options);
    const ranges = splitFeatures(matrix.features, this.threads);
    const shared = this.share(matrix);
    const parts = await this.accumulate(coding, shared, rows, ranges);
    return this.fitAdjust(planFit(parts[0] as CombatStatistics, fitOptions), parts, shared, rows, ranges);
  }

  /**
   * Core's `applyCombat` on these threads: the same checks, errors, new batches, warnings and
   * values. A CovBat model (`model.covbat`) adjusts whole samples, every feature of a sample at
   * once, so its samples are split across the threads instead of its features (core's values, bit
   * for bit).
   *
   * @example
   * ```ts
   * const threads = new CombatThreads({ threads: 2 });
   * const { model: extended } = await threads.applyCombat(model, newSite, newSiteCovariates, { newBatches: 'estimate' });
   * extended.batches.get('siteC')!.samples; // 3
   * await threads.close();
   * ```
   */
  async applyCombat(model: CombatModel, matrix: DataMatrix, covariates: Covariates, options: ApplyOptions = {}): Promise<ApplyResult> {
    checkOptions(options, 'applyCombat: options', 'an object { newBatches?, maxIterations? }');
    const prepared = prepareApply(model, matrix, covariates, options);
    if (prepared.model.covbat !== undefined) {
      const data = await this.adjustSamples(prepared.model, matrix, prepared.rows, () => applyWhole(model, matrix, covariates, options));
      return { data, model: prepared.model, warnings: prepared.warnings };
    }
    const data = await this.adjust(this.shareModel(prepared.model), this.share(matrix), prepared.rows, splitFeatures(matrix.features, this.threads));
    return { data, model: prepared.model, warnings: prepared.warnings };
  }

  /**
   * The statistics of a block of rows whose covariates are encoded with `coding` (core's
   * `encodeCovariates`), on these threads: bit for bit what
   * `new CombatAccumulator(coding, matrix.features).addEncoded(matrix, rows).statistics()` gives,
   * with the same checks and errors. A pass of a fit over a table read in blocks merges them
   * (core's `mergeStatistics`).
   *
   * @example
   * ```ts
   * import { CombatAccumulator, encodeCovariates } from '@combat/core';
   *
   * const threads = new CombatThreads({ threads: 2 });
   * const rows = encodeCovariates(model.coding, covariates);
   * const statistics = await threads.accumulateEncoded(model.coding, matrix, rows);
   * statistics.batches[0]!.mean; // new CombatAccumulator(model.coding, 3).addEncoded(matrix, rows).statistics().batches[0]!.mean
   * await threads.close();
   * ```
   */
  async accumulateEncoded(coding: DesignCoding, matrix: DataMatrix, rows: EncodedRows): Promise<CombatStatistics> {
    checkEncodedBlock(coding, matrix, rows);
    return joinStatistics(await this.accumulate(coding, this.share(matrix), rows, splitFeatures(matrix.features, this.threads)));
  }

  /**
   * Core's `applyEncoded` on these threads, into a new array (in shared memory with more than one
   * thread): the same checks, errors and values. A pass that adjusts a table read in blocks calls
   * it once per block with the same model (whose arrays are copied into shared memory once, for
   * that model object: change a model's arrays in place between calls and the threads keep the
   * copy; pass a new model object instead). A CovBat model adjusts whole samples: its samples are
   * split across the threads instead of its features.
   *
   * @example
   * ```ts
   * import { applyEncoded, encodeCovariates } from '@combat/core';
   *
   * const threads = new CombatThreads({ threads: 2 });
   * const rows = encodeCovariates(model.coding, covariates);
   * await threads.applyEncoded(model, matrix, rows); // applyEncoded(model, matrix, rows)
   * await threads.close();
   * ```
   */
  async applyEncoded(model: CombatModel, matrix: DataMatrix, rows: EncodedRows): Promise<Float64Array> {
    checkEncodedApply(model, matrix, rows);
    if (model.covbat !== undefined) return this.adjustSamples(model, matrix, rows, () => applyEncodedWhole(model, matrix, rows));
    // Each range's task looks for infinite values in its columns before it adjusts them. When a
    // task fails, the whole matrix is looked at here: an infinite value anywhere is then the
    // error, the first in row-major order, as core checks before it adjusts.
    return this.adjust(this.shareModel(model), this.share(matrix), rows, splitFeatures(matrix.features, this.threads), true).catch((error: unknown) => {
      checkNoInfinity(matrix);
      throw error;
    });
  }

  /**
   * Stops the workers; the object cannot be used afterwards.
   *
   * @example
   * ```ts
   * const threads = new CombatThreads({ threads: 2 });
   * await threads.close();
   * ```
   */
  async close(): Promise<void> {
    // Forced: a worker that never started (a browser that could not load its script) would
    // otherwise keep a graceful termination waiting for ever.
    await this.pool?.terminate(true);
  }

  /** Each range's statistics, accumulated by a worker. */
  private accumulate(coding: DesignCoding, matrix: DataMatrix, rows: EncodedRows, ranges: [number, number][]): Promise<CombatStatistics[]> {
    return this.runEach(ranges, 'accumulate', ([from, to]) => [() => accumulateColumns(coding, matrix, rows, from, to), [coding, matrix, rows, from, to]]);
  }

  /**
   * The phases of core's `finalizeModel`, each range's share of each on a worker, into a model
   * whose arrays are shared; each range is adjusted as soon as it is finished, in the same task.
   */
  private async fitAdjust(plan: FitPlan, parts: CombatStatistics[], matrix: DataMatrix, rows: EncodedRows, ranges: [number, number][]): Promise<HarmonizeResult> {
    const features = (ranges.at(-1) as [number, number])[1];
    const arrays = allocateModel(plan, features, this.allocate);
    const fits = await this.runEach(ranges, 'fit', ([from], r) => [() => fitRange(plan, parts[r] as CombatStatistics, from, arrays), [plan, parts[r], from, arrays]]);
    const screen = joinScreens(fits.map((fit) => fit.screen));
    const kept = this.pool === null ? findKept(screen) : shareArray(findKept(screen));
    const priors = estimateFitPriors(plan, screen, kept, arrays);
    // Each range's kept features: positions `first` to `last` of `kept`.
    const bounds = ranges.map(([from, to]): [number, number] => [findFirstAtLeast(kept, from), findFirstAtLeast(kept, to)]);
    await this.runEach(ranges, 'shrink', (_, r) => {
      const [first, last] = bounds[r] as [number, number];
      return [() => shrinkRange(plan, fits[r] as RangeFit, kept, first, last, priors, arrays), [plan, fits[r], kept, first, last, priors, arrays]];
    });
    const outcomes = await iterateOverRanges(plan, ranges.length, (steps) =>
      this.runEach(ranges, 'iterate', (_, r) => {
        const [first, last] = bounds[r] as [number, number];
        const mine = steps[r] as (Iterations | null)[];
        return [() => iterateRange(fits[r] as RangeFit, kept, first, last, priors, arrays, mine), [fits[r], kept, first, last, priors, arrays, mine]];
      }),
    );
    // The model's arrays are the ones the ranges finish: a range's values are final once its task has finished it.
    const model = assembleModel(plan, arrays, priors);
    const out = new Float64Array(this.allocate(matrix.samples * matrix.features * 8));
    await this.runEach(ranges, 'finishAdjust', ([, to], r) => [() => finishAdjust(plan, fits[r] as RangeFit, arrays, model, matrix, rows, out, to), [plan, fits[r], arrays, model, matrix, rows, out, to]]);
    // The screens as the last phase left them (it screens out estimates that are not usable).
    return { data: out, model, warnings: fitWarnings(plan, joinScreens(fits.map((fit) => fit.screen)), outcomes) };
  }

  /** Each range of features adjusted by a worker into one shared result (its columns checked for infinite values first when `check`). */
  private async adjust(model: CombatModel, matrix: DataMatrix, rows: EncodedRows, ranges: [number, number][], check = false): Promise<Float64Array> {
    const out = new Float64Array(this.allocate(matrix.samples * matrix.features * 8));
    await this.runEach(ranges, check ? 'checkAdjust' : 'adjust', ([from, to]) => [
      () => (check ? checkAdjust(model, matrix, rows, out, from, to) : adjustColumns(model, matrix, rows, out, 0, from, to)),
      [model, matrix, rows, out, from, to],
    ]);
    return out;
  }

  /**
   * A CovBat model's adjustment (whole samples, every feature of each): the samples split into
   * one consecutive range per thread, each adjusted by a worker (core's `applyEncoded` of its
   * rows) into one shared result. When a task fails, `core` (core's adjustment of every sample)
   * runs here: the error it throws is core's, the first core meets.
   */
  private async adjustSamples(model: CombatModel, matrix: DataMatrix, rows: EncodedRows, core: () => unknown): Promise<Float64Array> {
    const [shared, data] = [this.shareModel(model), this.share(matrix)];
    const out = new Float64Array(this.allocate(matrix.samples * matrix.features * 8));
    // The samples split as features are: consecutive ranges of sizes differing by at most one.
    const ranges = splitFeatures(matrix.samples, this.threads);
    await this.runEach(ranges, 'adjustSamples', ([from, to]) => [() => adjustSamples(shared, data, rows, out, from, to), [shared, data, rows, out, from, to]]).catch((error: unknown) => {
      core();
      throw error;
    });
    return out;
  }

  /**
   * A task per range, on the workers (or here without them), their values in range order. When
   * tasks fail, the error thrown is core's class with core's message, and the one core would
   * have thrown first: the first failed range's, or of errors naming a sample and a feature, the
   * first in row-major order (ranges are columns).
   */
  private async runEach<T>(ranges: [number, number][], method: string, task: (range: [number, number], r: number) => [() => T, unknown[]]): Promise<T[]> {
    const settled = await Promise.allSettled(ranges.map((range, r) => this.run(method, ...task(range, r))));
    const failures = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    if (failures.length > 0) throw firstInRowMajorOrder(failures);
    return settled.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
  }

  /** A task on a worker, or here without workers; its error thrown as the class core threw. */
  private async run<T>(method: string, here: () => T, args: unknown[]): Promise<T> {
    if (this.pool === null) return here();
    const outcome = await this.pool.exec(method, args).catch((error: unknown) => {
      // Not core's error (those come back as outcomes): the worker itself failed or could not start.
      const hint = IN_NODE ? '' : "; its script (worker.js beside threads.js) must load as a module, served with the page's Cross-Origin-Embedder-Policy header";
      throw new Error(`CombatThreads: a worker stopped without answering (${(error as Error)?.message ?? String(error)})${hint}`, { cause: error });
    });
    return unwrap(outcome as Outcome<T>);
  }

  /** The matrix as the workers read it: in shared memory. */
  private share(matrix: DataMatrix): DataMatrix {
    if (this.pool === null) return matrix;
    requireSharedMemory();
    return shareMatrix(matrix);
  }

  /** The model as the workers read it: in shared memory. */
  private shareModel(model: CombatModel): CombatModel {
    if (this.pool === null) return model;
    requireSharedMemory();
    return shareModel(model);
  }
}

/** Of errors from ranges in order, the first core would throw: among those naming a sample and a feature, the first in row-major order; else the first. */
function firstInRowMajorOrder(errors: unknown[]): unknown {
  const located = errors.filter((error): error is CombatError => error instanceof CombatError && error.sample !== undefined && error.feature !== undefined);
  if (located.length === 0) return errors[0];
  return located.reduce((best, error) => ((error.sample as number) < (best.sample as number) || (error.sample === best.sample && (error.feature as number) < (best.feature as number)) ? error : best));
}
