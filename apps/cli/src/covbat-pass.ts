import type { CombatModel, CombatWarning, DataMatrix, EncodedRows } from '@combat/core';
import { fitCovbat, type ComponentChoice } from '@combat/core/internal';
import type { CombatThreads } from '@combat/threads';
import { inRows } from './explain.js';
import { KeptRows } from './kept-rows.js';
import type { PairedTables } from './pairing.js';
import { eachChunk, type ChunkContext } from './table-passes.js';

/**
 * The CovBat step of `combat harmonize --covbat`, between the fit and the adjust pass: CovBat's
 * principal components need every row at once, so a pass over the chunks keeps the whole ComBat
 * output (samples x features float64: 8 bytes a cell, and as much again while the components are
 * computed), then core fits the CovBat part on it. Returns the model with its CovBat part, which
 * the adjust pass applies row by row (core's `applyEncoded`, the same values as the fit's), and the
 * ComBat output kept (`combat`: the diagnostics' state between ComBat and CovBat).
 */
export async function fitCovbatChunks(
  paired: PairedTables,
  features: readonly string[],
  fitted: { readonly model: CombatModel; readonly encoded: EncodedRows },
  context: ChunkContext,
  choice: ComponentChoice,
  threads: CombatThreads,
): Promise<{ model: CombatModel; components: number; variance: number; warnings: CombatWarning[]; combat: DataMatrix }> {
  const combat = new KeptRows(fitted.encoded.samples, features.length);
  await eachChunk(paired, features, fitted.encoded, context, async (chunk, matrix, rows) => {
    combat.set(chunk.firstRow ?? 0, await threads.applyEncoded(fitted.model, matrix, rows));
  });
  const { model, components, variance, warnings } = inRows({ ...context, table: paired.data }, () => fitCovbat(fitted.model, combat.data as Float64Array, fitted.encoded, choice));
  return { model, components, variance, warnings, combat: combat.matrix() };
}
