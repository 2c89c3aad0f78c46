// A run cut at one of its checkpoints: every per-example number of a comparison or a signal is taken over the
// checkpoints up to the chosen one, never later ones (what a user saw when training stopped there).
import type { PreparedRun } from '../metrics/premem';

export interface CheckpointRef {
  prepared: PreparedRun;
  /** Index into prepared.run.checkpoints. */
  checkpoint: number;
}

/** The run's checkpoints 0..m only. */
export function preparedUpTo(prepared: PreparedRun, m: number): PreparedRun {
  if (m === prepared.run.checkpoints.length - 1) return prepared;
  return {
    run: { ...prepared.run, checkpoints: prepared.run.checkpoints.slice(0, m + 1) },
    logLogPerplexity: prepared.logLogPerplexity.slice(0, m + 1),
    members: prepared.members,
  };
}

/** Whether a sample accuracy counts as "learned" (the categories' and forgetting events' rule). */
export { CORRECT_ACCURACY as LEARNED_ACCURACY } from '../metrics/dynamics';
