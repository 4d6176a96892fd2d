import type { ComponentChoice } from '@combat/core/internal';
import type { Command } from 'commander';
import { UsageError } from './cli-io.js';

/**
 * The CovBat flags of `combat harmonize`: `--covbat`, and how many principal components it
 * harmonizes, `--covbat-variance` (a share of variance) or `--covbat-components` (a number).
 */
export interface CovbatFlags {
  readonly covbat?: boolean;
  readonly covbatVariance?: string;
  readonly covbatComponents?: string;
  readonly refBatch?: string;
}

/** Adds the CovBat flags to a command. */
export function withCovbatFlags(command: Command): Command {
  return command
    .option('--covbat', 'CovBat after ComBat: also harmonize how features vary together (the leading principal components of the residuals); needs complete data, all rows in memory')
    .option('--covbat-variance <share>', 'with --covbat: harmonize the fewest components whose share of the residual variance exceeds this, in (0, 1] (default 0.95)')
    .option('--covbat-components <k>', 'with --covbat: harmonize exactly this many components (instead of --covbat-variance)');
}

/**
 * The CovBat choice the flags make, or null without `--covbat`. Usage errors: `--covbat-variance`
 * or `--covbat-components` without `--covbat`, both, a share that is not a number in (0, 1], a
 * count that is not a whole number of at least 1, and `--covbat` with `--ref-batch`.
 */
export function covbatChoice(flags: CovbatFlags): ComponentChoice | null {
  const { covbatVariance: variance, covbatComponents: components } = flags;
  if (flags.covbat !== true) {
    const given = variance !== undefined ? '--covbat-variance' : components !== undefined ? '--covbat-components' : null;
    if (given !== null) throw new UsageError(`${given} needs --covbat; add --covbat to harmonize the covariance too`);
    return null;
  }
  if (flags.refBatch !== undefined) throw new UsageError('--covbat with --ref-batch: CovBat has no reference batch; leave out one of them');
  if (variance !== undefined && components !== undefined) throw new UsageError('--covbat-variance and --covbat-components are exclusive; give one of them');
  if (components !== undefined) {
    if (!/^\s*[1-9]\d*\s*$/.test(components)) throw new UsageError(`--covbat-components: expected a whole number of at least 1; received "${components}"`);
    return { components: Number(components) };
  }
  if (variance === undefined) return { variance: 0.95 };
  const share = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(variance) ? Number(variance) : Number.NaN;
  if (!(share > 0 && share <= 1)) throw new UsageError(`--covbat-variance: expected a share of variance in (0, 1], such as 0.95; received "${variance}"`);
  return { variance: share };
}
