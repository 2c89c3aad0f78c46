// Parquet datasets via hyparquet: the query/target/id columns are read one row group at a time to build the
// keys; get() decodes a small block of rows on demand. The "line" of a record is its 1-based row number
// (across all shards, for a dataset split over several files).
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData, type ParquetParsers } from 'hyparquet';
import { InputError, type Dataset, type FieldProfile } from '../model';
import { datasetFromIndex, ExampleCollector } from './collect';
import { openForReading, type OpenDatasetOptions } from './jsonl';
import { fieldsOfSpec } from './field-text';
import { fieldsHolding, INVALID_UTF8_MESSAGE } from './invalid-utf8';
import { detectProfile } from './profiles';

/** Rows decoded together by get(); neighbouring examples are usually viewed together. */
const BLOCK_ROWS = 64;
const CACHED_BLOCKS = 8;

interface Shard {
  path: string;
  handle: FileHandle;
  file: AsyncBuffer;
  metadata: FileMetaData;
  /** Global row number (0-based) of the shard's first row. */
  firstRow: number;
  numRows: number;
}

export async function openParquetDataset(path: string, profile: FieldProfile | 'auto', opts: OpenDatasetOptions = {}): Promise<Dataset> {
  return openParquetShards(path, [path], profile, opts);
}

/**
 * Several Parquet files read as one dataset (a Hugging Face dataset's train-0000x-of-0000n shards), rows numbered
 * across them in order: the "line" of a record is its 1-based row number in the whole dataset.
 */
export async function openParquetShards(path: string, paths: string[], profile: FieldProfile | 'auto', opts: OpenDatasetOptions = {}): Promise<Dataset> {
  const shards: Shard[] = [];
  const closeAll = () => Promise.all(shards.map((s) => s.handle.close()));
  try {
    let firstRow = 0;
    for (const shardPath of paths) {
      const handle = await openForReading(shardPath);
      const file = await fileBuffer(handle);
      const shard: Shard = { path: shardPath, handle, file, metadata: undefined as unknown as FileMetaData, firstRow, numRows: 0 };
      shards.push(shard);
      try {
        shard.metadata = await parquetMetadataAsync(file);
      } catch (err) {
        throw new InputError(shardPath, `not a readable Parquet file: ${(err as Error).message}`);
      }
      shard.numRows = Number(shard.metadata.num_rows);
      firstRow += shard.numRows;
    }
    const numRows = firstRow;
    const totalBytes = shards.reduce((sum, s) => sum + s.file.byteLength, 0);
    const read = async (shard: Shard, rowStart: number, rowEnd: number, columns?: string[], parsers?: Partial<ParquetParsers>) => {
      try {
        // The offset index (when the writer stored one) lets a small block skip the pages before it.
        return await parquetReadObjects({ file: shard.file, metadata: shard.metadata, columns, rowStart, rowEnd, useOffsetIndex: true, parsers });
      } catch (err) {
        throw new InputError(shard.path, `cannot decode rows ${rowStart + 1}-${rowEnd}: ${(err as Error).message}`, rowStart + 1);
      }
    };

    const collector = new ExampleCollector(path, profile);
    if (numRows === 0) collector.finish(' (the file has no rows)');
    const firstShard = shards.find((s) => s.numRows > 0)!;
    collector.profile ??= detectProfile((await read(firstShard, 0, 1))[0], firstShard.path, 1);
    // Strings decoded from bytes that are not UTF-8 (hyparquet decodes with U+FFFD for them, as TextDecoder
    // does), per row group; the rows holding them are warned about, with the field.
    const invalidUtf8 = new Set<string>();
    const decoder = new TextDecoder();
    const stringFromBytes = (bytes: Uint8Array | undefined) => {
      if (!bytes) return bytes;
      const text = decoder.decode(bytes);
      if (text.includes('\uFFFD') && !isUtf8(bytes)) invalidUtf8.add(text);
      return text;
    };
    let bytesDone = 0;
    for (const shard of shards) {
      const columnNames = parquetSchema(shard.metadata).children.map((c) => c.element.name);
      const columns = neededColumns(collector.profile, columnNames, shard.path);
      let rowStart = 0;
      for (const group of shard.metadata.row_groups) {
        opts.signal?.throwIfAborted();
        const rowEnd = rowStart + Number(group.num_rows);
        invalidUtf8.clear();
        const rows = await read(shard, rowStart, rowEnd, columns, { stringFromBytes });
        rows.forEach((row, i) => {
          const line = shard.firstRow + rowStart + i + 1;
          if (invalidUtf8.size) for (const field of fieldsHolding(row, invalidUtf8)) collector.warn(line, INVALID_UTF8_MESSAGE, field);
          collector.accept(row, line);
        });
        rowStart = rowEnd;
        opts.onProgress?.(bytesDone + (shard.numRows ? Math.round((shard.file.byteLength * rowStart) / shard.numRows) : shard.file.byteLength), totalBytes);
      }
      bytesDone += shard.file.byteLength;
    }
    const collected = collector.finish(' (the file has no rows)');

    // Promises, so that concurrent gets of one block decode it once. Blocks never cross a shard's end.
    const blocks = new Map<string, Promise<Record<string, unknown>[]>>();
    const readBlock = (shard: Shard, block: number) => {
      const id = `${shard.firstRow}:${block}`;
      let rows = blocks.get(id);
      if (rows) {
        blocks.delete(id); // re-inserted below: the Map's order is the recency order
      } else {
        const start = block * BLOCK_ROWS;
        rows = read(shard, start, Math.min(shard.numRows, start + BLOCK_ROWS)).then((r) => r.map((row) => jsonSafe(row) as Record<string, unknown>));
        rows.catch(() => blocks.delete(id));
        if (blocks.size >= CACHED_BLOCKS) blocks.delete(blocks.keys().next().value!);
      }
      blocks.set(id, rows);
      return rows;
    };
    const readRecord = async (_i: number, line: number): Promise<unknown> => {
      const global = line - 1;
      let shard = shards[0];
      for (const s of shards) if (s.firstRow <= global && s.numRows > 0) shard = s;
      const row = global - shard.firstRow;
      return (await readBlock(shard, Math.floor(row / BLOCK_ROWS)))[row % BLOCK_ROWS];
    };
    const release = async () => {
      blocks.clear();
      await closeAll();
    };
    return datasetFromIndex(path, collected, readRecord, release, '; the file changed since it was opened, reopen it');
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** The first row of a Parquet file, as JSON can hold it (for showing a file's fields before choosing a mapping). */
export async function readParquetFirstRow(path: string): Promise<unknown> {
  const handle = await openForReading(path);
  try {
    const file = await fileBuffer(handle);
    const rows = await parquetReadObjects({ file, rowStart: 0, rowEnd: 1 }).catch((err: Error) => {
      throw new InputError(path, `not a readable Parquet file: ${err.message}`);
    });
    return jsonSafe(rows[0]);
  } finally {
    await handle.close();
  }
}

/** Top-level columns holding the profile's fields; a path missing from the schema fails the whole file. */
function neededColumns(profile: FieldProfile, columnNames: string[], path: string): string[] {
  const needed = new Set<string>();
  const roles = [['query', profile.query], ['target', profile.target], ['answer', profile.answer], ['id', profile.id]] as const;
  for (const [role, spec] of roles) {
    if (spec === undefined) continue;
    for (const fieldPath of role === 'id' ? [spec] : fieldsOfSpec(spec)) {
      const top = columnNames.includes(fieldPath) ? fieldPath : fieldPath.split('.')[0];
      if (!columnNames.includes(top)) {
        if (role === 'answer' || spec.includes(`{${fieldPath}?}`)) continue; // optional: graded from the target without it
        throw new InputError(path, `the ${role} field '${fieldPath}' is not a column; columns: ${columnNames.join(', ')}`, undefined, fieldPath);
      }
      needed.add(top);
    }
  }
  return [...needed];
}

/** Positional reads on one open file, in the shape hyparquet reads from. */
async function fileBuffer(handle: FileHandle): Promise<AsyncBuffer> {
  const byteLength = (await handle.stat()).size;
  return {
    byteLength,
    async slice(start: number, end = byteLength) {
      const buffer = new ArrayBuffer(Math.max(0, end - start));
      const view = new Uint8Array(buffer);
      let filled = 0;
      while (filled < view.length) {
        const { bytesRead } = await handle.read(view, filled, view.length - filled, start + filled);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + filled}`);
        filled += bytesRead;
      }
      return buffer;
    },
  };
}

/** Row values as JSON can hold them: 64-bit integers become numbers when exact, else decimal strings. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}
