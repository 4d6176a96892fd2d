import { join } from 'node:path';
import type { MaskGeometry, Volume } from '@combat/base';
import { formatVoxel } from '@combat/base/internal';
import type { CombatModel, Covariates, DataMatrix } from '@combat/core';
import type { BatchTestName, Diagnostics } from '@combat/diagnostics';
import type { ReportFacts } from '@combat/report';
import { Option, type Command } from 'commander';
import type { OutputPlan } from './outputs.js';
import type { RunFacts } from './run-facts.js';
import { describeCount, describeMode } from './summary.js';

/**
 * The flags that ask for the diagnostics of a run (`harmonize`, `harmonize-volumes`, `report`):
 * `--report FILE.html`, `--diagnostics FILE.json` and, for volumes, `--diagnostic-maps DIR`.
 */
export interface DiagnosticsFlags {
  readonly report?: string;
  readonly diagnostics?: string;
  readonly diagnosticMaps?: string;
}

/**
 * Adds the diagnostics flags to a command; `volumes` adds `--diagnostic-maps`, and `required`
 * (for `combat report`) says in the help that one of them is needed.
 */
export function withDiagnosticsFlags(command: Command, options: { volumes: 'yes' | 'no' | 'either'; required?: boolean }): Command {
  const lead = options.required === true ? '(one of --report, --diagnostics' + (options.volumes === 'no' ? '' : ', --diagnostic-maps') + ') ' : '';
  command
    .option('--report <file.html>', `${lead}write a self-contained HTML report: did harmonization work? (site effects before and after, biology kept, the priors\u2019 fit, per-feature detail)`)
    .option('--diagnostics <file.json>', `${lead}write the report\u2019s statistics as JSON (schema: @combat/diagnostics/schema/diagnostics.schema.json)`);
  if (options.volumes !== 'no') {
    command.addOption(
      new Option('--diagnostic-maps <dir>', `${options.volumes === 'either' ? 'volumes: ' : ''}${lead}write each test\u2019s -log10 p per voxel, before and after, as NIfTI into this folder (created if missing)`),
    );
  }
  return command;
}

/** Whether any diagnostics output is asked for. */
export function wantsDiagnostics(flags: DiagnosticsFlags): boolean {
  return flags.report !== undefined || flags.diagnostics !== undefined || flags.diagnosticMaps !== undefined;
}

/**
 * Where `--diagnostic-maps` writes one test's map: `<dir>/neglog10p_<test>_<before|after>.nii.gz`.
 */
function diagnosticMapPath(dir: string, test: BatchTestName, phase: 'before' | 'after'): string {
  return join(dir, `neglog10p_${test}_${phase}.nii.gz`);
}

/** The diagnostics outputs the flags ask for, with their roles (for the report's facts and the summary). */
export function diagnosticsOutputs(flags: DiagnosticsFlags): (readonly [role: string, path: string | undefined])[] {
  return [['the report', flags.report], ['the diagnostics', flags.diagnostics], ['the diagnostic maps', flags.diagnosticMaps]];
}

/**
 * Adds the diagnostics outputs the flags ask for to a plan. The diagnostics, the page and the
 * NIfTI encoder are loaded only when asked for (vega alone takes a noticeable part of a second to
 * load), here and in {@link writeDiagnostics}.
 */
export async function planDiagnostics(plan: OutputPlan, flags: DiagnosticsFlags): Promise<void> {
  if (flags.report !== undefined) plan.file(flags.report, '--report');
  if (flags.diagnostics !== undefined) plan.file(flags.diagnostics, '--diagnostics');
  const dir = flags.diagnosticMaps;
  if (dir === undefined) return;
  plan.directory(dir, '--diagnostic-maps');
  const { BATCH_TESTS } = await import('@combat/diagnostics');
  for (const test of BATCH_TESTS) for (const phase of ['before', 'after'] as const) plan.file(diagnosticMapPath(dir, test, phase), `--diagnostic-maps (${test} ${phase})`);
}

/**
 * What the diagnostics of a run are computed from: the data before and after (and, for a CovBat
 * run, its ComBat step's output), and the fitted model.
 */
export interface DiagnosedRun {
  readonly before: DataMatrix;
  readonly after: DataMatrix;
  readonly combat?: DataMatrix;
  readonly covariates: Covariates;
  readonly model: CombatModel;
  /** The features' names in the report and the JSON (a volume's: its voxel's coordinates). */
  readonly names: readonly string[];
  /** The mask of a volume run, for the maps. */
  readonly mask?: MaskGeometry;
}

/**
 * Diagnoses a run (`diagnose` of `@combat/diagnostics`) and writes what the flags ask for through
 * the plan: the report (with the run's facts and the model's mode), the JSON, and the maps of a
 * volume run.
 */
export async function writeDiagnostics(plan: OutputPlan, flags: DiagnosticsFlags, run: DiagnosedRun, facts: RunFacts & Pick<ReportFacts, 'inputs' | 'outputs'>): Promise<void> {
  const [{ diagnose }, { renderReport }] = await Promise.all([import('@combat/diagnostics'), import('@combat/report')]);
  const diagnostics = diagnose(run.before, run.after, run.covariates, run.model, { names: run.names, ...(run.combat === undefined ? {} : { combat: run.combat }) });
  const text = new TextEncoder();
  if (flags.diagnostics !== undefined) await plan.write(flags.diagnostics, text.encode(`${JSON.stringify(diagnostics)}\n`));
  const { refBatch } = run.model;
  const { covbat } = run.model;
  const then = covbat === undefined ? '' : `; then CovBat, ${describeCount(covbat.components, 'principal component')} of the residuals harmonized (${(100 * covbat.variance).toFixed(1)}% of their variance)`;
  const mode = `${describeMode(run.model.options)}${refBatch === null ? '' : `; reference batch ${refBatch}, left unchanged`}${then}`;
  if (flags.report !== undefined) await plan.write(flags.report, text.encode(await renderReport(diagnostics, { ...facts, mode })));
  if (flags.diagnosticMaps !== undefined && run.mask !== undefined) {
    const { encodeNiftiFile } = await import('@combat/io-nifti/node');
    for (const maps of testMaps(diagnostics, run.mask)) {
      for (const phase of ['before', 'after'] as const) {
        const path = diagnosticMapPath(flags.diagnosticMaps, maps.test, phase);
        await plan.write(path, await encodeNiftiFile(path, maps[phase], { dtype: 'float32' }));
      }
    }
  }
}

/**
 * Each test's -log10 p per voxel before and after, as volumes in the mask's space: 0 outside the
 * mask, NaN where the test could not test the voxel.
 */
function testMaps(diagnostics: Diagnostics, mask: MaskGeometry): { test: BatchTestName; before: Volume; after: Volume }[] {
  const size = mask.shape.reduce((a, n) => a * n, 1);
  const map = (p: readonly (number | null)[]): Volume => {
    const data = new Float64Array(size);
    mask.indices.forEach((at, v) => {
      const value = p[v];
      data[at] = value === null || value === undefined ? Number.NaN : -Math.log10(value);
    });
    return { data, shape: [...mask.shape], affine: mask.affine.slice() };
  };
  return diagnostics.tests.map((t) => ({ test: t.test, before: map(t.perFeature.before.p), after: map(t.perFeature.after.p) }));
}

/** A volume run's feature names: each in-mask voxel as messages name it, `voxel (i, j, k)` (0-based, as in the NIfTI file). */
export function voxelNames(mask: MaskGeometry): string[] {
  return Array.from(mask.indices, (at) => `voxel ${formatVoxel(at, mask.shape)}`);
}
