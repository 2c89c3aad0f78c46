// Pre-memorization accuracy (see docs/method): an example counts as memorized at checkpoint m when its target
// perplexity falls under p; PreMemAcc_m = min(max over m' <= m of masked accuracy, Acc_m).
import type { Run } from '../model';
import { logLogPerplexity } from './threshold';

/** A run with the per-checkpoint log-log perplexities computed once, so a threshold change costs one pass. */
export interface PreparedRun {
  run: Run;
  logLogPerplexity: Float64Array[];
  /** The examples the dataset means are taken over: the run's training subset, or all. */
  members: Int32Array;
}

export function allExamples(n: number): Int32Array {
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) members[i] = i;
  return members;
}

export function prepareRun(run: Run): PreparedRun {
  const members = run.subset ?? allExamples(run.numExamples);
  return { run, logLogPerplexity: run.checkpoints.map((c) => logLogPerplexity(c.perplexity)), members };
}

/** PreMemAcc per checkpoint per example (NaN where the example was not scored at that checkpoint). */
export function preMemAccuracy(prepared: PreparedRun, thr: number): Float64Array[] {
  const { run, logLogPerplexity: ll } = prepared;
  const n = run.numExamples;
  const out = run.checkpoints.map(() => new Float64Array(n));
  const runningMax = new Float64Array(n).fill(-Infinity);
  run.checkpoints.forEach((c, m) => {
    const acc = c.accuracy;
    const llm = ll[m];
    const dst = out[m];
    for (let i = 0; i < n; i++) {
      const a = acc[i];
      if (Number.isNaN(a)) {
        dst[i] = NaN;
        continue;
      }
      const masked = llm[i] >= thr ? a : 0;
      if (masked > runningMax[i]) runningMax[i] = masked;
      dst[i] = runningMax[i] < a ? runningMax[i] : a;
    }
  });
  return out;
}

export interface CheckpointMeans {
  /** Mean PreMemAcc over the run's members, per checkpoint (NaN when none was scored). */
  preMemAccuracy: number[];
  /** Mean plain accuracy over the same examples. */
  trainAccuracy: number[];
  /** Examples scored per checkpoint. */
  scored: number[];
}

/** Dataset means per checkpoint at a threshold, without materialising per-example arrays (the slider's path). */
export function checkpointMeans(prepared: PreparedRun, thr: number): CheckpointMeans {
  const { run, logLogPerplexity: ll, members } = prepared;
  const means: CheckpointMeans = { preMemAccuracy: [], trainAccuracy: [], scored: [] };
  // Checkpoint by checkpoint over a running maximum per example: sequential passes over each column, which at
  // a million examples is several times faster than visiting the checkpoints of one example at a time. The
  // sums still add the members in the same order, so the means are bit-identical.
  const runningMax = new Float64Array(run.numExamples).fill(-Infinity);
  const some = run.subset === undefined && members.length === run.numExamples ? undefined : members; // undefined: all
  const sums = new Float64Array(3);
  for (let m = 0; m < run.checkpoints.length; m++) {
    addCheckpointSums(run.checkpoints[m].accuracy, ll[m], some, thr, runningMax, sums);
    const [pre, sum, count] = sums;
    means.preMemAccuracy.push(count ? pre / count : NaN);
    means.trainAccuracy.push(count ? sum / count : NaN);
    means.scored.push(count);
  }
  return means;
}

/**
 * One checkpoint of checkpointMeans(): sums of PreMemAcc and accuracy and the count of scored examples over
 * `members` (every example when undefined) into sums[0..2], updating the running maximum. A function of its own
 * with nothing after the loop, so the optimized loop that V8 switches to in the middle of the first call is kept
 * for the following checkpoints instead of being thrown away at the first unfamiliar statement.
 */
function addCheckpointSums(acc: Float64Array, llm: Float64Array, members: Int32Array | undefined, thr: number, runningMax: Float64Array, sums: Float64Array): void {
  let pre = 0;
  let sum = 0;
  let count = 0;
  const n = members ? members.length : acc.length;
  for (let k = 0; k < n; k++) {
    const i = members ? members[k] : k;
    const a = acc[i];
    if (a !== a) continue; // NaN: not scored
    let best = runningMax[i];
    if (llm[i] >= thr ? a > best : 0 > best) runningMax[i] = best = llm[i] >= thr ? a : 0;
    pre += best < a ? best : a;
    sum += a;
    count++;
  }
  sums[0] = pre;
  sums[1] = sum;
  sums[2] = count;
}
