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

/**
 * The run cut down to example i alone (views of its arrays, no copies): whatever is computed on it costs the
 * number of checkpoints, not of examples. The example keeps its membership (trained on or not).
 */
export function preparedForExample(prepared: PreparedRun, i: number): PreparedRun {
  const one = <T extends Float64Array | Uint16Array>(a: T): T => a.subarray(i, i + 1) as T;
  const { run, members } = prepared;
  return {
    run: {
      ...run,
      numExamples: 1,
      subset: undefined,
      checkpoints: run.checkpoints.map((c) => ({
        ...c,
        accuracy: one(c.accuracy),
        sampleCount: one(c.sampleCount),
        perplexity: one(c.perplexity),
        distinctAnswers: c.distinctAnswers && one(c.distinctAnswers),
        perturbations: c.perturbations && Object.fromEntries(Object.entries(c.perturbations).map(([name, a]) => [name, one(a)])),
      })),
    },
    logLogPerplexity: prepared.logLogPerplexity.map(one),
    members: members.includes(i) ? Int32Array.of(0) : new Int32Array(0), // a run's subset need not be sorted
  };
}

/** Whether a sample accuracy counts as "learned" (the categories' and forgetting events' rule). */
export { CORRECT_ACCURACY as LEARNED_ACCURACY } from '../metrics/dynamics';
