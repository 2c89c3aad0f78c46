// The run-log cache: what a PreMem log reader learned from its files (typed columns per checkpoint, where
// each example's texts lie, problems, how far each file was read), kept in .premem/ beside the logs. It is
// valid while every file has the size and mtime it had, and still usable for the part already read when a file
// only grew (its bytes before the read position unchanged): reopening then reads just the appended bytes.
import { createHash } from 'node:crypto';
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset } from '../model';
import type { PreMemLogReader, ReaderSnapshot } from '../runlog/premem/log-reader';
import { keysDigest } from '../runlog/premem/scores-record';
import { readTree, startWriteTree, type TreeWrite } from './binary';

// 2: records with a bad perplexity are kept (perplexity unknown) instead of skipped.
const CACHE_VERSION = 2;
export const CACHE_FOLDER = '.premem';
/** Bytes before the read position whose hash tells an appended file from a rewritten one. */
const TAIL_BYTES = 64 << 10;

interface CachedFile {
  /** Relative to the cache file's folder, so a moved folder keeps its cache. */
  path: string;
  size: number;
  mtimeMs: number;
  tail: string;
}

interface CacheTree {
  version: number;
  dataset: DatasetIdentity | null;
  files: CachedFile[];
  reader: ReaderSnapshot;
}

/** What placement depends on: records are placed by the dataset's keys. */
export interface DatasetIdentity {
  size: number;
  keysDigest: string;
}

export type CacheUse = 'none' | 'whole' | 'prefix';

export function datasetIdentity(dataset: Pick<Dataset, 'size' | 'keys'> | undefined): DatasetIdentity | null {
  return dataset ? { size: dataset.size, keysDigest: keysDigest(dataset.keys) } : null;
}

/** <folder>/.premem/runlog-cache.bin for a folder of logs; <dir>/.premem/<name>.runlog-cache.bin for one log. */
export function runLogCachePath(target: string, isFolder: boolean): string {
  return isFolder ? path.join(target, CACHE_FOLDER, 'runlog-cache.bin') : path.join(path.dirname(target), CACHE_FOLDER, `${path.basename(target)}.runlog-cache.bin`);
}

async function tailHash(file: string, position: number): Promise<string> {
  const start = Math.max(0, position - TAIL_BYTES);
  const buf = Buffer.alloc(position - start);
  const fh = await open(file, 'r');
  try {
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await fh.read(buf, done, buf.length - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return createHash('sha256').update(buf.subarray(0, done)).digest('hex');
  } finally {
    await fh.close();
  }
}

/**
 * Restores the reader from the cache when it fits the reader's files and the dataset: 'whole' when no file
 * changed, 'prefix' when some only grew (the reader then has the appended bytes left to read), else 'none'.
 */
export async function restoreFromCache(reader: PreMemLogReader, cacheFile: string, dataset: DatasetIdentity | null): Promise<CacheUse> {
  const tree = (await readTree(cacheFile)) as CacheTree | undefined;
  if (!tree || tree.version !== CACHE_VERSION || JSON.stringify(tree.dataset) !== JSON.stringify(dataset)) return 'none';
  const dir = path.dirname(cacheFile);
  if (tree.files.length !== reader.files.length || tree.reader.files.length !== reader.files.length) return 'none';
  let use: CacheUse = 'whole';
  for (let f = 0; f < reader.files.length; f++) {
    const cached = tree.files[f];
    if (path.resolve(dir, cached.path) !== path.resolve(reader.files[f])) return 'none';
    const info = await stat(reader.files[f]).catch(() => undefined);
    if (!info) return 'none';
    if (info.size === cached.size && info.mtimeMs === cached.mtimeMs) continue;
    const position = tree.reader.files[f].position;
    // Only growth can be an append; the same size with another mtime is a rewrite.
    if (info.size <= cached.size || (await tailHash(reader.files[f], position)) !== cached.tail) return 'none';
    use = 'prefix';
  }
  try {
    reader.restore(tree.reader);
  } catch {
    return 'none';
  }
  return use;
}

/**
 * Starts writing the reader's state: the files' sizes and tails are read and the header encoded before this
 * resolves; the bytes then go out in the background (see startWriteTree) and `done` gives the cache's size.
 */
export async function startSaveToCache(reader: PreMemLogReader, cacheFile: string, dataset: DatasetIdentity | null): Promise<TreeWrite> {
  const snapshot = reader.snapshot();
  const dir = path.dirname(cacheFile);
  const files: CachedFile[] = [];
  for (let f = 0; f < reader.files.length; f++) {
    const info = await stat(reader.files[f]).catch(() => undefined);
    const position = snapshot.files[f].position;
    files.push({
      path: path.relative(dir, reader.files[f]),
      size: info?.size ?? -1,
      mtimeMs: info?.mtimeMs ?? -1,
      tail: info ? await tailHash(reader.files[f], position) : '',
    });
  }
  await mkdir(dir, { recursive: true });
  return startWriteTree(cacheFile, { version: CACHE_VERSION, dataset, files, reader: snapshot } satisfies CacheTree);
}

