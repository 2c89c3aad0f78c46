// A run cut at one of its checkpoints: every per-example number of a comparison or a signal is taken over the
// checkpoints up to the chosen one, never later ones (what a user saw when training stopped there).
import { SelectionError } from '../export/recollection';
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

/**
 * `RUN` or `RUN:CHECKPOINT` (default: the run's last checkpoint). A run id that itself holds a colon is matched
 * whole first. Unknown ids raise a SelectionError listing the ones there are.
 */
export function resolveCheckpointRef(runs: readonly PreparedRun[], spec: string): CheckpointRef {
  const ids = runs.map((r) => r.run.id);
  let runId = spec;
  let checkpointId: string | undefined;
  if (!ids.includes(spec) && spec.includes(':')) {
    const cut = spec.lastIndexOf(':');
    runId = spec.slice(0, cut);
    checkpointId = spec.slice(cut + 1);
  }
  const prepared = runs[ids.indexOf(runId)];
  if (!prepared) throw new SelectionError(`no run '${runId}'; the runs are: ${ids.join(', ')}`);
  const { checkpoints } = prepared.run;
  if (checkpoints.length === 0) throw new SelectionError(`run '${runId}' has no checkpoints`);
  if (checkpointId === undefined) return { prepared, checkpoint: checkpoints.length - 1 };
  const m = checkpoints.findIndex((c) => c.id === checkpointId);
  if (m < 0) throw new SelectionError(`run '${runId}' has no checkpoint '${checkpointId}'; its checkpoints are: ${checkpoints.map((c) => c.id).join(', ')}`);
  return { prepared, checkpoint: m };
}

/** Whether a sample accuracy counts as "learned" (the categories' and forgetting events' rule). */
export { CORRECT_ACCURACY as LEARNED_ACCURACY } from '../metrics/dynamics';
