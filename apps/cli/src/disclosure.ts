import type { BatchStatistics, CombatStatistics, DesignCoding } from '@combat/core';

/**
 * What statistics would give away about single samples, as warnings for the site that writes
 * them: a batch of one sample (its means are its values), a categorical level held by one sample
 * of a batch (its values are its batch's means plus the sums over that level), and a feature with
 * a single finite value in a batch (its mean is that value). Sums over two samples or more reveal
 * no value of a sample. `names` names the features: column names, or for volumes (`voxels`) the
 * voxel indices.
 */
export function disclosureWarnings(statistics: CombatStatistics, names: readonly string[], voxels: boolean): string[] {
  const warnings: string[] = [];
  const q = statistics.coding.columns.length;
  for (const batch of statistics.batches) {
    if (batch.samples === 1) {
      warnings.push(`batch ${batch.batch} has a single sample: the statistics hold its values as they are; share them only with more samples of that batch, or without it`);
      continue;
    }
    const levels = singleLevels(statistics.coding, batch);
    if (levels.length > 0) {
      warnings.push(
        `in batch ${batch.batch}, ${levels.join(', ')} ${levels.length === 1 ? 'is' : 'are each'} held by a single sample: its values can be worked out from the statistics (its batch's means plus the sums over its level)`,
      );
    }
    const stride = 1 + q + q * q;
    const lone = Array.from(batch.missingFeatures).filter((_, j) => batch.samples - (batch.missingSums[j * stride] as number) === 1);
    if (lone.length > 0) {
      const listed = lone.slice(0, 10).map((v) => names[v]).join(', ');
      const what = voxels ? `voxel(s) of the mask (by index) with a single finite value in batch ${batch.batch}` : `feature(s) with a single finite value in batch ${batch.batch}`;
      warnings.push(`${lone.length} ${what}: the statistics hold that value (as its mean): ${listed}${lone.length > 10 ? ', ...' : ''}`);
    }
  }
  return warnings;
}

/** The categorical levels one sample of a batch holds, described (`level "M" of "sex"`), from the batch's covariate sums. */
function singleLevels(coding: DesignCoding, batch: BatchStatistics): string[] {
  const found: string[] = [];
  let column = 0;
  for (const term of coding.terms) {
    if (term.kind !== 'categorical') {
      column += term.kind === 'continuous' ? 1 : term.knots.length + 1;
      continue;
    }
    // The reference level has no column: its count is what the other levels leave.
    const counts = term.levels.slice(1).map((_, k) => batch.covariateSum[column + k] as number);
    counts.unshift(batch.samples - counts.reduce((a, n) => a + n, 0));
    counts.forEach((count, k) => {
      if (count === 1) found.push(`level ${JSON.stringify(term.levels[k])} of "${term.name}"`);
    });
    column += term.levels.length - 1;
  }
  return found;
}
