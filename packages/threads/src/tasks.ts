/**
 * The tasks of {@link CombatThreads}'s workers: each is core's work on one range of features, its
 * outcome sent back as plain data (see transport.ts). What a task makes for a later one lies in
 * shared memory, so it crosses back and forth without a copy.
 */
import { applyEncoded, type CombatModel, type CombatStatistics, type DataMatrix, type DesignCoding, type EncodedRows } from '@combat/core';
import {
  accumulateColumns,
  adjustColumns,
  checkNoInfinity,
  finishRange,
  fitRange,
  iterateRange,
  shrinkRange,
  type BatchPriors,
  type FitPlan,
  type Iterations,
  type ModelArrays,
  type RangeFit,
} from '@combat/core/internal';
import { allocateShared } from './shared.js';
import { capture } from './transport.js';

/** The tasks by name: what the workers answer, and what their warm-up runs. */
export const TASKS = {
  accumulate: (coding: DesignCoding, matrix: DataMatrix, rows: EncodedRows, from: number, to: number) => capture(() => accumulateColumns(coding, matrix, rows, from, to, allocateShared)),
  fit: (plan: FitPlan, statistics: CombatStatistics, from: number, model: ModelArrays) => capture(() => fitRange(plan, statistics, from, model, allocateShared)),
  shrink: (plan: FitPlan, fit: RangeFit, kept: Int32Array, first: number, last: number, priors: BatchPriors[], model: ModelArrays) =>
    capture(() => shrinkRange(plan, fit, kept, first, last, priors, model)),
  iterate: (fit: RangeFit, kept: Int32Array, first: number, last: number, priors: BatchPriors[], model: ModelArrays, steps: (Iterations | null)[]) =>
    capture(() => iterateRange(fit, kept, first, last, priors, model, steps)),
  /** The end of a range's fit, then its adjustment with the model whose arrays are `arrays`: one round trip. */
  finishAdjust: (plan: FitPlan, fit: RangeFit, arrays: ModelArrays, model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, to: number) =>
    capture(() => finishAdjust(plan, fit, arrays, model, matrix, rows, out, to)),
  adjust: (model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, from: number, to: number) => capture(() => adjustColumns(model, matrix, rows, out, 0, from, to)),
  checkAdjust: (model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, from: number, to: number) => capture(() => checkAdjust(model, matrix, rows, out, from, to)),
  adjustSamples: (model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, from: number, to: number) => capture(() => adjustSamples(model, matrix, rows, out, from, to)),
};

/**
 * The last phase of a fit for the range of features `fit.from` to `to` (see {@link finishRange}),
 * then the range's adjustment into `out` with `model`, the model of the arrays: a range's values
 * are the model's once it is finished, whatever the other ranges' state.
 */
export function finishAdjust(plan: FitPlan, fit: RangeFit, arrays: ModelArrays, model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, to: number): void {
  finishRange(plan, fit, arrays);
  adjustColumns(model, matrix, rows, out, 0, fit.from, to);
}

/**
 * Columns `from` to `to` of `matrix` checked for infinite values (core's `checkNoInfinity` over
 * them), then adjusted into `out`: a range's share of `applyEncoded`, its check included.
 */
export function checkAdjust(model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, from: number, to: number): void {
  checkNoInfinity(matrix, from, to);
  adjustColumns(model, matrix, rows, out, 0, from, to);
}

/**
 * Samples `from` to `to` (exclusive) of `matrix` adjusted with a CovBat model into the same rows
 * of `out`: core's `applyEncoded` of those rows, every feature of each (CovBat adjusts whole
 * samples), its checks included. Each sample's arithmetic is its own, so its values are those of
 * the whole matrix's adjustment bit for bit; an error names a sample by its place in the range.
 */
export function adjustSamples(model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, from: number, to: number): void {
  const V = matrix.features;
  const q = rows.covariates.length / rows.samples;
  const part = { samples: to - from, batch: rows.batch.slice(from, to), covariates: rows.covariates.subarray(from * q, to * q) };
  applyEncoded(model, { data: matrix.data.subarray(from * V, to * V), samples: to - from, features: V }, part, out.subarray(from * V, to * V));
}
