// Two runs, or two checkpoints of one run, side by side over the whole dataset: per example what flipped between
// A and B (its PreMemAcc bucket, whether it is learned, when it was first memorized), counts per transition, and
// the A-vs-B PreMemAcc pairs for a scatter. Pure functions over prepared runs, for the CLI, the report and views.
import { exampleDynamics } from '../metrics/dynamics';
import { preMemAccuracy } from '../metrics/premem';
import { BUCKET_NAMES, type BucketName, bucketOf } from '../session';
import { type CheckpointRef, LEARNED_ACCURACY, preparedUpTo } from '../signals/run-prefix';

export type LearnedTransition = 'stayed-learned' | 'stayed-unlearned' | 'newly-learned' | 'forgotten';
export type MemorizationTransition = 'never' | 'same' | 'earlier' | 'later' | 'only-a' | 'only-b';

/** One example present in both sides (a member of both runs, scored at both checkpoints). */
export interface ExampleComparison {
  index: number;
  preMemA: number;
  preMemB: number;
  bucketA: BucketName;
  bucketB: BucketName;
  accuracyA: number;
  accuracyB: number;
  learned: LearnedTransition;
  /** Step of the first checkpoint (up to the compared one) where the example is memorized; null when never. */
  firstMemorizedStepA: number | null;
  firstMemorizedStepB: number | null;
  memorization: MemorizationTransition;
}

export interface CheckpointComparison {
  a: { run: string; checkpoint: string; step: number };
  b: { run: string; checkpoint: string; step: number };
  thr: number;
  t: number;
  /** Examples compared: members of both runs, scored at both checkpoints. */
  compared: number;
  /** PreMemAcc per dataset example at A and at B; NaN where the example is not compared. For scatters. */
  preMemA: Float64Array;
  preMemB: Float64Array;
  /** Every compared example, in dataset order. */
  examples: ExampleComparison[];
  /** Counts of "from->to" bucket pairs (e.g. "fragile->robust"), learned and memorization transitions. */
  counts: {
    buckets: Record<string, number>;
    learned: Record<LearnedTransition, number>;
    memorization: Record<MemorizationTransition, number>;
  };
}

/** Whether anything differs between A and B for this example: what the per-example table lists. */
export function flipped(e: ExampleComparison): boolean {
  return e.bucketA !== e.bucketB || e.learned === 'newly-learned' || e.learned === 'forgotten' || (e.memorization !== 'never' && e.memorization !== 'same');
}

export function compareCheckpoints(a: CheckpointRef, b: CheckpointRef, thr: number, t: number): CheckpointComparison {
  const n = a.prepared.run.numExamples;
  if (b.prepared.run.numExamples !== n) {
    throw new RangeError(`runs '${a.prepared.run.id}' and '${b.prepared.run.id}' score ${n} and ${b.prepared.run.numExamples} examples: not the same dataset`);
  }
  const side = (ref: CheckpointRef) => {
    const upTo = preparedUpTo(ref.prepared, ref.checkpoint);
    const member = new Uint8Array(n);
    for (const i of ref.prepared.members) member[i] = 1;
    const { firstMemorized } = exampleDynamics(upTo, thr);
    const c = ref.prepared.run.checkpoints[ref.checkpoint];
    return { pre: preMemAccuracy(upTo, thr)[ref.checkpoint], accuracy: c.accuracy, member, firstMemorized, checkpoints: upTo.run.checkpoints, c };
  };
  const A = side(a);
  const B = side(b);
  const preMemA = new Float64Array(n).fill(NaN);
  const preMemB = new Float64Array(n).fill(NaN);
  const examples: ExampleComparison[] = [];
  const buckets: Record<string, number> = {};
  const learned: Record<LearnedTransition, number> = { 'stayed-learned': 0, 'stayed-unlearned': 0, 'newly-learned': 0, forgotten: 0 };
  const memorization: Record<MemorizationTransition, number> = { never: 0, same: 0, earlier: 0, later: 0, 'only-a': 0, 'only-b': 0 };
  for (let i = 0; i < n; i++) {
    if (!A.member[i] || !B.member[i] || Number.isNaN(A.pre[i]) || Number.isNaN(B.pre[i])) continue;
    preMemA[i] = A.pre[i];
    preMemB[i] = B.pre[i];
    const bucketA = BUCKET_NAMES[bucketOf(A.pre[i], t)];
    const bucketB = BUCKET_NAMES[bucketOf(B.pre[i], t)];
    const key = `${bucketA}->${bucketB}`;
    buckets[key] = (buckets[key] ?? 0) + 1;
    const learnedA = A.accuracy[i] >= LEARNED_ACCURACY;
    const learnedB = B.accuracy[i] >= LEARNED_ACCURACY;
    const l: LearnedTransition = learnedA ? (learnedB ? 'stayed-learned' : 'forgotten') : learnedB ? 'newly-learned' : 'stayed-unlearned';
    learned[l]++;
    const stepA = A.firstMemorized[i] >= 0 ? A.checkpoints[A.firstMemorized[i]].step : null;
    const stepB = B.firstMemorized[i] >= 0 ? B.checkpoints[B.firstMemorized[i]].step : null;
    const mem = memorizationTransition(stepA, stepB);
    memorization[mem]++;
    examples.push({
      index: i,
      preMemA: A.pre[i],
      preMemB: B.pre[i],
      bucketA,
      bucketB,
      accuracyA: A.accuracy[i],
      accuracyB: B.accuracy[i],
      learned: l,
      firstMemorizedStepA: stepA,
      firstMemorizedStepB: stepB,
      memorization: mem,
    });
  }
  const ref = (r: CheckpointRef, s: typeof A) => ({ run: r.prepared.run.id, checkpoint: s.c.id, step: s.c.step });
  return { a: ref(a, A), b: ref(b, B), thr, t, compared: examples.length, preMemA, preMemB, examples, counts: { buckets, learned, memorization } };
}

/** "earlier": B memorized the example at an earlier training step than A did. */
export function memorizationTransition(stepA: number | null, stepB: number | null): MemorizationTransition {
  if (stepA === null) return stepB === null ? 'never' : 'only-b';
  if (stepB === null) return 'only-a';
  return stepB < stepA ? 'earlier' : stepB > stepA ? 'later' : 'same';
}

/**
 * Counts of (A, B) PreMemAcc pairs on a bins × bins grid over [0, 1]² (row = A's bin, column = B's bin; 1.0 falls
 * in the last bin): the scatter of a whole dataset at a size a view or a report can draw.
 */
export function scatterGrid(preMemA: Float64Array, preMemB: Float64Array, bins = 10): number[][] {
  const grid = Array.from({ length: bins }, () => new Array<number>(bins).fill(0));
  const bin = (x: number) => Math.min(bins - 1, Math.floor(x * bins));
  for (let i = 0; i < preMemA.length; i++) {
    if (Number.isNaN(preMemA[i]) || Number.isNaN(preMemB[i])) continue;
    grid[bin(preMemA[i])][bin(preMemB[i])]++;
  }
  return grid;
}
