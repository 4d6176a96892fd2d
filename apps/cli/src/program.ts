import { readFileSync } from 'node:fs';
import { CombatError } from '@combat/core';
import { Command, CommanderError, Option } from 'commander';
import { DataError, OutputError, UsageError, type CliIo } from './cli-io.js';
import { withCovbatFlags } from './covbat-flags.js';
import { withDiagnosticsFlags } from './diagnostics-output.js';
import { describeError } from './explain.js';
import { isInterrupted } from './outputs.js';
import { collectList, collectSplines, commaList } from './options.js';
import { runFacts } from './run-facts.js';
import { tableThreadsOption, THREADED_CELLS, threadsOption } from './threads-flag.js';
import { gzipLevelFlag, memoryBudgetFlag } from './volume-flags.js';

/** This package's version, from its package.json (one folder above both src/ and dist/). */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Runs the `combat` command with arguments (without `node` and the script) and returns the exit
 * code: 0 on success, 2 on a usage error, 1 on a data or file error, 70 on an internal error (a
 * defect of combat). Messages go to `io.stderr`.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // Stopping on a signal: what failed failed because the interrupt removed its files (main.ts exits with the signal's code).
    if (isInterrupted()) return 1;
    if (error instanceof UsageError) {
      io.stderr.write(`combat: usage error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CombatError || error instanceof DataError || error instanceof OutputError || isFileSystemError(error)) {
      io.stderr.write(`combat: error: ${error instanceof CombatError ? describeError(error) : (error as Error).message}\n`);
      return 1;
    }
    // A defect of combat itself: one line, not a stack trace (COMBAT_DEBUG=1 shows it).
    io.stderr.write(`combat: internal error: ${(error as Error)?.message ?? String(error)}; please report it with the command you ran\n`);
    if (process.env.COMBAT_DEBUG) io.stderr.write(`${(error as Error)?.stack}\n`);
    return 70;
  }
}

function buildProgram(io: CliIo, argv: readonly string[]): Command {
  const program = new Command('combat')
    .description('ComBat harmonization of multi-site tables and NIfTI volumes (sva::ComBat semantics).')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`combat: usage error: ${text.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(run with --help for usage)');

  withOutputFlags(
    withDiagnosticsFlags(
      withCovbatFlags(
        withModelFlags(
          withTableInputFlags(program.command('harmonize').description('Harmonize the feature columns of a table (.csv, .tsv, .arrow, .feather).'))
            .requiredOption('--out <table>', '(required) where to write the table with the features harmonized')
            .option('--save-model <file>', 'write the fitted model (an Arrow IPC file) for combat apply')
            .option('--subject <column>', 'longitudinal ComBat (as R\u2019s longCombat): the column of subject ids whose repeated scans share a random intercept; --id stays the scan id')
            .addOption(tableThreadsOption()),
        ),
      ),
      { volumes: 'no' },
    ),
  ).action(async (flags, command: Command) => (await import('./commands/harmonize-table.js')).harmonizeTable(flags, io, runFacts(command, argv, VERSION)));

  withOutputFlags(
    program
      .command('apply')
      .description('Adjust new samples with a saved model, each with its own covariates; batches the model has not seen are estimated from their samples with --estimate-new-batches.')
      .requiredOption('--model <file>', '(required) a model written by combat harmonize --save-model (or apply --save-model)')
      .requiredOption('--data <table>', '(required) the table of features (the columns the model was fitted on)')
      .option('--covariates <table>', 'a separate table of batch and covariates, paired with --data by --id')
      .option('--id <column>', 'the subject id column (required with --covariates; names rows in messages)')
      .requiredOption('--out <table>', '(required) where to write the adjusted table')
      .option('--estimate-new-batches', 'estimate each batch the model has not seen from its samples here (two or more), then adjust every sample')
      .option('--save-model <file>', 'with --estimate-new-batches: write the model extended with the new batches')
      .addOption(tableThreadsOption()),
  ).action(async (flags) => (await import('./commands/apply-table.js')).applyTable(flags, io));

  withDiagnosticsFlags(
    withVolumeFlags(
      withOutputFlags(
        withModelFlags(
          withVolumeInputFlags(
            program
              .command('harmonize-volumes')
              .description('Harmonize NIfTI volumes in a mask, one volume at a time; outputs keep their input file names.')
              .requiredOption('--covariates <table>', '(required) one row per volume: batch, covariates and the image path'),
          )
            .requiredOption('--out-dir <dir>', '(required) where to write the harmonized volumes (created if missing)')
            .option('--save-model <file>', 'write the fitted model (an Arrow IPC file) for combat apply-volumes')
            .option('--effect-maps', 'also write each batch\u2019s gammaStar and deltaStar maps into --out-dir (gammaStar_<batch>.nii.gz, deltaStar_<batch>.nii.gz)'),
        ),
      ),
    ),
    { volumes: 'yes' },
  ).action(async (flags, command: Command) => (await import('./commands/harmonize-volumes.js')).harmonizeVolumesCommand(flags, io, runFacts(command, argv, VERSION)));

  withVolumeFlags(
    withOutputFlags(
      program
        .command('apply-volumes')
        .description('Adjust NIfTI volumes with a saved volume model; sites the model has not seen are estimated from their volumes with --estimate-new-batches.')
        .requiredOption('--model <file>', '(required) a model written by combat harmonize-volumes --save-model (or apply-volumes --save-model)')
        .requiredOption('--covariates <table>', '(required) one row per volume: batch, covariates and the image path')
        .requiredOption('--image-column <column>', '(required) the column of image paths (relative to the --covariates file)')
        .requiredOption('--out-dir <dir>', '(required) where to write the adjusted volumes (created if missing)')
        .option('--estimate-new-batches', 'estimate each batch the model has not seen from its volumes here (two or more), in a first pass, then adjust every volume')
        .option('--save-model <file>', 'with --estimate-new-batches: write the model extended with the new batches'),
    ),
  ).action(async (flags) => (await import('./commands/apply-volumes.js')).applyVolumesCommand(flags, io));

  withOutputFlags(
    withCovariateFlags(
      withVolumeInputFlags(
        withTableInputFlags(
          program
            .command('fit-partial')
            .description('Write the statistics of one site\u2019s (or shard\u2019s) rows or volumes to a file for combat merge; no row leaves the site. Takes the input flags of harmonize or of harmonize-volumes.')
            .requiredOption('--out <file>', '(required) where to write the statistics (an Arrow IPC file)'),
          'either',
        ),
        'either',
      )
        .option('--allow-affine-mismatch', 'volumes: accept volumes whose affine differs from the mask\u2019s')
        .addOption(new Option('--ref-batch <level>').hideHelp())
        .addOption(new Option('--mean-only').hideHelp())
        .addOption(new Option('--non-parametric').hideHelp())
        .addOption(new Option('--no-eb').hideHelp())
        .addOption(threadsOption('threads to work on', `every core; for a table of fewer than ${THREADED_CELLS / 1e6} million cells, 1`)),
      'with explicit knots agreed by every site: COLUMN:knots=K1,K2,...:boundary=LOW,HIGH',
    ),
  ).action(async (flags) => (await import('./commands/fit-partial.js')).fitPartial(flags, io));

  withOutputFlags(
    withModeFlags(
      program
        .command('merge')
        .description('Merge statistics files of combat fit-partial (any mix of sites and shards) and fit the model, as harmonize would on all their samples.')
        .argument('<statistics...>', 'statistics files written by combat fit-partial (or merge --out)')
        .option('--save-model <file>', 'write the fitted model (an Arrow IPC file) for combat apply or apply-volumes')
        .option('--out <file>', 'write the merged statistics, to merge again later'),
    ),
  ).action(async (paths: string[], flags) => (await import('./commands/merge.js')).mergeCommand(paths, flags, io));

  withOutputFlags(
    withDiagnosticsFlags(
      program
        .command('report')
        .description('Report on a harmonization after the fact, from its input, its output and its model: the same report and diagnostics as harmonize --report (tables) or harmonize-volumes --report (volumes).')
        .requiredOption('--model <file>', '(required) the model the harmonization saved (--save-model)')
        .option('--data <table>', 'tables: the table before harmonization')
        .option('--covariates <table>', 'tables: a separate table of batch and covariates, paired with --data by --id; volumes: one row per volume with its image path')
        .option('--id <column>', 'tables: the subject id column (required with --covariates; the rows of --data and --harmonized must agree on it)')
        .option('--harmonized <table>', 'tables: the harmonized table, row for row with --data')
        .option('--image-column <column>', 'volumes: the column of image paths (relative to the --covariates file)')
        .option('--harmonized-dir <dir>', 'volumes: the folder of the harmonized volumes, each under its input\u2019s file name')
        .option('--allow-affine-mismatch', 'volumes: accept volumes whose affine differs from the model\u2019s mask\u2019s (default: an error)')
        .addOption(threadsOption('volumes: threads reading the images')),
      { volumes: 'either', required: true },
    ),
  ).action(async (flags, command: Command) => (await import('./commands/report.js')).reportCommand(flags, io, runFacts(command, argv, VERSION)));

  withOutputFlags(
    program
      .command('model')
      .description('Inspect a model file.')
      .command('show')
      .description('Print a model file\u2019s summary: features, covariates, batches, mode, unadjusted features, priors; --csv writes its estimates, one row per feature.')
      .argument('<model>', 'a model written by --save-model')
      .option('--csv <file>', 'write the per-feature estimates (grandMean, varPooled, beta, each batch\u2019s gammaHat ... deltaStar) as a CSV table')
      .option('--json', 'print the summary as JSON'),
  ).action(async (path: string, flags) => (await import('./commands/model-show.js')).modelShowCommand(path, flags, io));

  withOutputFlags(
    program
      .command('demo')
      .description('Generate a 3-scanner example, harmonize it, and write the volumes and report.html.')
      .option('--out-dir <dir>', 'where to write everything (a folder a previous demo wrote is replaced)', 'combat-demo')
      .option('--spline <age[:df]>', 'make the age effect nonlinear and fit age as a natural spline (df default 4); the report plots the fitted trajectory', collectList, []),
  ).action(async (flags) => (await import('./commands/demo.js')).demo(flags, io));

  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * The input flags of a table (`harmonize`): `--data`, `--covariates`, `--id`, `--features` and
 * `--exclude`. `either`: one input of two (`fit-partial` takes a table or volumes), so `--data` is
 * not required and each flag says it goes with `--data`.
 */
function withTableInputFlags(command: Command, inputs: 'table' | 'either' = 'table'): Command {
  const either = inputs === 'either';
  const data = 'the table of features, one row per sample';
  return (either ? command.option('--data <table>', `a table: ${data} (the input flags of harmonize)`) : command.requiredOption('--data <table>', `(required) ${data}`))
    .option(
      '--covariates <table>',
      either ? 'with --data, a separate table of batch and covariates, paired by --id; for volumes, one row per volume with its image path' : 'a separate table of batch and covariates, paired with --data by --id',
    )
    .option('--id <column>', `${either ? 'with --data: ' : ''}the subject id column (required with --covariates; names rows in messages)`)
    .option('--features <patterns>', `${either ? 'with --data: ' : '(required) '}the feature columns: names, globs (lh_*) and ranges (first:last), comma-separated`, commaList)
    .option('--exclude <patterns>', `${either ? 'with --data: ' : ''}columns to take out of --features (same patterns)`, commaList);
}

/**
 * The input flags of volumes (`harmonize-volumes`) besides `--covariates`: `--image-column` and
 * `--mask`. `either`: one input of two (`fit-partial`), so neither is required and each says it is
 * for volumes.
 */
function withVolumeInputFlags(command: Command, inputs: 'volumes' | 'either' = 'volumes'): Command {
  const either = inputs === 'either';
  const image = 'the column of image paths (relative to the --covariates file)';
  const mask = `voxels above 0 are ${either ? 'accumulated' : 'harmonized'}`;
  return either
    ? command.option('--image-column <column>', `volumes: ${image}`).option('--mask <nifti>', `volumes: ${mask}`)
    : command.requiredOption('--image-column <column>', `(required) ${image}`).requiredOption('--mask <nifti>', `(required) ${mask}`);
}

function withModelFlags(command: Command): Command {
  return withModeFlags(
    withCovariateFlags(command, 'of df degrees of freedom (default 4; knots at quantiles, as R\u2019s ns), or COLUMN:knots=K1,K2,...:boundary=LOW,HIGH'),
  );
}

function withCovariateFlags(command: Command, knots: string): Command {
  return command
    .requiredOption('--batch <column>', '(required) the batch (site, scanner) column')
    .option('--categorical <columns>', 'categorical covariates to preserve, comma-separated', commaList)
    .option('--continuous <columns>', 'continuous covariates to preserve, comma-separated', commaList)
    .option('--spline <column[:df]>', `a continuous covariate to preserve as a natural cubic spline ${knots}; repeatable or comma-separated`, collectSplines, []);
}

function withModeFlags(command: Command): Command {
  return command
    .option('--ref-batch <level>', 'a reference batch, left unchanged; the others are aligned to it')
    .option('--mean-only', 'adjust batch means only, not variances (default: means and variances)')
    .option('--non-parametric', 'non-parametric empirical Bayes priors (default: parametric)')
    .option('--no-eb', 'no empirical Bayes shrinkage (default: empirical Bayes)');
}

function withOutputFlags(command: Command): Command {
  return command.option('--overwrite', 'replace output files that already exist (inputs are never replaced)').option('--quiet', 'no summary and no progress bar');
}

function withVolumeFlags(command: Command): Command {
  return command
    .option('--preserve-out-of-mask', 'keep voxels outside the mask as they were (default: 0)')
    .option('--allow-affine-mismatch', 'accept volumes whose affine differs from the mask\u2019s (default: an error)')
    .addOption(new Option('--dtype <type>', 'voxel type of the written volumes').choices(['float32', 'float64']).default('float32'))
    .option('--gzip-level <n>', 'gzip level of the written .nii.gz: 0 (none) to 9; 1, the fastest, deflates runs only (zlib\u2019s Z_RLE): on images as small as zlib\u2019s level 1 (nibabel\u2019s), several times faster', gzipLevelFlag, 1)
    .option('--memory-budget <size>', 'memory for keeping the images\u2019 in-mask voxels between the two passes, so each image is read once (512M, 2G; default 1G); images beyond it are read again', memoryBudgetFlag)
    .addOption(threadsOption());
}

function isFileSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code as string);
}
