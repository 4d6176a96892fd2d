/**
 * The variables the TSDoc examples of `@combat/report` use without declaring them: the diagnostics
 * of core's example study (8 samples in two batches of 4, 3 features, sex and age, harmonized with
 * the default model) and the facts of a run.
 */
import { harmonize } from '@combat/core';
import { diagnose } from '@combat/diagnostics';
import { exampleStudy } from '@combat/test-support';
import type { ReportFacts } from '../src/index.js';

export function context() {
  const { matrix, covariates } = exampleStudy();
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
