// Finding PreMem run logs on disk and reading them with one incremental reader: large logs in parallel worker
// threads, with a columnar cache in .premem/ beside them so that reopening reads only what changed.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type CacheUse, datasetIdentity, restoreFromCache, runLogCachePath, startSaveToCache } from '../../cache/runlog-cache';
import type { Dataset, InputProblem, Run } from '../../model';
import { pendingBytes, scanInParallel } from './parallel-scan';
import { PreMemLogReader } from './log-reader';

export const PREMEM_LOG_SUFFIX = '.premem.jsonl';

/** Logs at least this large (all files together) are cached when `cache` is 'auto'. */
export const AUTO_CACHE_BYTES = 64 << 20;
/** Unread bytes from which worker threads parse instead of this thread. */
export const PARALLEL_MIN_BYTES = 16 << 20;

export interface PreMemLoadOptions {
  /** Keep the parsed columns in .premem/ beside the logs and reuse them (default 'auto': for logs of 64 MiB or more). */
  cache?: boolean | 'auto';
  /** Worker threads for large logs (default: one per core, at most 4; 0 reads on this thread). */
  workers?: number;
  /** Bytes of log parsed so far and in all (not called when everything came from the cache). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** A PreMem log file itself, or the *.premem.jsonl files in a folder and its sub-folders (two levels). */
export async function findPreMemLogs(target: string, depth = 2): Promise<string[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [target];
  const found: string[] = [];
  for (const entry of (await readdir(target, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(target, entry.name);
    if (entry.isFile() && entry.name.endsWith(PREMEM_LOG_SUFFIX)) found.push(p);
    else if (entry.isDirectory() && depth > 0 && !entry.name.startsWith('.')) found.push(...(await findPreMemLogs(p, depth - 1)));
  }
  return found;
}

export interface OpenedPreMemReader {
  reader: PreMemLogReader;
  /** How much the cache gave: nothing, everything, or the part before bytes appended since. */
  cache: CacheUse;
  /** Settles when the cache this open writes is on disk (at once when it writes none); never rejects. */
  saved: Promise<void>;
}

export async function openPreMemReaderWithCache(target: string, dataset?: Dataset, options: PreMemLoadOptions = {}): Promise<OpenedPreMemReader> {
  const files = await findPreMemLogs(target);
  const reader = new PreMemLogReader(files.length ? files : [target], {
    keyToIndex: dataset?.keyToIndex,
    numExamples: dataset?.size,
    task: dataset?.profile.task,
  });
  const isFolder = (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
  const wanted = options.cache ?? 'auto';
  const useCache = wanted === 'auto' ? (await pendingBytes(reader)) >= AUTO_CACHE_BYTES : wanted;
  const cacheFile = useCache ? runLogCachePath(target, isFolder) : undefined;
  const identity = cacheFile ? datasetIdentity(dataset) : null;
  const cache = cacheFile ? await restoreFromCache(reader, cacheFile, identity) : 'none';
  const unread = await pendingBytes(reader);
  if (unread >= PARALLEL_MIN_BYTES && options.workers !== 0) {
    await scanInParallel(reader, { workers: options.workers, keys: dataset?.keys, onProgress: options.onProgress, signal: options.signal });
  }
  await reader.readMore();
  let saved = Promise.resolve();
  if (cacheFile && (cache !== 'whole' || unread > 0)) {
    // The cache's bytes go out in the background while the caller goes on (to analyze, typically). A folder we
    // may not write to only loses the speed-up.
    const write = await startSaveToCache(reader, cacheFile, identity).catch(() => undefined);
    if (write) saved = write.done.then(() => undefined, () => undefined);
  }
  return { reader, cache, saved };
}

export async function loadPreMemRuns(
  target: string,
  dataset?: Dataset,
  options: PreMemLoadOptions = {},
): Promise<{ runs: Run[]; problems: InputProblem[]; reader: PreMemLogReader; saved: Promise<void> }> {
  const { reader, saved } = await openPreMemReaderWithCache(target, dataset, options);
  return { runs: reader.runs(), problems: reader.problems, reader, saved };
}
