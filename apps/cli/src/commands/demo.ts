import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { InMemoryVolumeResource, type Volume } from '@combat/base';
import { covariatesFromTable, tableFromColumns } from '@combat/io-arrow';
import { encodeTableFile } from '@combat/io-arrow/node';
import { encodeNiftiFile } from '@combat/io-nifti/node';
import { UsageError, type CliIo } from '../cli-io.js';
import { generateExample } from '../demo/generate.js';
import { renderDemoReport } from '../demo/report.js';
import { summarize } from '../demo/summary.js';
import { fittedTrajectory } from '../demo/trajectory.js';
import { covariateColumns, splineFlags, type ModelFlags, type OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { startProgress } from '../progress.js';
import { fitAndAdjust } from './harmonize-volumes.js';

/** The file that marks a folder as written by the demo, so a later demo may replace the files it wrote there. */
const MARKER = '.combat-demo';

/**
 * `combat demo`: generates a 3-scanner example (8 subjects each, 30x36x20 voxels, scanner
 * biases, an age effect), writes it to `<out-dir>/inputs` with `covariates.csv`, harmonizes it with
 * the fit-and-adjust pass of `combat harmonize-volumes` (age preserved) into
 * `<out-dir>/harmonized`, writes `<out-dir>/report.html`, and prints what changed. A folder a
 * previous demo wrote is replaced; any other existing file is left alone unless `--overwrite`.
 */
export async function demo(flags: OutputFlags & { outDir?: string; spline?: string[] }, io: CliIo): Promise<void> {
  const outDir = flags.outDir ?? 'combat-demo';
  const inputs = join(outDir, 'inputs');
  const harmonizedDir = join(outDir, 'harmonized');
  const model: ModelFlags = (flags.spline ?? []).length === 0 ? { batch: 'scanner', continuous: ['age'] } : { batch: 'scanner', spline: flags.spline };
  const splines = splineFlags(model);
  if ([...splines.keys()].some((name) => name !== 'age')) throw new UsageError(`--spline ${flags.spline?.join(',')}: the demo's only covariate is age; expected --spline age[:DF]`);
  const { subjects, mask } = generateExample(123, { nonlinear: splines.size > 0 });
  const paths = {
    marker: join(outDir, MARKER),
    covariates: join(outDir, 'covariates.csv'),
    mask: join(inputs, 'mask.nii.gz'),
    report: join(outDir, 'report.html'),
    inputs: subjects.map((s) => join(inputs, `${s.subject}.nii.gz`)),
    outputs: subjects.map((s) => join(harmonizedDir, `${s.subject}.nii.gz`)),
  };
  const plan = new OutputPlan({ inputs: [], overwrite: (flags.overwrite ?? false) || (await exists(paths.marker)) });
  plan.directory(outDir, '--out-dir').directory(inputs, '--out-dir').directory(harmonizedDir, '--out-dir');
  for (const [role, path] of [['the demo marker', paths.marker], ['the covariates table', paths.covariates], ['the mask', paths.mask], ['the report', paths.report]]) plan.file(path as string, role as string);
  paths.inputs.forEach((path, i) => plan.file(path, `the input of ${subjects[i]?.subject}`));
  paths.outputs.forEach((path, i) => plan.file(path, `the output of ${subjects[i]?.subject}`));
  const table = tableFromColumns(
    {
      subject: subjects.map((s) => s.subject),
      scanner: subjects.map((s) => s.scanner),
      age: subjects.map((s) => String(s.age)),
      path: subjects.map((s) => `inputs/${s.subject}.nii.gz`),
    },
    { source: 'generated covariates' },
  );
  const covariates = covariatesFromTable(table, covariateColumns(model), { idColumn: 'subject' });
  const progress = startProgress(io, flags.quiet ?? false, 2 * subjects.length);
  const summary = await withOutputs(plan, async () => {
    await plan.write(paths.marker, new TextEncoder().encode('Written by combat demo: a later demo may replace the files it wrote here (covariates.csv, report.html, inputs/, harmonized/), and no other.\n'));
    await plan.write(paths.covariates, encodeTableFile(paths.covariates, table, new Map()));
    await plan.write(paths.mask, await encodeNiftiFile(paths.mask, mask));
    for (const [i, s] of subjects.entries()) await plan.write(paths.inputs[i] as string, await encodeNiftiFile(paths.inputs[i] as string, s.volume));
    const after: Volume[] = [];
    const fit = await fitAndAdjust(
      subjects.map((s, i) => new InMemoryVolumeResource(s.volume, paths.inputs[i])),
      covariates,
      new InMemoryVolumeResource(mask, paths.mask),
      model,
      async (volume, i) => {
        // What the written float32 file holds, for the report.
        after[i] = volume;
        await plan.write(paths.outputs[i] as string, await encodeNiftiFile(paths.outputs[i] as string, volume));
      },
      () => progress.tick(),
    ).finally(() => progress.stop());
    const result = summarize(subjects.map((s) => s.volume), after, mask, covariates.batch, subjects.map((s) => s.age));
    const ages = subjects.map((s) => s.age);
    const grid = Array.from({ length: 61 }, (_, g) => Math.min(...ages) + ((Math.max(...ages) - Math.min(...ages)) * g) / 60);
    const trajectory = splines.size === 0 ? undefined : fittedTrajectory(fit.estimates, 'age', grid);
    const html = await renderDemoReport({ subjects: subjects.map((s, i) => ({ ...s, before: s.volume, after: after[i] as Volume })), mask, summary: result, ...(trajectory === undefined ? {} : { trajectory }) });
    await plan.write(paths.report, new TextEncoder().encode(html));
    return result;
  });
  if (flags.quiet) return;
  io.stdout.write('\nMean in-mask value per scanner, before -> after:\n');
  for (const { batch, before: b, after: a } of summary.batchMeans) io.stdout.write(`  ${batch.padEnd(10)} ${b.toFixed(4)} -> ${a.toFixed(4)}\n`);
  io.stdout.write(`Correlation of age with the mean in-mask value: before ${summary.correlation.before.toFixed(4)}, after ${summary.correlation.after.toFixed(4)}\n`);
  const age = splines.get('age');
  if (age !== undefined) {
    const spline = age.knots === undefined ? `of ${age.df ?? 4} degrees of freedom` : `with knots ${age.knots.join(', ')} and boundary knots ${age.boundaryKnots?.join(', ')}`;
    io.stdout.write(`Age entered as a natural spline ${spline}; the report plots its fitted trajectory\n`);
  }
  io.stdout.write(`Wrote ${harmonizedDir}/ (${subjects.length} harmonized volumes) and ${paths.report}\n`);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
