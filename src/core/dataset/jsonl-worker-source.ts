// Source of the worker that parses and keys JSONL records in parallel. It is plain JavaScript run with
// `eval: true`, so it needs no separate bundle entry and runs the same under esbuild and tsx. It mirrors
// extractFields (collect.ts), describeType (profiles.ts) and contentKey (keys.ts), and runs makeFieldText
// (field-text.ts) from its own source text; the unit tests check that both paths give identical keys and problems.
//
// In: { buffer: ArrayBuffer, start, end, final } — whole lines (the last one unterminated only when final).
// Out: per non-blank line its offset relative to start, byte length (no LF/CRLF), 0-based line index,
// status (0 keyed by hash, 1 keyed by id, 2 error, 3 torn last line, 4 a warning about the record that follows
// on the same line) and text (the key, or the message).

export const enum RecordStatus {
  HashKey = 0,
  IdKey = 1,
  Error = 2,
  TornLastLine = 3,
  Utf8Warning = 4,
}

import { makeFieldText } from './field-text';

/** Mirrored in the worker below. */
export const INVALID_UTF8_MESSAGE = 'invalid UTF-8: the bad bytes read as U+FFFD, which becomes part of the example key (flags and run logs keyed on the original text will not match)';

export const JSONL_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { isUtf8 } = require('node:buffer');
const crypto = require('node:crypto');
const profile = workerData.profile;

function contentKey(query, target) {
  const data = query + '\u0000' + target;
  const hex = crypto.hash ? crypto.hash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
  return 'h:' + hex.slice(0, 16);
}

function describeType(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : t === 'undefined' ? 'missing' : 'a ' + t;
}

function getPath(record, path) {
  if (typeof record !== 'object' || record === null) return undefined;
  const direct = record[path];
  if (direct !== undefined || !path.includes('.')) return direct;
  let value = record;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = value[segment];
  }
  return value;
}

// Transpilers that keep function names (tsx) wrap inner functions in a __name helper call; here it is a no-op.
const __name = (target) => target;
const fieldText = (${makeFieldText.toString()})();

function fieldProblem(path, role, value) {
  return value === undefined
    ? 'missing ' + role + " field '" + path + "'"
    : role + " field '" + path + "' is " + describeType(value) + ', expected a string';
}

parentPort.on('message', (job) => {
  const bytes = Buffer.from(job.buffer, job.start, job.end - job.start);
  let capacity = 1024;
  let offsets = new Float64Array(capacity);
  let lengths = new Uint32Array(capacity);
  let lineIndex = new Uint32Array(capacity);
  let status = new Uint8Array(capacity);
  const texts = [];
  const fields = [];
  let count = 0;
  let lines = 0;

  const push = (offset, length, code, text, field) => {
    if (count === capacity) {
      capacity *= 2;
      const o = new Float64Array(capacity); o.set(offsets); offsets = o;
      const l = new Uint32Array(capacity); l.set(lengths); lengths = l;
      const n = new Uint32Array(capacity); n.set(lineIndex); lineIndex = n;
      const s = new Uint8Array(capacity); s.set(status); status = s;
    }
    offsets[count] = offset;
    lengths[count] = length;
    lineIndex[count] = lines;
    status[count] = code;
    texts.push(text);
    fields.push(field);
    count++;
  };

  const visit = (start, end, terminated) => {
    if (end > start && bytes[end - 1] === 0x0d) end--;
    let blank = true;
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (b !== 0x20 && b !== 0x09 && b !== 0x0d) { blank = false; break; }
    }
    if (blank) return;
    let record;
    const text = bytes.toString('utf8', start, end);
    if (text.includes('\uFFFD') && !isUtf8(bytes.subarray(start, end))) push(start, end - start, 4, 'invalid UTF-8: the bad bytes read as U+FFFD, which becomes part of the example key (flags and run logs keyed on the original text will not match)', '');
    try {
      record = JSON.parse(text);
    } catch (err) {
      if (terminated) push(start, end - start, 2, 'invalid JSON: ' + err.message, '');
      else push(start, end - start, 3, 'last line is incomplete (no newline at the end and not valid JSON); skipped', '');
      return;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      push(start, end - start, 2, 'record is ' + describeType(record) + ', not an object', '');
      return;
    }
    const query = fieldText(record, profile.query, 'query');
    if (typeof query !== 'string') return push(start, end - start, 2, fieldProblem(query.path, 'query', query.value), query.path);
    const target = fieldText(record, profile.target, 'target');
    if (typeof target !== 'string') return push(start, end - start, 2, fieldProblem(target.path, 'target', target.value), target.path);
    if (profile.id === undefined) return push(start, end - start, 0, contentKey(query, target), '');
    const id = getPath(record, profile.id);
    const t = typeof id;
    if (t === 'string' ? id === '' : t !== 'number' && t !== 'bigint' && t !== 'boolean') {
      const message = t === 'string'
        ? "id field '" + profile.id + "' is empty"
        : "id field '" + profile.id + "' is " + describeType(id) + ', expected a string or number';
      return push(start, end - start, 2, message, profile.id);
    }
    push(start, end - start, 1, String(id), '');
  };

  let pos = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl === -1) break;
    visit(pos, nl, true);
    lines++;
    pos = nl + 1;
  }
  if (pos < bytes.length) visit(pos, bytes.length, !job.final);

  offsets = offsets.slice(0, count);
  lengths = lengths.slice(0, count);
  lineIndex = lineIndex.slice(0, count);
  status = status.slice(0, count);
  parentPort.postMessage(
    { count, lines, offsets, lengths, lineIndex, status, texts, fields },
    [offsets.buffer, lengths.buffer, lineIndex.buffer, status.buffer],
  );
});
`;
