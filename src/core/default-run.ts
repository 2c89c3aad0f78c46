// Which run PreMem shows (and exports) when none was chosen: one rule for the extension and the command line.
import type { Run } from './model';

/**
 * The best model: among runs trained on every example, the one whose last checkpoint tests best, ties (and runs
 * without test accuracy) going to the run with the most checkpoints; -1 when there is no run. A subset-only
 * workspace falls back to the run with the most checkpoints.
 */
export function defaultRunIndex(runs: readonly Run[]): number {
  const lastTest = (i: number) => runs[i].checkpoints[runs[i].checkpoints.length - 1]?.testAccuracy ?? -1;
  const better = (i: number, best: number) =>
    best < 0 || lastTest(i) > lastTest(best) || (lastTest(i) === lastTest(best) && runs[i].checkpoints.length > runs[best].checkpoints.length);
  let best = -1;
  runs.forEach((run, i) => {
    if (!run.subset && better(i, best)) best = i;
  });
  if (best < 0) runs.forEach((run, i) => {
    if (best < 0 || run.checkpoints.length > runs[best].checkpoints.length) best = i;
  });
  return best;
}

/** Why the default run was chosen, for the line that says which run was used. */
export const DEFAULT_RUN_RULE = 'the run trained on every example whose last checkpoint tests best, else the one with the most checkpoints';
