import { harmonize, harmonizeCovbat } from '@combat/core';
import { diagnose, type Diagnostics } from '@combat/diagnostics';
import { loadCase, loadCovbatCase } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { figure, percent } from '../src/html.js';
import { renderReport } from '../src/index.js';

/** A table run: by default the shared fixture with missing cells and a 3-level categorical, through core's harmonize. */
function tableRun(name = 'roi-missing-parametric'): Diagnostics {
  const { matrix, covariates, options } = loadCase(name);
  const { data, model } = harmonize(matrix, covariates, options);
  const names = Array.from({ length: matrix.features }, (_, v) => `roi_${v + 1}`);
  return diagnose(matrix, { ...matrix, data }, covariates, model, { names });
}

const facts = {
  version: '0.1.0',
  date: new Date('2026-11-22T01:00:00Z'),
  command: ['combat', 'harmonize', 'data.csv', '--batch', 'site', '--out', 'harmonized.csv', '--report', 'my report.html'],
  mode: 'parametric empirical Bayes, location and scale',
  options: [
    ['--batch', 'site'],
    ['--eb', 'parametric'],
  ] as const,
  inputs: [['the table', 'data.csv']] as const,
  outputs: [
    ['the harmonized table', 'harmonized.csv'],
    ['the report', 'my report.html'],
  ] as const,
};

describe('the diagnostics report', () => {
  it('puts the verdict first, and names the run\u2019s facts', async () => {
    for (const diagnostics of [tableRun(), tableRun('roi-refbatch-nonparametric')]) {
      const html = await renderReport(diagnostics, facts);
      const order = ['id="verdict"', 'id="covariates"', 'id="features"', 'id="worst"', 'id="components"', 'id="priors"', 'id="facts"'].map((id) => html.indexOf(id));
      expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] as number)))).toBe(true);
      expect(html).toContain(`Site effects <strong>${diagnostics.verdict.siteEffect.status}</strong>`);
      expect(html).toContain("<code>combat harmonize data.csv --batch site --out harmonized.csv --report &#39;my report.html&#39;</code>");
      for (const { batch, samples } of diagnostics.batches) expect(html).toContain(`<tr><th scope="row">${batch}</th><td>${samples}</td></tr>`);
    }
  });

  it('says why a model without empirical Bayes has no prior plots', async () => {
    const html = await renderReport(tableRun('roi-noeb'), facts);
    expect(html).toContain('No prior to check: the model uses no empirical Bayes.');
    expect(html).toContain('siteA: gammaHat <span class="muted">(no prior: no empirical Bayes)</span>');
    expect(html).not.toContain('id="gamma-density"');
  });

  it('shows a CovBat run\u2019s three states: the site predictability, each batch\u2019s correlation difference, and a heat map of each', async () => {
    const fixture = loadCovbatCase('covbat-parametric');
    const { matrix, covariates } = fixture;
    const run = harmonizeCovbat(matrix, covariates, { variance: fixture.spec.covbat.percentVar });
    const diagnostics = diagnose(matrix, { ...matrix, data: run.data }, covariates, run.model, { names: fixture.features, combat: { ...matrix, data: run.combat } });
    const html = await renderReport(diagnostics, facts);
    const order = ['id="components"', 'id="covbat"', 'id="priors"'].map((id) => html.indexOf(id));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] as number)))).toBe(true);
    const section = html.slice(order[1], order[2]);
    const row = (label: string, stage: 'before' | 'combat' | 'after') =>
      `<tr><th scope="row">${label}</th><td>${percent(diagnostics.predictability[stage]!.accuracy)}</td>${diagnostics.covariance[stage]!.batches.map((b) => `<td>${figure(b.scaled)}</td>`).join('')}</tr>`;
    expect(section).toContain(row('before ComBat', 'before'));
    expect(section).toContain(row('after ComBat', 'combat'));
    expect(section).toContain(row('after CovBat', 'after'));
    // The batch that differs most after ComBat is the one drawn.
    const scaled = diagnostics.covariance.combat!.batches.map((b) => b.scaled as number);
    const most = diagnostics.covariance.combat!.batches[scaled.indexOf(Math.max(...scaled))]!.batch;
    expect(section).toContain(`<figure id="covariance">`);
    expect(section).toContain(`Batch ${most}, the one whose correlations differ most`);
    // Runs without the ComBat step have no such section.
    expect(await renderReport(tableRun(), facts)).not.toContain('id="covbat"');
  });
});
