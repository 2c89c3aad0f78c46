// Training-dynamics signals per example from the same logs as PreMemAcc (docs/signals.md): data-map confidence,
// variability and correctness (Swayamdipta et al. 2020) over checkpoints, with q = 1/perplexity and with sample
// accuracy; forgetting events (Toneva et al. 2019); first-learned step; final and mean target perplexity;
// learnability Acc·(1−Acc). Each signal has an order that puts the examples it calls hardest first, so that any
// of them can rank the re-collection set, and the overlap of their first x% with PreMemAcc's can be measured.
import { exampleDynamics } from '../metrics/dynamics';
import { preMemAccuracy, type PreparedRun } from '../metrics/premem';
import { LEARNED_ACCURACY, preparedUpTo } from './run-prefix';

export const SIGNAL_NAMES = [
  'preMemAccuracy',
  'confidence',
  'variability',
  'confidenceAccuracy',
  'variabilityAccuracy',
  'correctness',
  'forgetting',
  'firstLearned',
  'finalPerplexity',
  'meanPerplexity',
  'learnability',
] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

export interface SignalInfo {
  label: string;
  /** 'ascending': the lowest values are the hardest examples; 'descending': the highest are. */
  hardestFirst: 'ascending' | 'descending';
}

export const SIGNALS: Record<SignalName, SignalInfo> = {
  preMemAccuracy: { label: 'PreMemAcc', hardestFirst: 'ascending' },
  confidence: { label: 'confidence (mean 1/perplexity)', hardestFirst: 'ascending' },
  variability: { label: 'variability (std of 1/perplexity)', hardestFirst: 'descending' },
  confidenceAccuracy: { label: 'confidence (mean sample accuracy)', hardestFirst: 'ascending' },
  variabilityAccuracy: { label: 'variability (std of sample accuracy)', hardestFirst: 'descending' },
  correctness: { label: 'correctness (share of checkpoints learned)', hardestFirst: 'ascending' },
  forgetting: { label: 'forgetting events', hardestFirst: 'descending' },
  firstLearned: { label: 'first-learned step', hardestFirst: 'descending' },
  finalPerplexity: { label: 'final target perplexity', hardestFirst: 'descending' },
  meanPerplexity: { label: 'mean target perplexity', hardestFirst: 'descending' },
  learnability: { label: 'learnability Acc·(1−Acc)', hardestFirst: 'descending' },
};

export function isSignalName(name: string): name is SignalName {
  return (SIGNAL_NAMES as readonly string[]).includes(name);
}

export interface ExampleSignals {
  run: string;
  checkpoint: string;
  step: number;
  /** The examples that count: trained on, scored at the checkpoint; in dataset order. */
  examples: Int32Array;
  /**
   * One value per dataset example; NaN where unknown (not counted, or no perplexity logged). firstLearned is the
   * step of the first learned checkpoint, +Infinity for an example never learned.
   */
  values: Record<SignalName, Float64Array>;
}

/** Every signal of one run at checkpoint m (over its checkpoints 0..m). */
export function exampleSignals(prepared: PreparedRun, thr: number, m: number = prepared.run.checkpoints.length - 1): ExampleSignals {
  const upTo = preparedUpTo(prepared, m);
  const { run } = upTo;
  const n = run.numExamples;
  const values = Object.fromEntries(SIGNAL_NAMES.map((name) => [name, new Float64Array(n).fill(NaN)])) as Record<SignalName, Float64Array>;
  const pre = preMemAccuracy(upTo, thr)[m];
  const { forgetting } = exampleDynamics(upTo, thr);
  const last = run.checkpoints[m];
  const examples: number[] = [];
  for (const i of upTo.members) {
    if (Number.isNaN(last.accuracy[i])) continue;
    examples.push(i);
    const q = new Moments();
    const acc = new Moments();
    const perplexity = new Moments();
    let learned = 0;
    let firstLearned = Infinity;
    for (const c of run.checkpoints) {
      const a = c.accuracy[i];
      if (Number.isNaN(a)) continue;
      acc.add(a);
      if (a >= LEARNED_ACCURACY) {
        learned++;
        if (firstLearned === Infinity) firstLearned = c.step;
      }
      const p = c.perplexity[i];
      if (!Number.isNaN(p)) {
        q.add(1 / p);
        perplexity.add(p);
      }
    }
    const a = last.accuracy[i];
    values.preMemAccuracy[i] = pre[i];
    values.confidence[i] = q.mean();
    values.variability[i] = q.std();
    values.confidenceAccuracy[i] = acc.mean();
    values.variabilityAccuracy[i] = acc.std();
    values.correctness[i] = learned / acc.count;
    values.forgetting[i] = forgetting[i];
    values.firstLearned[i] = firstLearned;
    values.finalPerplexity[i] = last.perplexity[i];
    values.meanPerplexity[i] = perplexity.mean();
    values.learnability[i] = a * (1 - a);
  }
  return { run: run.id, checkpoint: last.id, step: last.step, examples: Int32Array.from(examples), values };
}

/** Mean and population standard deviation (numpy's default, as data maps use) of a stream of numbers. */
class Moments {
  count = 0;
  private sum = 0;
  private sumSquares = 0;
  add(x: number): void {
    this.count++;
    this.sum += x;
    this.sumSquares += x * x;
  }
  mean(): number {
    return this.count ? this.sum / this.count : NaN;
  }
  std(): number {
    if (!this.count) return NaN;
    const mean = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSquares / this.count - mean * mean));
  }
}

/**
 * The examples ranked by one signal, hardest first; examples where it is unknown come last. Ties keep dataset
 * order. `among` restricts the ranking (default: the signals' examples).
 */
export function rankBySignal(signals: ExampleSignals, name: SignalName, among: ArrayLike<number> = signals.examples): Int32Array {
  const v = signals.values[name];
  const sign = SIGNALS[name].hardestFirst === 'ascending' ? 1 : -1;
  const ranked = Int32Array.from(among);
  ranked.sort((a, b) => {
    const va = v[a];
    const vb = v[b];
    if (Number.isNaN(va) || Number.isNaN(vb)) return Number.isNaN(va) ? (Number.isNaN(vb) ? a - b : 1) : -1;
    // Infinity − Infinity is NaN: equal infinities are a tie.
    return (va === vb ? 0 : sign * (va < vb ? -1 : 1)) || a - b;
  });
  return ranked;
}

/** |A ∩ B| / |A ∪ B| of two sets of example indices below n; 1 for two empty sets. */
export function jaccard(a: ArrayLike<number>, b: ArrayLike<number>, n: number = largestIndex(a, b) + 1): number {
  const inA = new Uint8Array(n);
  for (let k = 0; k < a.length; k++) inA[a[k]] = 1;
  let sizeA = 0;
  for (let i = 0; i < n; i++) sizeA += inA[i];
  let both = 0;
  let onlyB = 0;
  const seenB = new Uint8Array(n);
  for (let k = 0; k < b.length; k++) {
    const i = b[k];
    if (seenB[i]) continue;
    seenB[i] = 1;
    if (inA[i]) both++;
    else onlyB++;
  }
  const union = sizeA + onlyB;
  return union === 0 ? 1 : both / union;
}

function largestIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = -1;
  for (const set of [a, b]) for (let k = 0; k < set.length; k++) if (set[k] > max) max = set[k];
  return max;
}

/**
 * The first `size` examples of rankBySignal(signals, name, among), as a set, without sorting them all: the
 * size-th smallest key is found with a numeric sort of the keys, then the examples under it are taken, and those
 * equal to it in the order of `among` (dataset order), as the ranking breaks ties. Values must be known.
 */
export function firstRanked(signals: ExampleSignals, name: SignalName, among: Int32Array, size: number): Int32Array {
  if (size <= 0) return new Int32Array(0);
  const v = signals.values[name];
  const sign = SIGNALS[name].hardestFirst === 'ascending' ? 1 : -1;
  // Plain loops: typed-array from() and filter() with a callback cost several times more at a million examples.
  const keys = new Float64Array(among.length);
  for (let k = 0; k < among.length; k++) keys[k] = sign * v[among[k]];
  const cut = keys.slice().sort()[Math.min(size, keys.length) - 1];
  const out: number[] = [];
  for (let k = 0; k < among.length; k++) if (keys[k] < cut) out.push(among[k]);
  for (let k = 0; k < among.length && out.length < size; k++) if (keys[k] === cut) out.push(among[k]);
  return Int32Array.from(out);
}

export interface SignalOverlap {
  signal: SignalName;
  label: string;
  /** Examples where both the signal and the reference are known. */
  examples: number;
  /** Size of each set: round(share × examples). */
  size: number;
  /** NaN when no example has both values. */
  jaccard: number;
}

/**
 * For each signal, the Jaccard overlap of the `share` (0..1) of examples it ranks hardest with the `share` that
 * the reference signal (PreMemAcc) ranks hardest, both taken among the examples where both are known.
 */
export function signalOverlaps(signals: ExampleSignals, share: number, reference: SignalName = 'preMemAccuracy'): SignalOverlap[] {
  if (!(share > 0 && share <= 1)) throw new RangeError(`share must lie in (0, 1], got ${share}`);
  const ref = signals.values[reference];
  // The reference's set depends only on which examples count; for the signals known wherever PreMemAcc is (all
  // but the perplexity ones in logs without perplexity) that is every example, and the set is taken once.
  let referenceOverAll: Int32Array | undefined;
  return SIGNAL_NAMES.filter((name) => name !== reference).map((signal) => {
    const v = signals.values[signal];
    const known: number[] = [];
    for (const i of signals.examples) if (v[i] === v[i] && ref[i] === ref[i]) known.push(i); // x === x: not NaN
    const both = Int32Array.from(known);
    const size = Math.round(share * both.length);
    const overAll = both.length === signals.examples.length;
    const referenceSet = overAll ? (referenceOverAll ??= firstRanked(signals, reference, both, size)) : firstRanked(signals, reference, both, size);
    // No example with both values (a perplexity signal in logs without perplexity): no overlap to speak of.
    const jac = both.length === 0 ? NaN : jaccard(firstRanked(signals, signal, both, size), referenceSet, v.length);
    return { signal, label: SIGNALS[signal].label, examples: both.length, size, jaccard: jac };
  });
}
