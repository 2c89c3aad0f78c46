// The worker threads of the parallel JSONL scan (jsonl-parallel.ts), bundled into dist/worker.js with the run-log
// reader's worker. A job is a buffer of whole lines; the answer gives, per non-blank line, where it is and its key
// or its problem, worked out by the code of the sequential scan (extractFields, exampleKey), so both scans key and
// report every record alike.
//
// In: { buffer: ArrayBuffer, start, end, final }: whole lines (the last one unterminated only when final).
// Out (JobResult): per non-blank line its offset relative to start, byte length (no LF/CRLF), 0-based line index,
// status and text (the key, or the message).
import { isUtf8 } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import type { FieldProfile } from '../model';
import { extractFields, isProblem } from './collect';
import { INVALID_UTF8_MESSAGE } from './invalid-utf8';
import { exampleKey } from './keys';

export const enum RecordStatus {
  HashKey = 0,
  IdKey = 1,
  Error = 2,
  TornLastLine = 3,
  /** A warning about the record that follows on the same line. */
  Utf8Warning = 4,
}

/** The fields of the profile the scan reads (the worker is given these). */
export type ScanProfile = Pick<FieldProfile, 'query' | 'target' | 'id'>;

export interface JobResult {
  count: number;
  lines: number;
  offsets: Float64Array;
  lengths: Uint32Array;
  lineIndex: Uint32Array;
  status: Uint8Array;
  texts: string[];
  fields: string[];
}

/** Keys or problems of the lines in bytes; `final`: the last line may end without a newline. */
export function scanJsonlLines(bytes: Buffer, final: boolean, profile: ScanProfile): JobResult {
  // extractFields reads the answer too when the profile has one; keys need only query, target and id.
  const keyProfile = { query: profile.query, target: profile.target, id: profile.id } as FieldProfile;
  let capacity = 1024;
  let offsets = new Float64Array(capacity);
  let lengths = new Uint32Array(capacity);
  let lineIndex = new Uint32Array(capacity);
  let status = new Uint8Array(capacity);
  const texts: string[] = [];
  const fields: string[] = [];
  let count = 0;
  let lines = 0;

  const push = (offset: number, length: number, code: RecordStatus, text: string, field = '') => {
    if (count === capacity) {
      capacity *= 2;
      [offsets, lengths, lineIndex, status] = [grow(offsets, capacity), grow(lengths, capacity), grow(lineIndex, capacity), grow(status, capacity)];
    }
    offsets[count] = offset;
    lengths[count] = length;
    lineIndex[count] = lines;
    status[count] = code;
    texts.push(text);
    fields.push(field);
    count++;
  };

  const visit = (start: number, end: number, terminated: boolean) => {
    if (end > start && bytes[end - 1] === 0x0d) end--;
    let blank = true;
    for (let i = start; i < end && blank; i++) blank = bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d;
    if (blank) return;
    const text = bytes.toString('utf8', start, end);
    // U+FFFD may be in the file as such; only bytes that are not UTF-8 are worth a word.
    if (text.includes('\uFFFD') && !isUtf8(bytes.subarray(start, end))) push(start, end - start, RecordStatus.Utf8Warning, INVALID_UTF8_MESSAGE);
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      if (terminated) push(start, end - start, RecordStatus.Error, `invalid JSON: ${(err as Error).message}`);
      else push(start, end - start, RecordStatus.TornLastLine, 'last line is incomplete (no newline at the end and not valid JSON); skipped');
      return;
    }
    const found = extractFields(record, keyProfile);
    if (isProblem(found)) push(start, end - start, RecordStatus.Error, found.message, found.field);
    else push(start, end - start, found.id !== undefined ? RecordStatus.IdKey : RecordStatus.HashKey, exampleKey(found.query, found.target, found.id));
  };

  let pos = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl === -1) break;
    visit(pos, nl, true);
    lines++;
    pos = nl + 1;
  }
  if (pos < bytes.length) visit(pos, bytes.length, !final);
  return { count, lines, offsets: offsets.slice(0, count), lengths: lengths.slice(0, count), lineIndex: lineIndex.slice(0, count), status: status.slice(0, count), texts, fields };
}

function grow<T extends Float64Array | Uint32Array | Uint8Array>(array: T, capacity: number): T {
  const larger = new (array.constructor as new (n: number) => T)(capacity);
  larger.set(array);
  return larger;
}

/** The worker's loop: answers each job with its JobResult, the typed arrays moved, not copied. */
export function serveJsonlScanJobs(): void {
  const { profile } = workerData as { profile: ScanProfile };
  parentPort!.on('message', (job: { buffer: ArrayBuffer; start: number; end: number; final: boolean }) => {
    const r = scanJsonlLines(Buffer.from(job.buffer, job.start, job.end - job.start), job.final, profile);
    parentPort!.postMessage(r, [r.offsets.buffer, r.lengths.buffer, r.lineIndex.buffer, r.status.buffer] as ArrayBuffer[]);
  });
}
