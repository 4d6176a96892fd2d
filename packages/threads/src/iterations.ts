import { CONVERGENCE, iteratesBatch, type FitPlan, type Iterations, type Outcome } from '@combat/core/internal';

/**
 * The parametric solver's iterations over `ranges` ranges of features, stopped for each batch
 * where core's over all the features stops: at the first iteration whose largest change over
 * every range is at most 1e-4, or at the cap. Each feature's iterations depend on its own values
 * alone, so each range first runs until its own change is small; the ranges that stopped sooner
 * then catch up with the last, and if one of them changed by more there, every range goes on.
 * `run` runs, per range and batch, the iterations asked (null: none), and gives back each one's
 * largest change.
 */
export async function iterateOverRanges(plan: FitPlan, ranges: number, run: (steps: (Iterations | null)[][]) => Promise<number[][][]>): Promise<Outcome[]> {
  const B = plan.labels.length;
  const outcomes: (Outcome | null)[] = Array.from({ length: B }, (_, b) => (iteratesBatch(plan, b) ? null : { converged: true, change: 0 }));
  // Per range and batch, the largest change of each iteration so far.
  const changes = Array.from({ length: ranges }, () => Array.from({ length: B }, (): number[] => []));
  let steps = Array.from({ length: ranges }, () => outcomes.map((outcome) => (outcome === null ? { done: 0, limit: plan.maxIterations, untilConverged: true } : null)));
  while (outcomes.includes(null)) {
    const found = await run(steps);
    found.forEach((batches, r) => batches.forEach((more, b) => changes[r]![b]!.push(...more)));
    steps = changes.map(() => outcomes.map(() => null));
    outcomes.forEach((outcome, b) => {
      if (outcome !== null) return;
      const done = changes.map((range) => range[b]!.length);
      const last = Math.max(...done);
      if (done.some((count) => count < last)) {
        done.forEach((count, r) => (steps[r]![b] = count < last ? { done: count, limit: last, untilConverged: false } : null));
        return;
      }
      const change = last === 0 ? Infinity : Math.max(...changes.map((range) => range[b]![last - 1]!));
      if (change <= CONVERGENCE || last >= plan.maxIterations) outcomes[b] = { converged: change <= CONVERGENCE, change };
      else done.forEach((_, r) => (steps[r]![b] = { done: last, limit: plan.maxIterations, untilConverged: true }));
    });
  }
  return outcomes as Outcome[];
}
