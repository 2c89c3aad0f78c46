// JSONL datasets: one streaming pass parses each record once for its key; get() re-reads one record by offset.
import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { InputError, type Dataset, type FieldProfile } from '../model';
import { datasetFromIndex, ExampleCollector } from './collect';
import { INVALID_UTF8_MESSAGE } from './invalid-utf8';
import { indexJsonlHandle, readLineAt } from './jsonl-index';
import { defaultWorkerCount, peekProfile, scanJsonlParallel } from './jsonl-parallel';

export interface OpenDatasetOptions {
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Worker threads for parsing large JSONL files; 0 scans on the calling thread. Default: by core count. */
  workers?: number;
  /** Files at least this large are scanned in parallel (default 32 MiB; below it, starting workers costs more than it saves). */
  parallelMinBytes?: number;
}

const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

export async function openJsonlDataset(path: string, profile: FieldProfile | 'auto', opts: OpenDatasetOptions = {}): Promise<Dataset> {
  const handle = await openForReading(path);
  try {
    const collector = new ExampleCollector(path, profile);
    const size = (await handle.stat()).size;
    const workers = opts.workers ?? defaultWorkerCount();
    let offsets: Float64Array;
    let lengths: Uint32Array;
    const parallel = workers > 0 && size >= (opts.parallelMinBytes ?? PARALLEL_MIN_BYTES);
    // Workers need the profile up front; with 'auto' it comes from the first object record.
    if (parallel) collector.profile ??= await peekProfile(handle, path);
    if (parallel && collector.profile) {
      ({ offsets, lengths } = await scanJsonlParallel(handle, collector, { workers, signal: opts.signal, onProgress: opts.onProgress }));
    } else {
      ({ offsets, lengths } = await scanJsonlSequential(handle, collector, opts));
    }
    const collected = collector.finish(' (the file is empty)');
    const readRecord = async (i: number, line: number): Promise<unknown> => {
      const text = await readLineAt(handle, offsets[i], lengths[i]).catch((err: Error) => {
        throw new InputError(path, `cannot re-read the record (was the file changed?): ${err.message}`, line);
      });
      try {
        return JSON.parse(text);
      } catch {
        throw new InputError(path, 'the record is no longer valid JSON; the file changed since it was opened, reopen it', line);
      }
    };
    return datasetFromIndex(path, collected, readRecord, () => handle.close(), '; the file changed since it was opened, reopen it');
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** fs.open with errors that name the file the way the rest of the readers do. */
export async function openForReading(path: string) {
  let handle;
  try {
    handle = await fs.open(path, 'r');
  } catch (err) {
    throw new InputError(path, describeOpenError(err));
  }
  // Opening a folder succeeds on some platforms; reading it then fails with a less helpful message.
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new InputError(path, describeOpenError({ code: 'EISDIR' }));
  }
  return handle;
}

export function describeOpenError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot open: ${(err as Error).message}`;
}

/** One pass on the calling thread: each record is parsed once, keyed, and kept or reported. */
async function scanJsonlSequential(handle: FileHandle, collector: ExampleCollector, opts: OpenDatasetOptions) {
  const index = await indexJsonlHandle(handle, {
    signal: opts.signal,
    onProgress: opts.onProgress,
    onLine(bytes, start, end, line, _offset, terminated) {
      let record: unknown;
      const text = bytes.toString('utf8', start, end);
      // U+FFFD may be in the file as such; only bytes that are not UTF-8 are worth a word.
      if (text.includes('\uFFFD') && !isUtf8(bytes.subarray(start, end))) collector.warn(line, INVALID_UTF8_MESSAGE);
      try {
        record = JSON.parse(text);
      } catch (err) {
        if (terminated) collector.reject(line, `invalid JSON: ${(err as Error).message}`);
        else collector.reject(line, 'last line is incomplete (no newline at the end and not valid JSON); skipped', 'warning');
        return false;
      }
      return collector.accept(record, line);
    },
  });
  return { offsets: index.offsets, lengths: index.lengths };
}
