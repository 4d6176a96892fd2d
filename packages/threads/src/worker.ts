/**
 * The worker of {@link CombatThreads}: each task is core's work on one range of features, its
 * outcome sent back as plain data (see transport.ts). What a task makes for a later one lies in
 * shared memory, so it crosses back and forth without a copy.
 */
import workerpool from 'workerpool';
import type { CombatModel, CombatStatistics, DataMatrix, DesignCoding, EncodedRows } from '@combat/core';
import {
  accumulateColumns,
  adjustColumns,
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

workerpool.worker({
  accumulate: (coding: DesignCoding, matrix: DataMatrix, rows: EncodedRows, from: number, to: number) => capture(() => accumulateColumns(coding, matrix, rows, from, to, allocateShared)),
  fit: (plan: FitPlan, statistics: CombatStatistics, from: number, model: ModelArrays) => capture(() => fitRange(plan, statistics, from, model, allocateShared)),
  shrink: (plan: FitPlan, fit: RangeFit, kept: Int32Array, first: number, last: number, priors: BatchPriors[], model: ModelArrays) =>
    capture(() => shrinkRange(plan, fit, kept, first, last, priors, model)),
  iterate: (fit: RangeFit, kept: Int32Array, first: number, last: number, priors: BatchPriors[], model: ModelArrays, steps: (Iterations | null)[]) =>
    capture(() => iterateRange(fit, kept, first, last, priors, model, steps)),
  finish: (plan: FitPlan, fit: RangeFit, model: ModelArrays) => capture(() => finishRange(plan, fit, model)),
  adjust: (model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, from: number, to: number) => capture(() => adjustColumns(model, matrix, rows, out, 0, from, to)),
});
