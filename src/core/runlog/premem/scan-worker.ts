// The worker side of the parallel run-log scan: reads one byte range of a log by itself (no copying through the
// main thread), parses each line with the fast path (fast-example-parse.ts) or, when that gives up, with
// JSON.parse and validateRecord, and answers with typed columns that the main thread applies in file order.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { PreMemRecord } from './records';
import { newFastExample, parseExampleLine, primeFastPath } from './fast-example-parse';
import { type LineWarning, readLine } from './log-reader';

/** Lines whose first byte lies in [start, end) of the file; every line of the range ends before `limit`. */
export interface ScanJob {
  id: number;
  path: string;
  start: number;
  end: number;
  limit: number;
}

export interface ScanWorkerData {
  kind: 'premem-scan';
  /** The dataset's keys as UTF-8 bytes and n + 1 offsets, shared with every worker. */
  keys?: { bytes: SharedArrayBuffer; offsets: SharedArrayBuffer };
}

/** A line the fast path did not take: a problem to report or a record to apply, before row `row`. */
export type Special = { row: number; line: number; offset: number; length: number } & (
  | { problem: { kind: string; message: string; field?: string } }
  | { record: PreMemRecord; hasTexts: boolean; warning?: LineWarning }
);

/** Row `keyIndex` values besides a dataset index. */
export const enum KeyStatus {
  /** No dataset: place by `index`. */
  ByIndex = -1,
  /** The key is not the dataset's key at `index`: look it up (its text is in `lookups`). */
  Lookup = -2,
}

export interface ScanResult {
  id: number;
  /** Lines in the range, blank ones included. */
  lines: number;
  /** Bytes from `start` to the end of the last line. */
  bytes: number;
  count: number;
  /** `run + "\0" + checkpoint` of each slot (the thread's whole table: a job uses some of them). */
  names: string[];
  slot: Uint16Array;
  /** 0-based line within the range. */
  line: Uint32Array;
  index: Float64Array;
  keyIndex: Int32Array;
  /** -1 when the record gives none. */
  step: Float64Array;
  accuracy: Float64Array;
  sampleCount: Uint16Array;
  perplexity: Float64Array;
  /** -1 when the record has no answers. */
  distinct: Int32Array;
  hasTexts: Uint8Array;
  offset: Float64Array;
  length: Uint32Array;
  lookups: string[];
  specials: Special[];
}

const CHUNK = 4 << 20;
const NEWLINE = 0x0a;

class Rows {
  capacity = 0;
  count = 0;
  slot = new Uint16Array(0);
  line = new Uint32Array(0);
  index = new Float64Array(0);
  keyIndex = new Int32Array(0);
  step = new Float64Array(0);
  accuracy = new Float64Array(0);
  sampleCount = new Uint16Array(0);
  perplexity = new Float64Array(0);
  distinct = new Int32Array(0);
  hasTexts = new Uint8Array(0);
  offset = new Float64Array(0);
  length = new Uint32Array(0);

  constructor(capacity: number) {
    this.grow(capacity);
  }

  grow(capacity: number): void {
    const copy = <T extends { set(a: T): void }>(old: T, make: (n: number) => T): T => {
      const a = make(capacity);
      a.set(old);
      return a;
    };
    this.slot = copy(this.slot, (n) => new Uint16Array(n));
    this.line = copy(this.line, (n) => new Uint32Array(n));
    this.index = copy(this.index, (n) => new Float64Array(n));
    this.keyIndex = copy(this.keyIndex, (n) => new Int32Array(n));
    this.step = copy(this.step, (n) => new Float64Array(n));
    this.accuracy = copy(this.accuracy, (n) => new Float64Array(n));
    this.sampleCount = copy(this.sampleCount, (n) => new Uint16Array(n));
    this.perplexity = copy(this.perplexity, (n) => new Float64Array(n));
    this.distinct = copy(this.distinct, (n) => new Int32Array(n));
    this.hasTexts = copy(this.hasTexts, (n) => new Uint8Array(n));
    this.offset = copy(this.offset, (n) => new Float64Array(n));
    this.length = copy(this.length, (n) => new Uint32Array(n));
    this.capacity = capacity;
  }
}

/**
 * Numbers for the (run, checkpoint) pairs a thread meets, kept for all its jobs: a job's rows name theirs by
 * number. Consecutive records nearly always share the pair, so the common case is a byte comparison.
 */
class SlotTable {
  /** `run + "\0" + checkpoint` of each slot. */
  readonly names: string[] = [];
  private readonly numbers = new Map<string, number>();
  private lastRun = Buffer.alloc(0);
  private lastCheckpoint = Buffer.alloc(0);
  private lastSlot = -1;

  slotOf(buf: Buffer, rs: number, re: number, cs: number, ce: number): number {
    if (this.lastSlot >= 0 && sameBytes(buf, rs, re, this.lastRun) && sameBytes(buf, cs, ce, this.lastCheckpoint)) return this.lastSlot;
    const name = buf.toString('utf8', rs, re) + '\u0000' + buf.toString('utf8', cs, ce);
    let slot = this.numbers.get(name);
    if (slot === undefined) {
      slot = this.names.length;
      if (slot > 0xffff) throw new Error('more than 65536 run/checkpoint pairs in one scan');
      this.names.push(name);
      this.numbers.set(name, slot);
    }
    this.lastRun = Buffer.from(buf.subarray(rs, re));
    this.lastCheckpoint = Buffer.from(buf.subarray(cs, ce));
    this.lastSlot = slot;
    return slot;
  }
}

// One read buffer and one set of row columns serve every job of a thread: fresh ones per 32 MiB job cost page
// faults and zeroing on every job. Results leave as copies (slices), so reuse is safe.
// The slot table lives as long too, which also keeps the JIT's view of it the same from job to job.
let readBuffer = Buffer.allocUnsafe(0);
const rows = new Rows(1 << 15);
const slots = new SlotTable();

/** Scans one job's range: the whole of the worker's work. Exported for tests, which run it in-thread. */
export function scanRange(job: ScanJob, keys?: { bytes: Uint8Array; offsets: Uint32Array }): ScanResult {
  const fd = openSync(job.path, 'r');
  try {
    rows.count = 0;
    return new RangeScan(job, fd, rows, keys).run();
  } finally {
    closeSync(fd);
  }
}

class RangeScan {
  private readonly lookups: string[] = [];
  private readonly specials: Special[] = [];
  private readonly fast = newFastExample();
  private lines = 0;

  constructor(
    private readonly job: ScanJob,
    private readonly fd: number,
    private readonly rows: Rows,
    private readonly keys?: { bytes: Uint8Array; offsets: Uint32Array },
  ) {}

  run(): ScanResult {
    const { job, fd } = this;
    let pos = job.start;
    if (pos > 0) {
      // The line that straddles `start` belongs to the range before.
      const probe = Buffer.allocUnsafe(1);
      readSync(fd, probe, 0, 1, pos - 1);
      if (probe[0] !== NEWLINE) pos = this.skipToNextLine(pos);
    }
    const last = this.scanLines(pos);
    const r = this.rows;
    const n = r.count;
    return {
      id: job.id,
      lines: this.lines,
      bytes: last - pos,
      count: n,
      names: slots.names.slice(),
      slot: r.slot.slice(0, n),
      line: r.line.slice(0, n),
      index: r.index.slice(0, n),
      keyIndex: r.keyIndex.slice(0, n),
      step: r.step.slice(0, n),
      accuracy: r.accuracy.slice(0, n),
      sampleCount: r.sampleCount.slice(0, n),
      perplexity: r.perplexity.slice(0, n),
      distinct: r.distinct.slice(0, n),
      hasTexts: r.hasTexts.slice(0, n),
      offset: r.offset.slice(0, n),
      length: r.length.slice(0, n),
      lookups: this.lookups,
      specials: this.specials,
    };
  }

  /**
   * Reads and parses the lines from `pos` on; returns the position after the last line read. Kept apart from
   * run() so that the optimized loop does not run into code without type feedback when it ends.
   */
  private scanLines(pos: number): number {
    const { job, fd } = this;
    if (readBuffer.length < CHUNK) readBuffer = Buffer.allocUnsafe(CHUNK);
    let buf = readBuffer;
    let filled = 0; // bytes of buf holding file bytes from `base`
    let base = pos;
    while (pos < job.end && pos < job.limit) {
      // Read more when the next line is not complete in the buffer.
      let nl = filled > pos - base ? buf.indexOf(NEWLINE, pos - base) : -1;
      if (nl === -1 || nl >= filled) {
        const keep = filled - (pos - base);
        if (keep === buf.length) {
          // A line longer than the buffer: double it (and keep the larger one for later jobs).
          const grown = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(grown, 0, pos - base, filled);
          buf = readBuffer = grown;
        } else buf.copy(buf, 0, pos - base, filled);
        base = pos;
        filled = keep;
        const want = Math.min(buf.length - filled, job.limit - (base + filled));
        if (want <= 0) break;
        const got = readSync(fd, buf, filled, want, base + filled);
        if (got === 0) break;
        filled += got;
        continue;
      }
      const s = pos - base;
      const e = nl > s && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      this.line(buf, s, e, pos);
      this.lines++;
      pos = base + nl + 1;
    }
    return pos;
  }

  private skipToNextLine(pos: number): number {
    const buf = Buffer.allocUnsafe(64 << 10);
    for (;;) {
      const got = readSync(this.fd, buf, 0, Math.min(buf.length, this.job.limit - pos), pos);
      if (got <= 0) return this.job.limit;
      const nl = buf.indexOf(NEWLINE);
      if (nl !== -1 && nl < got) return pos + nl + 1;
      pos += got;
    }
  }

  private line(buf: Buffer, start: number, end: number, offset: number): void {
    const bom = offset === 0 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf ? 3 : 0;
    if (start + bom < end && parseExampleLine(buf, start + bom, end, this.fast)) this.row(buf, offset, end - start);
    else this.slow(buf, start, end, offset);
  }

  private slow(buf: Buffer, start: number, end: number, offset: number): void {
    const read = readLine(buf, start, end, offset === 0);
    if (read.kind === 'blank') return;
    const at = { row: this.rows.count, line: this.lines, offset, length: end - start };
    if (read.kind === 'problem') {
      const problem: { kind: string; message: string; field?: string } = { kind: read.problemKind, message: read.message };
      if (read.field !== undefined) problem.field = read.field;
      this.specials.push({ ...at, problem });
      return;
    }
    const record = read.record;
    const warned = read.warning ? { warning: read.warning } : {};
    if (record.type === 'run' || record.type === 'checkpoint' || record.type === 'scores') {
      this.specials.push({ ...at, record, hasTexts: false });
      return;
    }
    // Texts stay in the file; only whether there are any travels.
    let hasTexts = (record.samples?.length ?? 0) > 0;
    const slim = { ...record, samples: undefined };
    if (record.perturbations) {
      slim.perturbations = {};
      for (const [name, set] of Object.entries(record.perturbations)) {
        if ((set.samples?.length ?? 0) > 0) hasTexts = true;
        slim.perturbations[name] = { outcomes: set.outcomes, answers: set.answers };
      }
    }
    this.specials.push({ ...at, record: slim, hasTexts, ...warned });
  }

  private row(buf: Buffer, offset: number, length: number): void {
    const f = this.fast;
    const r = this.rows;
    if (r.count === r.capacity) r.grow(r.capacity * 2);
    const i = r.count++;
    r.slot[i] = slots.slotOf(buf, f.runStart, f.runEnd, f.checkpointStart, f.checkpointEnd);
    r.line[i] = this.lines;
    r.index[i] = f.index;
    r.keyIndex[i] = this.keyIndexOf(buf, f.keyStart, f.keyEnd, f.index);
    r.step[i] = f.step;
    r.accuracy[i] = f.sampleCount === 0 ? NaN : f.correct / f.sampleCount;
    r.sampleCount[i] = f.sampleCount;
    r.perplexity[i] = f.perplexity;
    r.distinct[i] = f.distinctAnswers;
    r.hasTexts[i] = f.hasTexts ? 1 : 0;
    r.offset[i] = offset;
    r.length[i] = length;
  }

  private keyIndexOf(buf: Buffer, ks: number, ke: number, index: number): number {
    const keys = this.keys;
    if (!keys) return KeyStatus.ByIndex;
    const n = keys.offsets.length - 1;
    if (index < n) {
      const s = keys.offsets[index];
      const len = keys.offsets[index + 1] - s;
      if (len === ke - ks) {
        let k = 0;
        while (k < len && keys.bytes[s + k] === buf[ks + k]) k++;
        if (k === len) return index;
      }
    }
    this.lookups.push(buf.toString('utf8', ks, ke));
    return KeyStatus.Lookup;
  }
}

function sameBytes(buf: Buffer, s: number, e: number, other: Buffer): boolean {
  if (e - s !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (buf[s + i] !== other[i]) return false;
  return true;
}

/** The worker's message loop: one ScanResult per ScanJob, typed arrays moved, not copied. */
export function serveScanJobs(): void {
  const data = workerData as ScanWorkerData;
  const keys = data.keys && { bytes: new Uint8Array(data.keys.bytes), offsets: new Uint32Array(data.keys.offsets) };
  primeFastPath();
  parentPort!.on('message', (job: ScanJob) => {
    try {
      const r = scanRange(job, keys);
      const moved = [r.slot, r.line, r.index, r.keyIndex, r.step, r.accuracy, r.sampleCount, r.perplexity, r.distinct, r.hasTexts, r.offset, r.length].map((a) => a.buffer as ArrayBuffer);
      parentPort!.postMessage({ ok: true, result: r }, moved);
    } catch (err) {
      parentPort!.postMessage({ ok: false, id: job.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
}
