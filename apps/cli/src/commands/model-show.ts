import { extname } from 'node:path';
import { UsageError, type CliIo } from '../cli-io.js';
import { describeModel, formatModelSummary } from '../model-description.js';
import { estimateChunks } from '../model-estimates.js';
import type { OutputFlags } from '../options.js';
import { OutputPlan, withOutputs } from '../outputs.js';
import { readSavedModel } from '../saved-model.js';

/**
 * The flags of `combat model show`.
 */
export interface ModelShowFlags extends OutputFlags {
  /** Where to write the per-feature estimates (a `.csv` path). */
  readonly csv?: string;
  /** Print the summary as JSON. */
  readonly json?: boolean;
}

/**
 * `combat model show FILE`: prints a model file's summary (format version, features, covariates
 * with their coding, batches, mode, features left unadjusted, each batch's priors) on standard
 * output, as text or with `--json` as JSON; `--csv OUT` writes its per-feature estimates, one row
 * per feature. The model is read, every field checked, before the output is planned; the output
 * is checked before it is written, and nothing is left behind when the run fails.
 */
export async function modelShowCommand(path: string, flags: ModelShowFlags, io: CliIo): Promise<void> {
  const { csv } = flags;
  if (csv !== undefined && extname(csv).toLowerCase() !== '.csv') throw new UsageError(`--csv ${csv}: expected a path ending in .csv (the estimates are written as CSV)`);
  const saved = await readSavedModel(path);
  if (csv !== undefined) {
    const plan = new OutputPlan({ inputs: [path], overwrite: flags.overwrite ?? false }).file(csv, '--csv');
    await withOutputs(plan, async () => {
      const file = await plan.open(csv);
      for (const bytes of estimateChunks(saved)) await file.write(bytes);
      await file.close();
    });
  }
  if (flags.quiet) return;
  io.stdout.write(flags.json ? `${JSON.stringify(describeModel(saved), null, 2)}\n` : formatModelSummary(saved, csv === undefined ? [] : [csv]));
}
