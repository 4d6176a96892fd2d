/**
 * The R references of `test/fixtures/` (made by `make-diagnostics.R` in the shared fixtures'
 * tools; see test/fixtures/README.md): per-feature tests, their summaries, residuals and effects.
 */
import { readCsvFixture, type CsvTable } from '@combat/test-support';
import { expect } from 'vitest';
import type { BatchTestName } from '../src/index.js';

export const REFERENCES = new URL('./fixtures/', import.meta.url);

/** A file of the references, e.g. `reference('edge', 'tests.csv')`. */
export function reference(...parts: string[]): CsvTable {
  return readCsvFixture(new URL(parts.join('/'), REFERENCES).pathname);
}

/** A cell as R wrote it: 17 significant digits, NaN, Inf or -Inf. */
export function cell(text: string | undefined): number {
  if (text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** A column of a table as numbers. */
export function column(table: CsvTable, name: string): Float64Array {
  if (!table.columns.includes(name)) throw new Error(`no column ${name}`);
  return Float64Array.from(table.rows, (row) => cell(row[name]));
}

/** The columns of tests.csv for each test: its statistic, degrees of freedom, p and adjusted p. */
export const TEST_COLUMNS: Record<BatchTestName, { prefix: string; statistic: string; df: string; df2?: string }> = {
  anova: { prefix: 'anova', statistic: 'anova_F', df: 'anova_df1', df2: 'anova_df2' },
  'kruskal-wallis': { prefix: 'kruskal', statistic: 'kruskal_H', df: 'kruskal_df' },
  levene: { prefix: 'levene', statistic: 'levene_F', df: 'levene_df1', df2: 'levene_df2' },
  bartlett: { prefix: 'bartlett', statistic: 'bartlett_K2', df: 'bartlett_df' },
  'fligner-killeen': { prefix: 'fligner', statistic: 'fligner_X2', df: 'fligner_df' },
};

/**
 * Every value within `relative * |expected|` (a relative rule with no absolute floor, so a p-value
 * of 1e-290 is checked to its own digits), NaN exactly where expected, and an exact 0 or infinity
 * only where the same is expected. Reports the worst cell.
 */
export function expectRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, label: string): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (a === e) continue;
    if (Number.isNaN(a) || Number.isNaN(e) || !Number.isFinite(a) || !Number.isFinite(e) || e === 0) expect.fail(`${label}[${i}]: actual ${a}, expected ${e}`);
    const ratio = Math.abs(a - e) / (relative * Math.abs(e));
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (worst >= 0 && !(worstRatio <= 1)) expect.fail(`${label}[${worst}]: actual ${actual[worst]}, expected ${expected[worst]} (${worstRatio.toExponential(2)} x the tolerance)`);
}
