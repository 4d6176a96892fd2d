import type { BatchTestName, Diagnostics } from '@combat/diagnostics';

/** Each test across batches as the report names it, with what it looks at. */
export const TEST_LABELS: Readonly<Record<BatchTestName, { readonly name: string; readonly looks: 'location' | 'scale' }>> = {
  anova: { name: 'ANOVA', looks: 'location' },
  'kruskal-wallis': { name: 'Kruskal-Wallis', looks: 'location' },
  levene: { name: 'Levene (median)', looks: 'scale' },
  bartlett: { name: 'Bartlett', looks: 'scale' },
  'fligner-killeen': { name: 'Fligner-Killeen', looks: 'scale' },
};

/** A feature's name: the caller's (a table column, a voxel), or its number from 1 without one. */
export function featureName(diagnostics: Diagnostics, feature: number): string {
  return diagnostics.names?.[feature] ?? `#${feature + 1}`;
}
