// Parallel JSONL scan for large files: the main thread reads chunks cut at line ends and hands them to
// worker threads, which parse and key the records; results are merged strictly in file order, so keys,
// duplicate suffixes and problems come out exactly as in the sequential scan.
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { FieldProfile } from '../model';
import type { ExampleCollector } from './collect';
import { GrowableIndex, indexJsonlHandle } from './jsonl-index';
import { type JobResult, RecordStatus, type ScanProfile } from './jsonl-worker-source';
import { detectProfile } from './profiles';
import { startWorker } from '../start-worker';

export interface ParallelScanOptions {
  workers: number;
  chunkSize?: number;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Worker threads worth starting: one per core, at most 4. The main thread mostly waits (its share is the
 * key map), and beyond 4 workers that map is the bottleneck.
 */
export function defaultWorkerCount(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, cores));
}

/**
 * The profile for 'auto' from the first record that parses as an object, or undefined when there is none
 * (the sequential scan then reports every line's problem). Throws when that record fits no named profile.
 */
export async function peekProfile(handle: FileHandle, file: string): Promise<FieldProfile | undefined> {
  const found: { profile?: FieldProfile } = {};
  const stop = new Error('stop');
  try {
    await indexJsonlHandle(handle, {
      chunkSize: 1 << 20,
      onLine(bytes, start, end, line) {
        let record: unknown;
        try {
          record = JSON.parse(bytes.toString('utf8', start, end));
        } catch {
          return false;
        }
        if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
        found.profile = detectProfile(record, file, line);
        throw stop;
      },
    });
  } catch (err) {
    if (err !== stop) throw err;
  }
  return found.profile;
}

/** Scans the whole file with the collector's (already known) profile; returns offsets and lengths of the accepted records. */
export async function scanJsonlParallel(
  handle: FileHandle,
  collector: ExampleCollector,
  opts: ParallelScanOptions,
): Promise<{ offsets: Float64Array; lengths: Uint32Array }> {
  const profile = collector.profile;
  if (!profile) throw new Error('scanJsonlParallel needs a known profile');
  const totalBytes = (await handle.stat()).size;
  const chunkSize = opts.chunkSize ?? 4 * 1024 * 1024;
  const pool = new WorkerPool(Math.max(1, opts.workers), { query: profile.query, target: profile.target, id: profile.id });
  const out = new GrowableIndex(Math.max(64, Math.ceil(totalBytes / 512)));
  let line = 1;

  const merge = (r: JobResult, base: number) => {
    for (let i = 0; i < r.count; i++) {
      const recordLine = line + r.lineIndex[i];
      const status = r.status[i];
      if (status === RecordStatus.HashKey || status === RecordStatus.IdKey) {
        collector.acceptKey(r.texts[i], status === RecordStatus.IdKey, recordLine);
        out.push(base + r.offsets[i], r.lengths[i], recordLine);
      } else if (status === RecordStatus.Utf8Warning) {
        collector.warn(recordLine, r.texts[i]);
      } else {
        collector.reject(recordLine, r.texts[i], status === RecordStatus.TornLastLine ? 'warning' : 'error', r.fields[i] || undefined);
      }
    }
    line += r.lines;
  };

  const inFlight: { result: Promise<JobResult>; base: number; end: number }[] = [];
  const settleOldest = async () => {
    const job = inFlight.shift()!;
    merge(await job.result, job.base);
    opts.onProgress?.(job.end, totalBytes);
  };

  try {
    let carry = Buffer.alloc(0);
    const head = Buffer.alloc(3);
    await handle.read(head, 0, 3, 0);
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    let position = bom ? 3 : 0;
    let carryOffset = position;
    while (position < totalBytes) {
      opts.signal?.throwIfAborted();
      const buffer = Buffer.allocUnsafeSlow(carry.length + chunkSize);
      carry.copy(buffer, 0);
      const { bytesRead } = await handle.read(buffer, carry.length, chunkSize, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const filled = carry.length + bytesRead;
      const final = position >= totalBytes;
      const end = final ? filled : buffer.lastIndexOf(0x0a, filled - 1) + 1;
      if (end === 0) {
        // One line longer than the chunk: keep reading until it ends.
        carry = buffer.subarray(0, filled);
        continue;
      }
      const base = carryOffset;
      carry = Buffer.from(buffer.subarray(end, filled));
      carryOffset += end;
      inFlight.push({ result: pool.run(buffer.buffer, 0, end, final), base, end: carryOffset });
      if (inFlight.length >= 2 * pool.size) await settleOldest();
    }
    while (inFlight.length) await settleOldest();
    opts.signal?.throwIfAborted();
  } finally {
    for (const job of inFlight) job.result.catch(() => undefined);
    await pool.close();
  }
  return { offsets: out.offsets.slice(0, out.count), lengths: out.lengths.slice(0, out.count) };
}

/** Workers fed round-robin; each answers its jobs in the order it got them. */
class WorkerPool {
  private readonly workers: { worker: Worker; waiting: { resolve(r: JobResult): void; reject(e: unknown): void }[] }[] = [];
  private next = 0;

  constructor(
    readonly size: number,
    profile: ScanProfile,
  ) {
    for (let i = 0; i < size; i++) {
      const worker = startWorker({ kind: 'jsonl-scan', profile });
      const entry = { worker, waiting: [] as { resolve(r: JobResult): void; reject(e: unknown): void }[] };
      worker.on('message', (r: JobResult) => entry.waiting.shift()?.resolve(r));
      const fail = (err: unknown) => {
        for (const w of entry.waiting.splice(0)) w.reject(err);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`JSONL worker exited with code ${code}`)));
      this.workers.push(entry);
    }
  }

  run(buffer: ArrayBuffer, start: number, end: number, final: boolean): Promise<JobResult> {
    const entry = this.workers[this.next++ % this.workers.length];
    return new Promise((resolve, reject) => {
      entry.waiting.push({ resolve, reject });
      entry.worker.postMessage({ buffer, start, end, final }, [buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
