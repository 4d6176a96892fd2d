import type { BatchPriorFit, Diagnostics, NoPrior, PriorCheck, WorstFeature } from '@combat/diagnostics';
import { figure, pValue } from './html.js';
import { featureName, TEST_LABELS } from './labels.js';
import type { VegaLiteSpec } from './svg.js';

/** A figure of the report: its id, a Vega-Lite specification and what it shows. */
export interface Figure {
  readonly id: string;
  readonly spec: VegaLiteSpec;
  readonly caption: string;
}

const STAGES = ['before', 'after'] as const;

/** One colour per batch in every figure, in the order of the diagnostics' batches. */
function batchColour(diagnostics: Diagnostics) {
  return { field: 'batch', type: 'nominal', title: 'batch', scale: { domain: diagnostics.batches.map((b) => b.batch) } } as const;
}

/**
 * Per worst feature, its covariate-model residuals per batch as box plots (Tukey's five numbers:
 * whiskers to the extremes, box between the hinges, a line at the median), before and after on one
 * y axis.
 */
export function boxPlotFigures(diagnostics: Diagnostics): Figure[] {
  return diagnostics.worst.map((worst, w) => ({
    id: `box-${w + 1}`,
    spec: boxPlotSpec(diagnostics, worst),
    caption: `${TEST_LABELS[worst.test].name} p before ${pValue(worst.p.before)}, after ${pValue(worst.p.after)}.`,
  }));
}

function boxPlotSpec(diagnostics: Diagnostics, worst: WorstFeature): VegaLiteSpec {
  const values = worst.boxes.flatMap((box) =>
    STAGES.flatMap((stage) => {
      const [min, lower, median, upper, max] = box[stage];
      return min === undefined || min === null ? [] : [{ stage, batch: box.batch, min, lower, median, upper, max }];
    }),
  );
  const batches = diagnostics.batches.map((b) => b.batch);
  const y = (field: string) => ({ field, type: 'quantitative', title: 'residual', scale: { zero: false } }) as const;
  return {
    title: { text: featureName(diagnostics, worst.feature), fontSize: 12 },
    data: { values },
    facet: { column: { field: 'stage', type: 'nominal', sort: [...STAGES], title: null } },
    spec: {
      width: Math.max(80, 22 * batches.length),
      height: 150,
      encoding: { x: { field: 'batch', type: 'nominal', sort: batches, title: null, axis: { labelAngle: -40, labelLimit: 80 } } },
      layer: [
        { mark: { type: 'rule', color: '#555' }, encoding: { y: y('min'), y2: { field: 'max' } } },
        { mark: { type: 'bar', size: 12 }, encoding: { y: y('lower'), y2: { field: 'upper' }, color: { ...batchColour(diagnostics), legend: null } } },
        { mark: { type: 'tick', color: 'white', size: 12, thickness: 2 }, encoding: { y: y('median') } },
      ],
    },
  };
}

/** The samples' scores on the first two principal components, coloured by batch, before and after on shared axes. */
export function pcaFigure(diagnostics: Diagnostics): Figure {
  const label = (stage: (typeof STAGES)[number]) => {
    const [first, second] = diagnostics.pca[stage].variance;
    return `${stage} (PC1 ${share(first)}, PC2 ${share(second)} of the variance)`;
  };
  const values = STAGES.flatMap((stage) => {
    const [pc1 = [], pc2 = []] = diagnostics.pca[stage].scores;
    return diagnostics.batch.map((batch, i) => ({ stage: label(stage), batch, pc1: pc1[i] ?? null, pc2: pc2[i] ?? null }));
  });
  return {
    id: 'pca',
    caption:
      'Each sample on the first two principal components of the standardized features, coloured by batch. Before harmonization samples cluster by batch when the batch effect dominates; after, the batches should overlap. (Components are fitted separately before and after, so their signs and order may differ.)',
    spec: {
      data: { values },
      facet: { column: { field: 'stage', type: 'nominal', sort: STAGES.map(label), title: null } },
      spec: {
        width: 300,
        height: 260,
        mark: { type: 'point', filled: true, size: 40, opacity: 0.75 },
        encoding: {
          x: { field: 'pc1', type: 'quantitative', title: 'PC1' },
          y: { field: 'pc2', type: 'quantitative', title: 'PC2' },
          color: batchColour(diagnostics),
        },
      },
    },
  };
}

function share(value: number | undefined): string {
  return value === undefined ? '\u2014' : `${(value * 100).toFixed(0)}%`;
}

function checkOf(batch: BatchPriorFit, parameter: 'gamma' | 'delta'): PriorCheck | undefined {
  const check: PriorCheck | NoPrior = batch[parameter];
  return 'ks' in check ? check : undefined;
}

/** The batches whose prior of `parameter` was checked, each with its panel's title. */
function checkedBatches(diagnostics: Diagnostics, parameter: 'gamma' | 'delta') {
  return diagnostics.priors.batches.flatMap((batch) => {
    const check = checkOf(batch, parameter);
    return check === undefined ? [] : [{ panel: `${batch.batch} (D = ${figure(check.ks.statistic)}, p ${check.ks.p === 0 ? '' : '= '}${pValue(check.ks.p)})`, check }];
  });
}

/**
 * Per parameter with a checked prior: per batch the estimates' kernel density against the prior's
 * density (what sva's `prior.plots` draws), then the QQ plot of the estimates against the prior's
 * quantiles (on the line y = x when the prior fits). Each batch's panel has its own axes: the
 * batches' estimates differ in spread.
 */
export function priorFigures(diagnostics: Diagnostics): Figure[] {
  return (['gamma', 'delta'] as const).flatMap((parameter) => {
    const checked = checkedBatches(diagnostics, parameter);
    if (checked.length === 0) return [];
    const symbol = parameter === 'gamma' ? 'gammaHat' : 'deltaHat';
    const prior = parameter === 'gamma' ? 'its normal prior' : 'its inverse gamma prior';
    const panels = checked.map((c) => c.panel);
    const facet = { facet: { field: 'panel', type: 'nominal', sort: panels, title: null }, columns: 4, resolve: { scale: { x: 'independent', y: 'independent' } } } as const;
    const densities = checked.flatMap(({ panel, check }) =>
      check.density.x.flatMap((x, g) => [
        { panel, x, curve: 'estimates', density: check.density.estimate[g] },
        { panel, x, curve: 'prior', density: check.density.prior[g] },
      ]),
    );
    const quantiles = checked.flatMap(({ panel, check }) => check.qq.theoretical.map((theoretical, q) => ({ panel, theoretical, sample: check.qq.sample[q] })));
    const diagonal = checked.flatMap(({ panel, check }) => {
      const ends = [...check.qq.theoretical, ...check.qq.sample];
      return [Math.min(...ends), Math.max(...ends)].map((at) => ({ panel, theoretical: at, sample: at }));
    });
    return [
      {
        id: `${parameter}-density`,
        caption: `Per batch, the density of ${symbol} over the features it adjusts against ${prior}, with the Kolmogorov-Smirnov D (the largest gap between the two distribution functions) and its p. The prior was fitted to these very estimates, so p is conservative; with many features read D.`,
        spec: {
          data: { values: densities },
          ...facet,
          spec: {
            width: 200,
            height: 140,
            mark: { type: 'line' },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: symbol, scale: { zero: false } },
              y: { field: 'density', type: 'quantitative', title: 'density' },
              color: { field: 'curve', type: 'nominal', title: null, scale: { range: ['#1f77b4', '#d62728'] }, legend: { orient: 'top' } },
              strokeDash: { field: 'curve', type: 'nominal', title: null, legend: { orient: 'top' }, scale: { range: [[1, 0], [5, 3]] } },
            },
          },
        },
      },
      {
        id: `${parameter}-qq`,
        caption: `Per batch, the sorted ${symbol} against the quantiles of ${prior}: on the line y = x when the prior fits.`,
        spec: {
          data: { values: [...quantiles.map((q) => ({ ...q, kind: 'estimate' })), ...diagonal.map((d) => ({ ...d, kind: 'diagonal' }))] },
          ...facet,
          spec: {
            width: 200,
            height: 140,
            layer: [
              { transform: [{ filter: "datum.kind === 'diagonal'" }], mark: { type: 'line', color: '#d62728', strokeDash: [5, 3], clip: true }, encoding: { x: { field: 'theoretical', type: 'quantitative' }, y: { field: 'sample', type: 'quantitative' } } },
              {
                transform: [{ filter: "datum.kind === 'estimate'" }],
                mark: { type: 'point', filled: true, size: 12, color: '#1f77b4' },
                encoding: { x: { field: 'theoretical', type: 'quantitative', title: 'prior quantile', scale: { zero: false } }, y: { field: 'sample', type: 'quantitative', title: symbol, scale: { zero: false } } },
              },
            ],
          },
        },
      },
    ];
  });
}
