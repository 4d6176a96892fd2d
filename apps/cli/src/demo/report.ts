import type { Volume } from '@combat/base';
import { toSvg, type VegaLiteSpec } from '@combat/report';
import { escape } from '@combat/report/internal';
import { maskIndices } from '@combat/volumes';
import type { DemoSummary } from './summary.js';
import type { Trajectory } from './trajectory.js';

/**
 * What the report is drawn from: each subject's scanner, age and volume before and after, and the
 * mask.
 */
export interface ReportInput {
  readonly subjects: readonly { readonly subject: string; readonly scanner: string; readonly age: number; readonly before: Volume; readonly after: Volume }[];
  readonly mask: Volume;
  readonly summary: DemoSummary;
  /** With a spline term: the fitted trajectory of the mean in-mask value against age. */
  readonly trajectory?: Trajectory;
}

const STAGES = ['before', 'after'];
/** The colour of a voxel outside the mask in the slices. */
const MASKED = '#d9d9d9';

/**
 * The demo's report as one self-contained HTML page: per-scanner histograms of in-mask values,
 * one mid slice per scanner on a shared colour scale, and age against mean in-mask value with r,
 * each before and after. The plots are Vega-Lite specifications rendered to SVG here and inlined,
 * so the page needs no script and no network.
 */
export async function renderDemoReport(input: ReportInput): Promise<string> {
  const figures = [
    { id: 'histograms', caption: 'In-mask voxel values per scanner, before and after harmonization.', spec: histogramSpec(input) },
    { id: 'slices', caption: 'The middle axial slice of the first subject of each scanner, before and after, on one colour scale; grey is outside the mask, which ComBat leaves out.', spec: sliceSpec(input) },
    { id: 'age', caption: 'Age against each subject\u2019s mean in-mask value, with Pearson\u2019s r: the age effect survives.', spec: ageSpec(input) },
    ...(input.trajectory === undefined
      ? []
      : [
          {
            id: 'trajectory',
            caption: 'The fitted age trajectory (a natural spline) of the mean in-mask value; points are subjects. Before harmonization each scanner\u2019s curve is the common one moved by that scanner\u2019s estimated location effect; after, the common one.',
            spec: trajectorySpec(input, input.trajectory),
          },
        ]),
  ];
  const rendered = await Promise.all(figures.map(async (f) => ({ ...f, svg: await toSvg(f.spec) })));
  const { batchMeans, correlation } = input.summary;
  const rows = batchMeans.map((s) => `<tr><td>${escape(s.batch)}</td><td>${s.before.toFixed(4)}</td><td>${s.after.toFixed(4)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ComBat demo report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { border: 1px solid #ccc; padding: 0.3rem 0.8rem; text-align: right; }
figure { margin: 2rem 0; }
figcaption { color: #555; margin-top: 0.5rem; }
</style>
</head>
<body>
<h1>ComBat harmonization: demo report</h1>
<p>${input.subjects.length} subjects from ${batchMeans.length} scanners, each scanner with its own additive and multiplicative bias, and an
age effect of 0.002 per year. ComBat (parametric empirical Bayes, age preserved) removes the scanner effects inside the mask.</p>
<table>
<thead><tr><th>scanner</th><th>mean in mask, before</th><th>after</th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p>Correlation of age with the mean in-mask value: before ${correlation.before.toFixed(4)}, after ${correlation.after.toFixed(4)}.</p>
${rendered.map((f) => `<figure id="${f.id}">\n${f.svg}\n<figcaption>${f.caption}</figcaption>\n</figure>`).join('\n')}
</body>
</html>
`;
}

function histogramSpec({ subjects, mask }: ReportInput): VegaLiteSpec {
  const inside = maskIndices(mask);
  const values = subjects.flatMap((s) =>
    STAGES.flatMap((stage) => Array.from(inside, (at) => ({ stage, scanner: s.scanner, value: (stage === 'before' ? s.before : s.after).data[at] }))),
  );
  return {
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'value', type: 'quantitative', bin: { maxbins: 60 }, title: 'voxel value' },
      y: { aggregate: 'count', type: 'quantitative', title: 'voxels' },
      color: { field: 'scanner', type: 'nominal' },
      row: { field: 'stage', type: 'nominal', sort: STAGES, title: null },
    },
    width: 600,
    height: 180,
  };
}

/** How many values the slices' colour legend labels, evenly spaced from the lowest in-mask value to the highest. */
const LEGEND_LABELS = 6;

function sliceSpec({ subjects, mask }: ReportInput): VegaLiteSpec {
  const firstOfEach = subjects.filter((s, i) => subjects.findIndex((t) => t.scanner === s.scanner) === i);
  const [nx, ny, nz] = firstOfEach[0]?.before.shape as [number, number, number];
  const k = Math.floor(nz / 2);
  // Both stages masked alike: outside the mask a voxel is grey (the harmonized images hold 0 there),
  // and the colour scale spans the in-mask values of the slices shown.
  const values = firstOfEach.flatMap((s) =>
    STAGES.flatMap((stage) => {
      const volume = stage === 'before' ? s.before : s.after;
      return Array.from({ length: nx * ny }, (_, at) => {
        const inside = mask.data[at + nx * ny * k] !== 0;
        return { stage, scanner: s.scanner, i: at % nx, j: Math.floor(at / nx), inside, value: volume.data[at + nx * ny * k] as number };
      });
    }),
  );
  const inMask = values.flatMap((v) => (v.inside ? [v.value] : []));
  const [low, high] = [Math.min(...inMask), Math.max(...inMask)];
  const labels = Array.from({ length: LEGEND_LABELS }, (_, t) => low + ((high - low) * t) / (LEGEND_LABELS - 1));
  return {
    data: { values },
    // No description per voxel for screen readers: thousands of them, and the caption says what the slices show.
    mark: { type: 'rect', aria: false },
    encoding: {
      x: { field: 'i', type: 'ordinal', axis: null },
      y: { field: 'j', type: 'ordinal', axis: null, sort: 'descending' },
      color: {
        condition: { test: 'datum.inside', field: 'value', type: 'quantitative', scale: { scheme: 'viridis', domain: [low, high] }, title: 'value in mask', legend: { values: labels, format: '.2f', gradientLength: 160 } },
        value: MASKED,
      },
      column: { field: 'scanner', type: 'nominal', title: null },
      row: { field: 'stage', type: 'nominal', sort: STAGES, title: null },
    },
    width: 150,
    height: 180,
  };
}

function ageSpec({ subjects, summary }: ReportInput): VegaLiteSpec {
  const label = (stage: string) => `${stage} (r = ${summary.correlation[stage as 'before' | 'after'].toFixed(3)})`;
  const values = subjects.flatMap((s, i) =>
    STAGES.map((stage) => ({ stage: label(stage), scanner: s.scanner, age: s.age, mean: summary.subjectMeans[stage as 'before' | 'after'][i] })),
  );
  return {
    data: { values },
    facet: { column: { field: 'stage', type: 'nominal', sort: STAGES.map(label), title: null } },
    spec: {
      width: 300,
      height: 240,
      layer: [
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'age', type: 'quantitative', scale: { zero: false } }, y: { field: 'mean', type: 'quantitative', scale: { zero: false }, title: 'mean in-mask value' }, color: { field: 'scanner', type: 'nominal' } } },
        { mark: { type: 'line', color: '#444' }, transform: [{ regression: 'mean', on: 'age' }], encoding: { x: { field: 'age', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' } } },
      ],
    },
  };
}

function trajectorySpec({ subjects, summary }: ReportInput, trajectory: Trajectory): VegaLiteSpec {
  const points = subjects.flatMap((s, i) => STAGES.map((stage) => ({ stage, scanner: s.scanner, age: s.age, mean: summary.subjectMeans[stage as 'before' | 'after'][i] })));
  const curves = [
    ...[...trajectory.before].flatMap(([scanner, curve]) => curve.map((mean, g) => ({ stage: 'before', scanner, age: trajectory.at[g], mean }))),
    ...trajectory.after.map((mean, g) => ({ stage: 'after', scanner: 'every scanner', age: trajectory.at[g], mean })),
  ];
  const x = { field: 'age', type: 'quantitative', scale: { zero: false } } as const;
  const y = { field: 'mean', type: 'quantitative', scale: { zero: false }, title: 'mean in-mask value' } as const;
  return {
    facet: { column: { field: 'stage', type: 'nominal', sort: STAGES, title: null } },
    data: { values: [...points.map((p) => ({ ...p, kind: 'subject' })), ...curves.map((c) => ({ ...c, kind: 'fit' }))] },
    spec: {
      width: 300,
      height: 240,
      layer: [
        { transform: [{ filter: "datum.kind === 'subject'" }], mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, color: { field: 'scanner', type: 'nominal' } } },
        { transform: [{ filter: "datum.kind === 'fit'" }], mark: { type: 'line' }, encoding: { x, y, color: { field: 'scanner', type: 'nominal' } } },
      ],
    },
  };
}
