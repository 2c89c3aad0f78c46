// Plain JSON datasets — `[ {...}, ... ]` or `{ "data": [...] }` — for small files held in memory.
import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import { InputError, type Dataset, type FieldProfile } from '../model';
import { datasetFromIndex, ExampleCollector } from './collect';
import { fieldsHolding, INVALID_UTF8_MESSAGE, jsonStringsWithInvalidUtf8 } from './invalid-utf8';
import { describeOpenError, type OpenDatasetOptions } from './jsonl';

/** Larger JSON files are refused: they would be parsed whole into memory. */
export const MAX_JSON_BYTES = 200 * 1024 * 1024;

export async function openJsonDataset(path: string, profile: FieldProfile | 'auto', opts: OpenDatasetOptions = {}): Promise<Dataset> {
  let size: number;
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    size = stat.size;
  } catch (err) {
    throw new InputError(path, describeOpenError(err));
  }
  if (size > MAX_JSON_BYTES) {
    throw new InputError(
      path,
      `a JSON file of ${(size / 1024 / 1024).toFixed(0)} MB is too large to load whole (limit ${MAX_JSON_BYTES / 1024 / 1024} MB); convert it to JSONL (one record per line), which is indexed without loading it`,
    );
  }
  opts.signal?.throwIfAborted();
  const bytes = await fs.readFile(path);
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  opts.onProgress?.(size, size);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new InputError(path, `invalid JSON: ${(err as Error).message}`, lineOfBadRecord(text));
  }
  const { records, key } = findRecordArray(root, path);
  const collector = new ExampleCollector(path, profile);
  const starts = locateRecords(text, key).lines;
  const exact = starts.length === records.length;
  if (!exact && records.length > 0) {
    collector.reject(undefined, 'could not locate each record in the text; record numbers (1-based) are shown instead of line numbers', 'warning');
  }
  // Only a file that is not UTF-8 is looked at again, byte by byte: where each record lies in the bytes.
  let byteRanges = isUtf8(bytes) ? undefined : locateRecords(bytes.toString('latin1'), key);
  if (byteRanges && byteRanges.starts.length !== records.length) {
    collector.reject(undefined, INVALID_UTF8_MESSAGE, 'warning');
    byteRanges = undefined;
  }
  const kept: unknown[] = [];
  records.forEach((record, i) => {
    const line = exact ? starts[i] : i + 1;
    if (byteRanges) {
      const bad = jsonStringsWithInvalidUtf8(bytes, byteRanges.starts[i], byteRanges.ends[i]);
      for (const field of bad.size ? fieldsHolding(record, bad) : []) collector.warn(line, INVALID_UTF8_MESSAGE, field || undefined);
    }
    if (collector.accept(record, line)) kept.push(record);
  });
  const collected = collector.finish(' (the array is empty)');

  return datasetFromIndex(path, collected, async (i) => kept[i], async () => {
    kept.length = 0;
  });
}

/** The record array: the root itself, or the "data" member of a root object (else its only array member). */
export function findRecordArray(root: unknown, path: string): { records: unknown[]; key?: string } {
  if (Array.isArray(root)) return { records: root };
  if (typeof root === 'object' && root !== null) {
    const obj = root as Record<string, unknown>;
    if (Array.isArray(obj.data)) return { records: obj.data, key: 'data' };
    const arrays = Object.keys(obj).filter((k) => Array.isArray(obj[k]));
    if (arrays.length === 1) return { records: obj[arrays[0]] as unknown[], key: arrays[0] };
    const hint = arrays.length > 1 ? `; it has several array members (${arrays.join(', ')}), name one "data"` : '';
    throw new InputError(path, `expected an array of records, or an object with a "data" array${hint}`);
  }
  throw new InputError(path, `expected an array of records, got a JSON ${root === null ? 'null' : typeof root}`);
}

/** 1-based line where each element of the record array starts. */
export function recordStartLines(text: string, memberKey?: string): number[] {
  return locateRecords(text, memberKey).lines;
}

/**
 * Where each element of the record array starts (1-based line, character offset) and ends: one pass over
 * the text that tracks strings and nesting. `memberKey` selects the array under that key of a root object.
 * Tolerates malformed JSON (it is also used to find the record that fails to parse).
 */
function locateRecords(text: string, memberKey?: string): { lines: number[]; starts: number[]; ends: number[] } {
  const lines: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let line = 1;
  let depth = 0;
  let arrayDepth = memberKey === undefined ? 1 : -1;
  let expectElement = false;
  let lastString: string | undefined;
  let keyAtDepth1: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
    if (expectElement && c !== 0x5d /* ] */) {
      lines.push(line);
      starts.push(i);
      expectElement = false;
    }
    if (c === 0x22 /* " */) {
      const begin = i + 1;
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
      // Only keys of the root object matter; plain names need no unescaping.
      lastString = depth === 1 ? text.slice(begin, i) : undefined;
    } else if (c === 0x3a /* : */) {
      if (depth === 1) keyAtDepth1 = lastString;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (c === 0x5b && memberKey !== undefined && depth === 2 && arrayDepth === -1 && keyAtDepth1 === memberKey) arrayDepth = 2;
      if (c === 0x5b && depth === arrayDepth) expectElement = true;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth === arrayDepth && c === 0x5d) {
        if (ends.length < starts.length) ends.push(i);
        expectElement = false;
        if (memberKey !== undefined) arrayDepth = -2; // done: a later array under another key is not it
      }
      depth--;
    } else if (c === 0x2c /* , */ && depth === arrayDepth) {
      if (ends.length < starts.length) ends.push(i);
      expectElement = true;
    }
  }
  while (ends.length < starts.length) ends.push(text.length);
  return { lines, starts, ends };
}

/** The line of the first record that does not parse on its own, when the file is an array of records. */
function lineOfBadRecord(text: string): number | undefined {
  const trimmed = text.trimStart();
  let memberKey: string | undefined;
  if (trimmed.startsWith('{')) {
    if (!/"data"\s*:\s*\[/.test(text)) return undefined;
    memberKey = 'data';
  } else if (!trimmed.startsWith('[')) return undefined;
  const { lines, starts, ends } = locateRecords(text, memberKey);
  for (let k = 0; k < starts.length; k++) {
    try {
      JSON.parse(text.slice(starts[k], ends[k]));
    } catch {
      return lines[k];
    }
  }
  return undefined;
}
