import type { CombatModel } from '@combat/core';
import { UsageError } from './cli-io.js';
import type { OutputPlan } from './outputs.js';

/**
 * The flags of `apply` and `apply-volumes` about batches the model has not seen.
 */
export interface NewBatchFlags {
  readonly estimateNewBatches?: boolean;
  readonly saveModel?: string;
}

/**
 * Plans `--save-model`, which writes the model extended with new batches: a usage error without
 * `--estimate-new-batches`, where the model would be the one given.
 */
export function planExtendedModel(plan: OutputPlan, flags: NewBatchFlags): void {
  if (flags.saveModel === undefined) return;
  if (flags.estimateNewBatches !== true) throw new UsageError('--save-model needs --estimate-new-batches: without it the model is the one given');
  plan.file(flags.saveModel, '--save-model');
}

/** What the library does with an unseen batch, as the flags ask. */
export function newBatchesOption(flags: NewBatchFlags): 'estimate' | 'error' {
  return flags.estimateNewBatches === true ? 'estimate' : 'error';
}

/** The batches a run added to the model it was given. */
export function addedBatches(given: CombatModel, used: CombatModel): string[] {
  return [...used.batches.keys()].filter((batch) => !given.batches.has(batch));
}
