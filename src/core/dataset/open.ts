// Opens a dataset file of any supported format, chosen by extension (and, for .json, by content).
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { InputError, type Dataset, type FieldProfile } from '../model';
import { openJsonDataset } from './json';
import { openForReading, openJsonlDataset, type OpenDatasetOptions } from './jsonl';
import { openParquetDataset, openParquetShards } from './parquet';
import { resolveProfile, type ProfileSpec } from './profiles';

export type { OpenDatasetOptions } from './jsonl';

const FORMATS: Record<string, 'jsonl' | 'json' | 'parquet'> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.jsonlines': 'jsonl',
  '.json': 'json',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

/** Opens `path` with a profile (a name, a mapping, or 'auto' to detect it from the first record). */
export async function openDataset(path: string, profile: ProfileSpec | string | 'auto', opts: OpenDatasetOptions = {}): Promise<Dataset> {
  let resolved: FieldProfile | 'auto';
  try {
    resolved = profile === 'auto' ? 'auto' : resolveProfile(profile);
  } catch (err) {
    throw new InputError(path, (err as Error).message, undefined, 'profile');
  }
  if (await isFolder(path)) {
    const { files } = await findDatasetShards(path);
    return openParquetShards(path, files, resolved, opts);
  }
  const ext = extname(path).toLowerCase();
  const format = FORMATS[ext];
  if (!format) {
    throw new InputError(path, `unsupported dataset format '${ext || '(no extension)'}': expected .jsonl, .ndjson, .json or .parquet`);
  }
  if (format === 'parquet') return openParquetDataset(path, resolved, opts);
  if (format === 'jsonl' || (await looksLikeJsonLines(path))) return openJsonlDataset(path, resolved, opts);
  return openJsonDataset(path, resolved, opts);
}

/**
 * Whether a .json file actually holds one object per line (as many exporters write): its first line is a
 * whole JSON object and more follows, or that object holds no array of records.
 */
export async function looksLikeJsonLines(path: string): Promise<boolean> {
  const handle = await openForReading(path);
  try {
    const head = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    let text = head.toString('utf8', 0, bytesRead);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    text = text.trimStart();
    if (!text.startsWith('{')) return false;
    const nl = text.indexOf('\n');
    if (nl === -1 && bytesRead === head.length) return false;
    let first: unknown;
    try {
      first = JSON.parse(nl === -1 ? text : text.slice(0, nl));
    } catch {
      return false;
    }
    if (typeof first !== 'object' || first === null) return false;
    const moreFollows = nl !== -1 && text.slice(nl + 1).trim() !== '';
    return moreFollows || !Object.values(first).some(Array.isArray);
  } finally {
    await handle.close();
  }
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** "train-00000-of-00002.parquet" -> "train"; a file outside that pattern is a split of its own name. */
const SHARD = /^(.+?)(?:-\d{5}-of-\d{5})?\.parquet$/;

/**
 * The Parquet shards of a Hugging Face dataset folder (its data/ folder, or the folder itself, one level of
 * sub-folders per config at most), in order: the 'train' split when there are several, else the only one.
 */
export async function findDatasetShards(folder: string): Promise<{ split: string; files: string[] }> {
  const found: string[] = [];
  const visit = async (dir: string, depth: number) => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory() && depth < 2) await visit(join(dir, e.name), depth + 1);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.parquet')) found.push(join(dir, e.name));
    }
  };
  await visit(folder, 0);
  const splits = new Map<string, string[]>();
  for (const file of found.sort()) {
    const split = join(relative(folder, file), '..', SHARD.exec(basename(file))?.[1] ?? basename(file));
    splits.set(split, [...(splits.get(split) ?? []), file]);
  }
  if (splits.size === 0) throw new InputError(folder, 'a folder with no .parquet files: expected a Hugging Face dataset folder (data/train-00000-of-0000n.parquet) or a dataset file');
  const names = [...splits.keys()];
  const train = names.filter((n) => basename(n) === 'train');
  const split = names.length === 1 ? names[0] : train.length === 1 ? train[0] : undefined;
  if (split === undefined) {
    throw new InputError(folder, `several splits (${names.join(', ')}) and no single 'train' split; open one split's folder or .parquet file instead`);
  }
  return { split, files: splits.get(split)! };
}
