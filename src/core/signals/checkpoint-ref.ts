// Which run and checkpoint a user means by `RUN` or `RUN:CHECKPOINT` (premem compare, premem report).
import { SelectionError } from '../export/recollection';
import type { PreparedRun } from '../metrics/premem';
import type { CheckpointRef } from './run-prefix';

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
