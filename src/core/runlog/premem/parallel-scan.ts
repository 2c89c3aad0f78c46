// Parallel scan of large PreMem logs: the files are cut into byte ranges that worker threads read and parse by
// themselves (scan-worker.ts); the main thread only applies their typed columns, strictly in file order, so
// placement, "last record wins", problems and their line numbers come out exactly as in the sequential read.
import { open, stat } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { defaultWorkerCount } from '../../dataset/jsonl-parallel';
import { startWorker } from '../../start-worker';
import type { CheckpointState, PreMemLogReader } from './log-reader';
import { KeyStatus, type ScanJob, type ScanResult, type ScanWorkerData } from './scan-worker';

export interface ParallelScanOptions {
  /** Worker threads (default: one per core, at most 4). */
  workers?: number;
  /** Bytes per job (default 32 MiB). */
  jobBytes?: number;
  /** The dataset's keys in order, when the reader places records by key. */
  keys?: readonly string[];
  /** Bytes parsed so far and in all, after each job. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

const DEFAULT_JOB_BYTES = 32 << 20;

/** Where each file's complete lines end (just past its last newline), from what the reader has read. */
async function pendingRanges(reader: PreMemLogReader): Promise<{ file: number; from: number; limit: number; lineCount: number }[]> {
  const ranges = [];
  for (let f = 0; f < reader.files.length; f++) {
    const size = await stat(reader.files[f]).then((s) => s.size, () => -1);
    const { position, lineCount } = reader.scanned(f);
    if (size <= position) continue; // missing, unchanged or shrunk: the sequential read handles and reports it
    const limit = await lastLineEnd(reader.files[f], position, size);
    if (limit > position) ranges.push({ file: f, from: position, limit, lineCount });
  }
  return ranges;
}

/** The position after the last '\n' in [from, size) of the file, or `from` when there is none. */
async function lastLineEnd(file: string, from: number, size: number): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 << 10);
    let end = size;
    while (end > from) {
      const start = Math.max(from, end - buf.length);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl !== -1) return start + nl + 1;
      end = start;
    }
    return from;
  } finally {
    await fh.close();
  }
}

/** Bytes the reader has yet to parse in its files (complete lines or not). */
export async function pendingBytes(reader: PreMemLogReader): Promise<number> {
  let total = 0;
  for (let f = 0; f < reader.files.length; f++) {
    const size = await stat(reader.files[f]).then((s) => s.size, () => 0);
    total += Math.max(0, size - reader.scanned(f).position);
  }
  return total;
}

/** The dataset's keys as shared UTF-8 bytes with offsets, for workers to check a record's key against. */
function sharedKeys(keys: readonly string[]): ScanWorkerData['keys'] {
  let total = 0;
  for (const k of keys) total += Buffer.byteLength(k);
  if (total > 0xffffffff) return undefined;
  const bytes = new SharedArrayBuffer(Math.max(1, total));
  const offsets = new SharedArrayBuffer(4 * (keys.length + 1));
  const b = Buffer.from(bytes);
  const o = new Uint32Array(offsets);
  let at = 0;
  keys.forEach((k, i) => {
    o[i] = at;
    at += b.write(k, at, 'utf8');
  });
  o[keys.length] = at;
  return { bytes, offsets };
}

/**
 * Reads everything complete that the reader has not read yet, in parallel, and leaves the reader positioned
 * after it: a later readMore() goes on from there (a torn last line, appends).
 */
export async function scanInParallel(reader: PreMemLogReader, options: ParallelScanOptions = {}): Promise<void> {
  const ranges = await pendingRanges(reader);
  if (ranges.length === 0) return;
  const jobBytes = options.jobBytes ?? DEFAULT_JOB_BYTES;
  const jobs: (ScanJob & { file: number })[] = [];
  for (const r of ranges) {
    for (let s = r.from; s < r.limit; s += jobBytes) {
      jobs.push({ id: jobs.length, file: r.file, path: reader.files[r.file], start: s, end: Math.min(r.limit, s + jobBytes), limit: r.limit });
    }
  }
  const total = ranges.reduce((sum, r) => sum + r.limit - r.from, 0);
  const count = Math.max(1, Math.min(options.workers ?? defaultWorkerCount(), jobs.length));
  const keys = options.keys && sharedKeys(options.keys);
  if (options.keys && !keys) throw new Error('dataset keys too large to share with scan workers');
  const workers = Array.from({ length: count }, () => startWorker({ kind: 'premem-scan', keys }));
  const done = new Map<number, ScanResult>();
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const idle: Worker[] = [];
  let next = 0;
  // At most two jobs per worker ahead of the one being applied, so results never pile up in memory.
  const mayDispatch = () => next < jobs.length && next < applied + 2 * count;
  const dispatch = (w: Worker) => {
    if (mayDispatch()) {
      const { file: _file, ...job } = jobs[next++];
      w.postMessage(job);
    } else idle.push(w);
  };
  let applied = 0;
  for (const w of workers) {
    w.on('message', (m: { ok: true; result: ScanResult } | { ok: false; id: number; message: string }) => {
      if (m.ok) done.set(m.result.id, m.result);
      else failure ??= new Error(`run-log scan of ${jobs[m.id].path} failed: ${m.message}`);
      dispatch(w);
      wake?.();
    });
    w.on('error', (err) => {
      failure ??= err;
      wake?.();
    });
  }
  try {
    for (const w of workers) dispatch(w);
    const lineBase = new Map(ranges.map((r) => [r.file, r.lineCount]));
    let bytesDone = 0;
    while (applied < jobs.length) {
      options.signal?.throwIfAborted();
      if (failure) throw failure;
      const result = done.get(applied);
      if (!result) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      done.delete(applied);
      const job = jobs[applied++];
      const base = lineBase.get(job.file)!;
      applyResult(reader, job.file, base, result);
      lineBase.set(job.file, base + result.lines);
      bytesDone += job.end - job.start;
      while (idle.length && mayDispatch()) dispatch(idle.pop()!);
      options.onProgress?.(bytesDone, total);
      if (applied === jobs.length || jobs[applied].file !== job.file) {
        const range = ranges.find((r) => r.file === job.file)!;
        reader.markScanned(job.file, range.limit, lineBase.get(job.file)!);
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Applies the special lines of a job from index `sp` on that come before row `row`; returns the next index. */
function applySpecials(reader: PreMemLogReader, file: number, lineBase: number, specials: ScanResult['specials'], sp: number, row: number): number {
  for (; sp < specials.length && specials[sp].row === row; sp++) {
    const s = specials[sp];
    const line = lineBase + s.line + 1;
    if ('problem' in s) reader.problem(s.problem.kind, file, line, s.problem.message, s.problem.field);
    else {
      if (s.warning) reader.problem(s.warning.kind, file, line, s.warning.message, s.warning.field, 'warning');
      reader.apply(s.record, file, line, s.offset, s.length, s.hasTexts);
    }
  }
  return sp;
}

/** Applies one job's rows and special lines in line order, as the sequential reader would have. */
function applyResult(reader: PreMemLogReader, file: number, lineBase: number, r: ScanResult): void {
  const states: (CheckpointState | undefined)[] = new Array(r.names.length);
  const specials = r.specials;
  let sp = 0;
  let lookup = 0;
  for (let i = 0; i < r.count; i++) {
    // A plain function, not a closure made per job: a fresh closure per job made V8 drop this loop's optimized code.
    if (sp < specials.length && specials[sp].row === i) sp = applySpecials(reader, file, lineBase, specials, sp, i);
    let ckpt = states[r.slot[i]];
    if (!ckpt) {
      const [run, checkpoint] = r.names[r.slot[i]].split('\u0000');
      ckpt = states[r.slot[i]] = reader.checkpointState(reader.runState(run, file), checkpoint);
    }
    const step = r.step[i];
    if (step >= 0 && !ckpt.stepFromCheckpointRecord && Number.isNaN(ckpt.step)) ckpt.step = step;
    const keyIndex = r.keyIndex[i];
    const key = keyIndex === KeyStatus.Lookup ? r.lookups[lookup++] : '';
    const index = reader.placement({ key, index: r.index[i] }, file, lineBase + r.line[i] + 1, keyIndex >= 0 ? keyIndex : undefined);
    if (index === undefined) continue;
    ckpt.columns.setScores(index, r.accuracy[i], r.sampleCount[i], r.perplexity[i], r.distinct[i]);
    if (r.hasTexts[i] && r.length[i] <= 0xffffffff) ckpt.columns.setLocation(index, file, r.offset[i], r.length[i]);
    else ckpt.columns.clearLocation(index);
  }
  applySpecials(reader, file, lineBase, specials, sp, r.count);
}
