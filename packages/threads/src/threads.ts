import { checkInteger, checkObject, checkOptions } from '@combat/base/internal';
import {
  finalizeModel,
  type ApplyOptions,
  type ApplyResult,
  type CombatModel,
  type CombatOptions,
  type CombatStatistics,
  type Covariates,
  type DataMatrix,
  type HarmonizeResult,
} from '@combat/core';
import { accumulateColumns, adjustColumns, joinStatistics, prepareApply, prepareHarmonize, sliceModel } from '@combat/core/internal';
import type workerpool from 'workerpool';
import { splitFeatures } from './feature-ranges.js';
import { startPool } from './pool.js';
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
 * `@combat/core`'s `harmonize` and `applyCombat` on several threads: the features are split into
 * one consecutive range per thread, each range's sufficient statistics are accumulated and its
 * values adjusted on a worker (a worker thread under Node, a module Web Worker in a browser),
 * and the model is finalized in between on the calling thread. Each feature's arithmetic is the
 * one core does, so the results are core's bit for bit, for any number of threads. Inputs are
 * checked as core checks them, with the same errors.
 *
 * The workers read the data and write the result in shared memory: data already in a
 * `SharedArrayBuffer` are read in place, others are copied into one first; the result's `data`
 * lies in a `SharedArrayBuffer`. A browser page must be cross-origin isolated to share memory.
 * The workers start with the object and stay until {@link CombatThreads.close}.
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

  /**
   * Starts `options.threads` workers (none for one thread: the work is then done on the calling
   * thread).
   *
   * @throws `InvalidArgumentError` when `options.threads` is not a whole number from 1 to 1024.
   */
  constructor(options: ThreadsOptions) {
    const given = checkObject(options, 'CombatThreads: options', 'an object { threads }');
    this.threads = checkInteger(given.threads, 'CombatThreads: options.threads', 1, 1024);
    this.pool = this.threads === 1 ? null : startPool(this.threads);
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
    const parts = await Promise.all(
      ranges.map(([from, to]) => this.run<CombatStatistics>('accumulate', () => accumulateColumns(coding, shared, rows, from, to), [coding, shared, rows, from, to])),
    );
    const { model, warnings } = finalizeModel(joinStatistics(parts), fitOptions);
    return { data: await this.adjust(model, shared, rows, ranges), model, warnings };
  }

  /**
   * Core's `applyCombat` on these threads: the same checks, errors, new batches, warnings and
   * values.
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
    const data = await this.adjust(prepared.model, this.share(matrix), prepared.rows, splitFeatures(matrix.features, this.threads));
    return { data, model: prepared.model, warnings: prepared.warnings };
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

  /** Each range of features adjusted by a worker into one shared result. */
  private async adjust(model: CombatModel, matrix: DataMatrix, rows: Parameters<typeof adjustColumns>[2], ranges: [number, number][]): Promise<Float64Array> {
    const out = this.pool === null ? new Float64Array(matrix.samples * matrix.features) : new Float64Array(new SharedArrayBuffer(matrix.samples * matrix.features * 8));
    await Promise.all(
      ranges.map(([from, to]) => {
        const slice = ranges.length === 1 ? model : sliceModel(model, from, to);
        return this.run('adjust', () => adjustColumns(slice, matrix, rows, out, from), [slice, matrix, rows, out, from]);
      }),
    );
    return out;
  }

  /** A task on a worker, or here without workers; its error thrown as the class core threw. */
  private async run<T>(method: string, here: () => T, args: unknown[]): Promise<T> {
    if (this.pool === null) return here();
    const outcome = await this.pool.exec(method, args).catch((error: unknown) => {
      // Not core's error (those come back as outcomes): the worker itself failed or could not start.
      throw new Error(
        `CombatThreads: a worker stopped without answering (${(error as Error)?.message ?? String(error)}); in a browser, its script (worker.js beside threads.js) must load as a module, served with the page's Cross-Origin-Embedder-Policy header`,
        { cause: error },
      );
    });
    return unwrap(outcome as Outcome<T>);
  }

  /** The matrix with its values in shared memory (as given when they already are). */
  private share(matrix: DataMatrix): DataMatrix {
    if (this.pool === null) return matrix;
    // Checked first: where memory cannot be shared, the name SharedArrayBuffer is not even defined.
    if (typeof SharedArrayBuffer !== 'function') {
      throw new TypeError('CombatThreads: this page cannot share memory with its workers (SharedArrayBuffer needs a cross-origin isolated page); serve it with COOP/COEP headers, or use { threads: 1 }');
    }
    if (matrix.data.buffer instanceof SharedArrayBuffer) return matrix;
    const buffer = new SharedArrayBuffer(matrix.data.byteLength);
    const data = matrix.data instanceof Float32Array ? new Float32Array(buffer) : new Float64Array(buffer);
    data.set(matrix.data);
    return { data, samples: matrix.samples, features: matrix.features };
  }
}
