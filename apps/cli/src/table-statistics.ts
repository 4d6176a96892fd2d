import { CombatAccumulator, codeDesign, encodeCovariates, type CombatStatistics, type Covariates, type DesignOptions } from '@combat/core';
import { inRows } from './explain.js';
import type { PairedTables } from './pairing.js';
import { countMissing, eachChunk, type ChunkContext } from './table-passes.js';

/**
 * The statistics of a table's rows (`fit-partial`): the design coded from the covariates of every
 * row (levels, ranges, the splines' knots), then one pass over the data's chunks accumulating
 * their feature columns, as the fit pass of `harmonize` does; errors of the library in the
 * command's words (file, row, column). Also counts the missing cells, for the summary.
 */
export async function accumulateTable(
  paired: PairedTables,
  features: readonly string[],
  covariates: Covariates,
  splines: DesignOptions['splines'],
  context: ChunkContext,
): Promise<{ statistics: CombatStatistics; missingCells: number }> {
  const { coding, encoded } = inRows({ ...context, table: paired.data }, () => {
    const design = codeDesign(covariates, splines === undefined ? {} : { splines });
    return { coding: design, encoded: encodeCovariates(design, covariates) };
  });
  const accumulator = new CombatAccumulator(coding, features.length);
  let missingCells = 0;
  await eachChunk(paired, features, encoded, context, (_, matrix, rows) => {
    accumulator.addEncoded(matrix, rows);
    missingCells += countMissing(matrix);
  });
  return { statistics: accumulator.statistics(), missingCells };
}
