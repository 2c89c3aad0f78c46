// Output formats of the re-collection set. JSONL keeps each original record whole (plus a `premem` field);
// CSV and Parquet hold a fixed set of columns for spreadsheets and dataframes. Every format is written to a
// temporary file and renamed into place, so a reader never sees half an export and a failed export leaves
// any earlier file untouched.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { forgetTemporaryFile, syncDirectory, temporaryFileFor, writeFileAtomic } from '../fs-atomic';
import type { FlagReason } from '../flags/flag-events';
import type { TrajectoryName } from '../metrics/dynamics';

export type ExportFormat = 'jsonl' | 'csv' | 'parquet';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv', 'parquet'];

/** The `premem` field added to each exported record. */
export interface PreMemField {
  key: string;
  /** 1-based line of the record in the dataset file. */
  line: number;
  run: string;
  checkpoint: string;
  p: number;
  t: number;
  /** Null for a flagged example the run did not train on or did not score. */
  preMemAccuracy: number | null;
  trajectory: TrajectoryName | null;
  flag: { reason: FlagReason; note: string; author: string; time: string } | null;
  /** With --rank-by: the signal the rows are ordered by and this example's value (JSONL only). */
  rankedBy?: { signal: string; value: number | null };
}

export interface ExportRow {
  /** The dataset record as parsed. */
  record: unknown;
  premem: PreMemField;
  query: string;
  target: string;
}

export interface RowSink {
  add(row: ExportRow): Promise<void>;
  /** Completes the file and moves it into place. */
  finish(): Promise<void>;
  /** Removes the unfinished temporary file. */
  abort(): Promise<void>;
}

/** The format an output path asks for by its extension, or undefined. */
export function formatFromPath(file: string): ExportFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  return undefined;
}

export const CSV_COLUMNS = ['key', 'line', 'run', 'checkpoint', 'preMemAccuracy', 'trajectory', 'flag_reason', 'flag_note', 'query', 'target'] as const;

function columnValues(row: ExportRow): (string | number | null)[] {
  const p = row.premem;
  return [p.key, p.line, p.run, p.checkpoint, p.preMemAccuracy, p.trajectory, p.flag?.reason ?? null, p.flag?.note ?? null, row.query, row.target];
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF; quotes doubled. Null is empty. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CRLF = '\r\n';
const csvLine = (values: (string | number | null)[]) => values.map(csvField).join(',') + CRLF;

export async function openRowSink(out: string, format: ExportFormat): Promise<RowSink> {
  switch (format) {
    case 'jsonl': {
      const file = await AtomicTextFile.create(out);
      return {
        add: (row) => file.write(JSON.stringify(withPreMem(row)) + '\n'),
        finish: () => file.commit(),
        abort: () => file.discard(),
      };
    }
    case 'csv': {
      const file = await AtomicTextFile.create(out);
      await file.write(csvLine([...CSV_COLUMNS]));
      return {
        add: (row) => file.write(csvLine(columnValues(row))),
        finish: () => file.commit(),
        abort: () => file.discard(),
      };
    }
    case 'parquet':
      return parquetSink(out);
  }
}

/** The original record with the `premem` field added (replacing one of that name from an earlier export). */
function withPreMem(row: ExportRow): object {
  const { record } = row;
  if (typeof record === 'object' && record !== null && !Array.isArray(record)) return { ...record, premem: row.premem };
  return { record, premem: row.premem };
}

function parquetSink(out: string): RowSink {
  const columns: (string | number | null)[][] = CSV_COLUMNS.map(() => []);
  return {
    async add(row) {
      columnValues(row).forEach((v, c) => columns[c].push(v));
    },
    async finish() {
      const types = ['STRING', 'INT32', 'STRING', 'STRING', 'DOUBLE', 'STRING', 'STRING', 'STRING', 'STRING', 'STRING'] as const;
      const buffer = parquetWriteBuffer({
        columnData: CSV_COLUMNS.map((name, c) => ({ name, data: columns[c], type: types[c] })),
        createdBy: 'premem',
      });
      await writeFileAtomic(out, new Uint8Array(buffer));
    },
    async abort() {},
  };
}

const FLUSH_BYTES = 1 << 20;

/** A text file written in chunks to a temporary name beside its target, then flushed and renamed into place. */
class AtomicTextFile {
  private pending: string[] = [];
  private pendingLength = 0;

  private constructor(
    private readonly target: string,
    private readonly temp: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(target: string): Promise<AtomicTextFile> {
    const temp = temporaryFileFor(target);
    try {
      return new AtomicTextFile(target, temp, await open(temp, 'wx', 0o666));
    } catch (err) {
      forgetTemporaryFile(temp);
      throw err;
    }
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    await this.handle.writeFile(data);
  }

  async commit(): Promise<void> {
    try {
      await this.flush();
      await this.handle.sync();
      await this.handle.close();
      await rename(this.temp, this.target);
      forgetTemporaryFile(this.temp);
    } catch (err) {
      await this.discard();
      throw err;
    }
    await syncDirectory(path.dirname(this.target));
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.temp, { force: true });
    forgetTemporaryFile(this.temp);
  }
}
