// The signals' overlaps with PreMemAcc (signalOverlaps) for any share x, as the dashboard's x slider asks for them.
// signalOverlaps sorts every signal's keys for each x; here each set's cut (its size-th smallest key) is found by
// selection, in linear time, and the examples known to each signal are listed once per set of signals: a million
// examples cost a fraction of the sorting per x, and nothing up front. The sets, sizes and Jaccard values are
// signalOverlaps's exactly (the tests compare them).
import { SIGNAL_NAMES, SIGNALS, type ExampleSignals, type SignalName, type SignalOverlap } from '../signals/example-signals';

interface SignalEntry {
  signal: SignalName;
  /** The examples where both the signal and the reference are known, in dataset order. */
  among: Int32Array;
}

const signOf = (name: SignalName) => (SIGNALS[name].hardestFirst === 'ascending' ? 1 : -1);

/** The k-th smallest (0-based) of keys[0..length), by Hoare's selection; reorders keys. */
export function kthSmallest(keys: Float64Array, length: number, k: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const pivot = keys[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        const swap = keys[i];
        keys[i] = keys[j];
        keys[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return keys[k];
  }
  return keys[k];
}

export class OverlapIndex {
  private readonly entries: SignalEntry[];
  private readonly marks: Uint8Array;
  /** Scratch space for the keys under selection. */
  private readonly keys: Float64Array;

  constructor(
    private readonly signals: ExampleSignals,
    private readonly reference: SignalName = 'preMemAccuracy',
  ) {
    const ref = signals.values[reference];
    this.entries = SIGNAL_NAMES.filter((name) => name !== reference).map((signal) => {
      const v = signals.values[signal];
      const isKnown = (i: number) => v[i] === v[i] && ref[i] === ref[i]; // x === x: not NaN
      let known = 0;
      for (const i of signals.examples) if (isKnown(i)) known++;
      // The signals known wherever the reference is share one list, so that the reference's set is found once.
      if (known === signals.examples.length) return { signal, among: signals.examples };
      const among = new Int32Array(known);
      let k = 0;
      for (const i of signals.examples) if (isKnown(i)) among[k++] = i;
      return { signal, among };
    });
    this.marks = new Uint8Array(ref.length);
    this.keys = new Float64Array(signals.examples.length);
  }

  /** signalOverlaps(signals, share, reference), by selection instead of sorting. */
  overlaps(share: number): SignalOverlap[] {
    if (!(share > 0 && share <= 1)) throw new RangeError(`share must lie in (0, 1], got ${share}`);
    const ref = this.signals.values[this.reference];
    const refSign = signOf(this.reference);
    const jaccards = new Map<SignalName, number>();
    // Per list of examples: the reference's set marked once, each signal's set counted against it, marks cleared.
    for (const among of new Set(this.entries.map((e) => e.among))) {
      const size = Math.round(share * among.length);
      if (among.length === 0 || size === 0) continue;
      const refCut = this.cut(ref, refSign, among, size);
      this.mark(ref, refSign, among, refCut, size, 1);
      for (const { signal } of this.entries.filter((e) => e.among === among)) {
        const values = this.signals.values[signal];
        const both = this.mark(values, signOf(signal), among, this.cut(values, signOf(signal), among, size), size, null);
        jaccards.set(signal, both / (2 * size - both));
      }
      this.mark(ref, refSign, among, refCut, size, 0);
    }
    return this.entries.map(({ signal, among }) => {
      const size = Math.round(share * among.length);
      // No example with both values: NaN; two empty sets: 1, as jaccard() has them.
      return { signal, label: SIGNALS[signal].label, examples: among.length, size, jaccard: among.length === 0 ? NaN : size === 0 ? 1 : jaccards.get(signal)! };
    });
  }

  /** The size-th smallest key (sign × value) over `among`. */
  private cut(values: Float64Array, sign: number, among: Int32Array, size: number): number {
    const keys = this.keys;
    for (let k = 0; k < among.length; k++) keys[k] = sign * values[among[k]];
    return kthSmallest(keys, among.length, Math.min(size, among.length) - 1);
  }

  /**
   * Sets marks of the first `size` examples of the ranking (firstRanked's set: keys under the cut, the size-th
   * smallest, then those equal to it in dataset order) to `value` (null: leaves them); returns how many of them were
   * marked before.
   */
  private mark(values: Float64Array, sign: number, among: Int32Array, cut: number, size: number, value: 0 | 1 | null): number {
    const marks = this.marks;
    let taken = 0;
    let wasMarked = 0;
    const visit = (i: number) => {
      wasMarked += marks[i];
      if (value !== null) marks[i] = value;
      taken++;
    };
    for (let k = 0; k < among.length; k++) if (sign * values[among[k]] < cut) visit(among[k]);
    for (let k = 0; k < among.length && taken < size; k++) if (sign * values[among[k]] === cut) visit(among[k]);
    return wasMarked;
  }
}
