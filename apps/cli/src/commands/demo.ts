import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromColumns } from '@combat/io-arrow';
import { writeAtomically, writeTable } from '@combat/io-arrow/node';
import { readNifti, writeNifti } from '@combat/io-nifti/node';
import type { CliIo } from '../cli-io.js';
import { generateExample } from '../demo/generate.js';
import { renderReport } from '../demo/report.js';
import { summarize } from '../demo/summary.js';
import { harmonizeVolumesCommand } from './harmonize-volumes.js';

/**
 * `combat demo`: generates the brief's example (3 scanners x 8 subjects, 30x36x20 voxels,
 * scanner biases, an age effect), writes it to `<out-dir>/inputs` with `covars.csv`, harmonizes it
 * with the same path as `combat harmonize-volumes` (age preserved) into `<out-dir>/harmonized`,
 * writes `<out-dir>/report.html`, and prints what changed.
 *
 * @example
 * ```ts
 * await demo({ outDir: 'combat-demo' }, io);
 * ```
 */
export async function demo(flags: { outDir?: string; quiet?: boolean }, io: CliIo): Promise<void> {
  const outDir = flags.outDir ?? 'combat-demo';
  const inputs = join(outDir, 'inputs');
  await mkdir(inputs, { recursive: true });
  const { subjects, mask } = generateExample();
  for (const s of subjects) await writeNifti(join(inputs, `${s.subject}.nii.gz`), s.volume);
  await writeNifti(join(inputs, 'mask.nii.gz'), mask);
  const covars = join(outDir, 'covars.csv');
  const table = tableFromColumns('generated covariates', {
    subject: subjects.map((s) => s.subject),
    scanner: subjects.map((s) => s.scanner),
    age: subjects.map((s) => String(s.age)),
    path: subjects.map((s) => `inputs/${s.subject}.nii.gz`),
  });
  await writeTable(covars, table, new Map());
  const harmonizedDir = join(outDir, 'harmonized');
  await harmonizeVolumesCommand(
    { covars, imageCol: 'path', batch: 'scanner', continuous: ['age'], mask: join(inputs, 'mask.nii.gz'), outDir: harmonizedDir, quiet: flags.quiet ?? false },
    io,
  );
  const after = await Promise.all(subjects.map((s) => readNifti(join(harmonizedDir, `${s.subject}.nii.gz`))));
  const before = subjects.map((s) => s.volume);
  const summary = summarize(before, after, mask, subjects.map((s) => s.scanner), subjects.map((s) => s.age));
  const html = await renderReport({ subjects: subjects.map((s, i) => ({ ...s, before: s.volume, after: after[i] as (typeof after)[number] })), mask, summary });
  const report = join(outDir, 'report.html');
  await writeAtomically(report, new TextEncoder().encode(html), []);
  io.stdout.write('\nMean in-mask value per scanner, before -> after:\n');
  for (const { site, before: b, after: a } of summary.siteMeans) io.stdout.write(`  ${site.padEnd(10)} ${b.toFixed(4)} -> ${a.toFixed(4)}\n`);
  io.stdout.write(`Correlation of age with the mean in-mask value: before ${summary.correlation.before.toFixed(4)}, after ${summary.correlation.after.toFixed(4)}\n`);
  io.stdout.write(`Wrote ${harmonizedDir}/ (${subjects.length} harmonized volumes) and ${report}\n`);
}
