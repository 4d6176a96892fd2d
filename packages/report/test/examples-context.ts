/**
 * The variables the TSDoc examples of `@combat/report` use without declaring them: the diagnostics
 * of core's example study (8 samples in two batches of 4, 3 features, sex and age, harmonized with
 * the default model) and the facts of a run.
 */
import { harmonize, type Covariates, type DataMatrix } from '@combat/core';
import { diagnose } from '@combat/diagnostics';
import type { ReportFacts } from '../src/index.js';

const values = [
  // siteA: thickness of three regions
  2.61, 2.48, 3.05,
  2.55, 2.40, 2.98,
  2.70, 2.52, 3.11,
  2.49, 2.37, 2.90,
  // siteB: thicker on average, and more spread
  2.83, 2.71, 3.32,
  2.95, 2.66, 3.41,
  2.74, 2.80, 3.20,
  3.02, 2.59, 3.47,
];

export function context() {
  const matrix: DataMatrix = { data: Float64Array.from(values), samples: 8, features: 3 };
  const covariates = {
    batch: ['siteA', 'siteA', 'siteA', 'siteA', 'siteB', 'siteB', 'siteB', 'siteB'],
    categorical: { sex: ['F', 'M', 'F', 'M', 'F', 'M', 'F', 'M'] },
    continuous: { age: [34, 51, 47, 29, 62, 45, 38, 56] },
  } satisfies Covariates;
  const { data, model } = harmonize(matrix, covariates);
  const diagnostics = diagnose(matrix, { ...matrix, data }, covariates, model, { names: ['lh_a', 'lh_b', 'lh_c'], folds: 4 });
  const facts: ReportFacts = {
    version: '0.1.0',
    date: new Date('2026-11-22T10:00:00Z'),
    command: ['combat', 'harmonize', '--data', 'thickness.csv', '--batch', 'site', '--report', 'report.html'],
    mode: 'parametric empirical Bayes, location and scale',
    options: [['--batch', 'site']],
    inputs: [['the table', 'thickness.csv']],
    outputs: [['the report', 'report.html']],
  };
  return { diagnostics, facts };
}
