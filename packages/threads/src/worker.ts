/**
 * The worker of {@link CombatThreads}: each task is core's work on one range of features, its
 * outcome sent back as plain data (see transport.ts).
 */
import workerpool from 'workerpool';
import type { CombatModel, DataMatrix, DesignCoding, EncodedRows } from '@combat/core';
import { accumulateColumns, adjustColumns } from '@combat/core/internal';
import { capture } from './transport.js';

workerpool.worker({
  accumulate: (coding: DesignCoding, matrix: DataMatrix, rows: EncodedRows, from: number, to: number) => capture(() => accumulateColumns(coding, matrix, rows, from, to)),
  adjust: (model: CombatModel, matrix: DataMatrix, rows: EncodedRows, out: Float64Array, from: number) => capture(() => adjustColumns(model, matrix, rows, out, from)),
});
