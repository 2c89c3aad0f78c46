// Per-checkpoint columns that grow while a log is read: scores per example, and where each example's
// sample texts sit in the log (file, byte offset, byte length) so they can be read back on demand.
import type { CheckpointScores } from '../model';
import { MAX_SAMPLES } from './premem/records';

export interface ExampleScores {
  accuracy: number;
  sampleCount: number;
  perplexity: number;
  /** Distinct non-null answers; undefined when the record had no answers. */
  distinctAnswers?: number;
  /** Accuracy per perturbation name. */
  perturbations?: Record<string, number>;
}

function grownFloat(old: Float64Array, capacity: number): Float64Array {
  const a = new Float64Array(capacity);
  a.set(old);
  return a.fill(NaN, old.length);
}

function grown<T extends Uint16Array | Uint32Array>(old: T, capacity: number, make: (n: number) => T): T {
  const a = make(capacity);
  a.set(old);
  return a;
}

/** The columns as plain data (for the on-disk cache); arrays are the live ones, not copies. */
export interface ColumnsSnapshot {
  capacity: number;
  accuracy: Float64Array;
  sampleCount: Uint16Array;
  perplexity: Float64Array;
  distinctAnswers?: Uint16Array;
  perturbations: Record<string, Float64Array>;
  locations?: { file: Uint16Array; offset: Float64Array; length: Uint32Array };
}

export class CheckpointColumns {
  capacity = 0;
  accuracy: Float64Array = new Float64Array(0);
  sampleCount: Uint16Array = new Uint16Array(0);
  perplexity: Float64Array = new Float64Array(0);
  distinctAnswers: Uint16Array | undefined;
  readonly perturbations = new Map<string, Float64Array>();
  // Text locations exist only for checkpoints whose records carry texts.
  private locFile: Uint16Array | undefined;
  private locOffset: Float64Array | undefined;
  private locLength: Uint32Array | undefined;

  constructor(initialCapacity = 0) {
    this.ensure(initialCapacity, true);
  }

  /** Grows every column to hold at least n examples; new entries read as "not scored". */
  ensure(n: number, exact = false): void {
    if (n <= this.capacity) return;
    // Doubling: a log read without a dataset grows every column from nothing, and each growth is a fresh
    // (kernel-zeroed) allocation plus a copy; doubling keeps the total to about twice the final size.
    const cap = exact ? n : Math.max(n, this.capacity * 2, 256);
    this.accuracy = grownFloat(this.accuracy, cap);
    this.perplexity = grownFloat(this.perplexity, cap);
    this.sampleCount = grown(this.sampleCount, cap, (k) => new Uint16Array(k));
    if (this.distinctAnswers) this.distinctAnswers = grown(this.distinctAnswers, cap, (k) => new Uint16Array(k));
    for (const [name, col] of this.perturbations) this.perturbations.set(name, grownFloat(col, cap));
    if (this.locFile) {
      this.locFile = grown(this.locFile, cap, (k) => new Uint16Array(k));
      this.locOffset = grownFloat(this.locOffset!, cap);
      this.locLength = grown(this.locLength!, cap, (k) => new Uint32Array(k));
    }
    this.capacity = cap;
  }

  /** Sets one example's scores, replacing everything an earlier record set for it. */
  set(index: number, s: ExampleScores): void {
    this.setScores(index, s.accuracy, s.sampleCount, s.perplexity, s.distinctAnswers ?? -1);
    if (s.perturbations) {
      for (const [name, acc] of Object.entries(s.perturbations)) {
        let col = this.perturbations.get(name);
        if (!col) {
          col = new Float64Array(this.capacity).fill(NaN);
          this.perturbations.set(name, col);
        }
        col[index] = acc;
      }
    }
  }

  /** set() without an object per example and without perturbations (distinctAnswers -1: the record had no answers). */
  setScores(index: number, accuracy: number, sampleCount: number, perplexity: number, distinctAnswers: number): void {
    this.ensure(index + 1);
    this.accuracy[index] = accuracy;
    this.sampleCount[index] = Math.min(sampleCount, MAX_SAMPLES);
    this.perplexity[index] = perplexity;
    if (distinctAnswers >= 0) {
      this.distinctAnswers ??= new Uint16Array(this.capacity);
      this.distinctAnswers[index] = Math.min(distinctAnswers, MAX_SAMPLES);
    } else if (this.distinctAnswers) {
      this.distinctAnswers[index] = 0;
    }
    for (const col of this.perturbations.values()) col[index] = NaN;
  }

  setLocation(index: number, file: number, offset: number, length: number): void {
    this.ensure(index + 1);
    if (!this.locFile) {
      this.locFile = new Uint16Array(this.capacity);
      this.locOffset = new Float64Array(this.capacity);
      this.locLength = new Uint32Array(this.capacity);
    }
    this.locFile[index] = file;
    this.locOffset![index] = offset;
    this.locLength![index] = length;
  }

  clearLocation(index: number): void {
    if (this.locLength && index < this.capacity) this.locLength[index] = 0;
  }

  /** Where an example's texts are, or undefined when its record had none. */
  location(index: number): { file: number; offset: number; length: number } | undefined {
    if (!this.locLength || index < 0 || index >= this.capacity || this.locLength[index] === 0) return undefined;
    return { file: this.locFile![index], offset: this.locOffset![index], length: this.locLength[index] };
  }

  get hasLocations(): boolean {
    return this.locLength !== undefined;
  }

  /** Cut to `limit` entries (views) when fewer than the capacity are in use: spare capacity is not worth storing. */
  snapshot(limit = this.capacity): ColumnsSnapshot {
    const n = Math.max(0, Math.min(limit, this.capacity));
    const cut = <T extends Float64Array | Uint16Array | Uint32Array>(a: T): T => (n === a.length ? a : (a.subarray(0, n) as T));
    const snap: ColumnsSnapshot = {
      capacity: n,
      accuracy: cut(this.accuracy),
      sampleCount: cut(this.sampleCount),
      perplexity: cut(this.perplexity),
      perturbations: Object.fromEntries([...this.perturbations].map(([name, col]) => [name, cut(col)])),
    };
    if (this.distinctAnswers) snap.distinctAnswers = cut(this.distinctAnswers);
    if (this.locFile) snap.locations = { file: cut(this.locFile), offset: cut(this.locOffset!), length: cut(this.locLength!) };
    return snap;
  }

  /** Columns over a snapshot's arrays (adopted, not copied); every array must have `capacity` entries. */
  static fromSnapshot(s: ColumnsSnapshot): CheckpointColumns {
    const c = new CheckpointColumns(0);
    const arrays = [s.accuracy, s.sampleCount, s.perplexity, s.distinctAnswers, ...Object.values(s.perturbations), s.locations?.file, s.locations?.offset, s.locations?.length];
    if (arrays.some((a) => a !== undefined && a.length !== s.capacity)) throw new Error('column snapshot arrays differ in length');
    c.capacity = s.capacity;
    c.accuracy = s.accuracy;
    c.sampleCount = s.sampleCount;
    c.perplexity = s.perplexity;
    c.distinctAnswers = s.distinctAnswers;
    for (const [name, col] of Object.entries(s.perturbations)) c.perturbations.set(name, col);
    if (s.locations) {
      c.locFile = s.locations.file;
      c.locOffset = s.locations.offset;
      c.locLength = s.locations.length;
    }
    return c;
  }

  /** The model's view of this checkpoint: columns cut to n examples (views, not copies). */
  toScores(id: string, step: number, n: number, extra: Partial<Pick<CheckpointScores, 'epoch' | 'testAccuracy' | 'testPerplexity'>> = {}): CheckpointScores {
    this.ensure(n, true);
    const scores: CheckpointScores = {
      id,
      step,
      accuracy: this.accuracy.subarray(0, n),
      sampleCount: this.sampleCount.subarray(0, n),
      perplexity: this.perplexity.subarray(0, n),
    };
    if (this.distinctAnswers) scores.distinctAnswers = this.distinctAnswers.subarray(0, n);
    if (this.perturbations.size) {
      scores.perturbations = {};
      for (const [name, col] of this.perturbations) scores.perturbations[name] = col.subarray(0, n);
    }
    if (extra.epoch !== undefined) scores.epoch = extra.epoch;
    if (extra.testAccuracy !== undefined) scores.testAccuracy = extra.testAccuracy;
    if (extra.testPerplexity !== undefined) scores.testPerplexity = extra.testPerplexity;
    return scores;
  }
}
