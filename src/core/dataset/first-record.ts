// The first record of a dataset and its fields with example values: what "Open Dataset with Runs…" shows when no
// layout is detected, so a mapping can be chosen from the fields themselves.
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../model';
import { findRecordArray } from './json';
import { indexJsonlHandle } from './jsonl-index';
import { openForReading } from './jsonl';
import { findDatasetShards, looksLikeJsonLines } from './open';
import { readParquetFirstRow } from './parquet';

/** The first object record of a dataset file or Hugging Face folder; undefined when it holds none. */
export async function readFirstRecord(path: string): Promise<Record<string, unknown> | undefined> {
  if ((await stat(path).catch(() => undefined))?.isDirectory()) return asObject(await readParquetFirstRow((await findDatasetShards(path)).files[0]));
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return asObject(await readParquetFirstRow(path));
  if (ext === '.json' && !(await looksLikeJsonLines(path))) {
    let root: unknown;
    try {
      root = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new InputError(path, `invalid JSON: ${(err as Error).message}`);
    }
    return (findRecordArray(root, path).records.map(asObject).find(Boolean));
  }
  const handle = await openForReading(path);
  const found: { record?: Record<string, unknown> } = {};
  const stop = new Error('stop');
  try {
    await indexJsonlHandle(handle, {
      chunkSize: 1 << 20,
      onLine(bytes, start, end) {
        try {
          found.record = asObject(JSON.parse(bytes.toString('utf8', start, end)));
        } catch {
          return false;
        }
        if (found.record) throw stop;
        return false;
      },
    });
  } catch (err) {
    if (err !== stop) throw err;
  } finally {
    await handle.close();
  }
  return found.record;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export interface FieldChoice {
  /** Dotted path, as a mapping names it. */
  path: string;
  /** A short example value: the text's start, the number, or the roles of a message list. */
  example: string;
}

/**
 * The fields a mapping can name: strings, numbers and message lists, at the top level and one object level
 * below (reward_model.ground_truth), in the record's order.
 */
export function fieldChoices(record: Record<string, unknown>): FieldChoice[] {
  const out: FieldChoice[] = [];
  const visit = (obj: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix + k;
      if (typeof v === 'string') out.push({ path, example: oneLine(v) });
      else if (typeof v === 'number' || typeof v === 'bigint') out.push({ path, example: String(v) });
      else if (Array.isArray(v) && v.length && v.every((m) => m && typeof m === 'object' && typeof m.role === 'string')) {
        out.push({ path, example: `messages: ${v.map((m) => m.role).join(', ')}` });
      } else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 1) visit(v as Record<string, unknown>, `${path}.`, depth + 1);
    }
  };
  visit(record, '', 0);
  return out;
}

const oneLine = (s: string) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
};
