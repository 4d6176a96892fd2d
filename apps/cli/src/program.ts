import { CombatError } from '@combat/core';
import { Command, CommanderError, Option } from 'commander';
import { UsageError, type CliIo } from './cli-io.js';
import { applyTable } from './commands/apply-table.js';
import { applyVolumesCommand } from './commands/apply-volumes.js';
import { demo } from './commands/demo.js';
import { harmonizeTable } from './commands/harmonize-table.js';
import { harmonizeVolumesCommand } from './commands/harmonize-volumes.js';
import { commaList } from './options.js';

/**
 * Runs the `combat` command with arguments (without `node` and the script) and returns the exit
 * code: 0 on success, 2 on a usage error, 1 on a data error. Messages go to `io.stderr`.
 *
 * @example
 * ```ts
 * process.exitCode = await run(['harmonize', '--data', 'rois.csv', '--batch', 'site', '--out', 'out.csv'], process);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      io.stderr.write(`combat: usage error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CombatError || isFileSystemError(error)) {
      io.stderr.write(`combat: error: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

function buildProgram(io: CliIo): Command {
  const program = new Command('combat')
    .description('ComBat harmonization of multi-site tables and NIfTI volumes (sva::ComBat semantics).')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`combat: usage error: ${text.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(run with --help for usage)');

  withModelFlags(
    program
      .command('harmonize')
      .description('Harmonize the feature columns of a table (.csv, .tsv, .arrow, .feather).')
      .requiredOption('--data <table>', 'the table of features, one row per sample')
      .option('--covars <table>', 'a separate table of batch and covariates (paired by --id, else by row order)')
      .option('--id <column>', 'the column that pairs --data rows with --covars rows')
      .option('--features <columns>', 'the feature columns (default: every numeric column that is not the id, batch or a covariate)', commaList)
      .option('--exclude <columns>', 'numeric columns to leave out of the default features', commaList)
      .requiredOption('--out <table>', 'where to write the table with the features harmonized')
      .option('--save-model <file>', 'write the fitted model (an Arrow IPC file) for combat apply'),
  ).action((flags) => harmonizeTable(flags, io));

  program
    .command('apply')
    .description('Adjust new samples of the training batches with a saved model, each with its own covariates.')
    .requiredOption('--model <file>', 'a model written by combat harmonize --save-model')
    .requiredOption('--data <table>', 'the table of features')
    .option('--covars <table>', 'a separate table of batch and covariates')
    .option('--id <column>', 'the column that pairs --data rows with --covars rows')
    .requiredOption('--out <table>', 'where to write the adjusted table')
    .action((flags) => applyTable(flags, io));

  withVolumeOutputFlags(
    withModelFlags(
      program
        .command('harmonize-volumes')
        .description('Harmonize NIfTI volumes in a mask, one volume at a time; outputs keep their input file names.')
        .requiredOption('--covars <table>', 'one row per volume: batch, covariates and the image path')
        .requiredOption('--image-col <column>', 'the column of image paths (relative to the --covars file)')
        .requiredOption('--mask <nifti>', 'voxels above 0 are harmonized')
        .requiredOption('--out-dir <dir>', 'where to write the harmonized volumes')
        .option('--save-model <file>', 'write the fitted model (an Arrow IPC file) for combat apply-volumes')
        .option('--effect-maps', 'also write each site\u2019s gammaStar and deltaStar maps into --out-dir'),
    ),
  ).action((flags) => harmonizeVolumesCommand(flags, io));

  withVolumeOutputFlags(
    program
      .command('apply-volumes')
      .description('Adjust NIfTI volumes of the training sites with a saved volume model.')
      .requiredOption('--model <file>', 'a model written by combat harmonize-volumes --save-model')
      .requiredOption('--covars <table>', 'one row per volume: batch, covariates and the image path')
      .requiredOption('--image-col <column>', 'the column of image paths (relative to the --covars file)')
      .requiredOption('--out-dir <dir>', 'where to write the adjusted volumes'),
  ).action((flags) => applyVolumesCommand(flags, io));

  program
    .command('demo')
    .description('Generate a 3-scanner example, harmonize it, and write the volumes and report.html.')
    .option('--out-dir <dir>', 'where to write everything', 'combat-demo')
    .option('--quiet', 'no progress bar')
    .action((flags) => demo(flags, io));

  for (const command of program.commands) command.exitOverride();
  return program;
}

function withModelFlags(command: Command): Command {
  return command
    .requiredOption('--batch <column>', 'the batch (site, scanner) column')
    .option('--categorical <columns>', 'categorical covariates to preserve, comma-separated', commaList)
    .option('--continuous <columns>', 'continuous covariates to preserve, comma-separated', commaList)
    .option('--ref-batch <level>', 'a reference batch, left unchanged; the others are aligned to it')
    .option('--mean-only', 'adjust batch means only, not variances')
    .option('--non-parametric', 'non-parametric empirical Bayes priors')
    .option('--no-eb', 'no empirical Bayes shrinkage');
}

function withVolumeOutputFlags(command: Command): Command {
  return command
    .option('--preserve-out-of-mask', 'keep voxels outside the mask as they were (default: 0)')
    .addOption(new Option('--dtype <type>', 'voxel type of the written volumes').choices(['float32', 'float64']).default('float32'))
    .option('--quiet', 'no progress bar');
}

function isFileSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code as string);
}
