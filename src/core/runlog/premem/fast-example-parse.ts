// A fast path for the common PreMem record: an example record whose sample texts make up most of its bytes.
// It walks the top-level object, reads the fields that feed numbers (outcomes, answers, perplexity, nll, step,
// index, key, run, checkpoint) and only steps over string contents with memchr-speed searches, so the sample
// texts are never decoded. Anything it is not sure about (another record type, perturbations, escapes or control
// characters in a field it reads, a number or field out of range, a structure that does not close) makes it
// give up, and the line goes through JSON.parse and validateRecord, which also word the problem. Field values it
// accepts are exactly what JSON.parse would give; the insides of sample strings (escape sequences, control
// characters) are checked only when the texts are shown.
//
// It runs once per record of logs of many gigabytes, so it is written for the JIT: every step is a function of
// (buffer, position, end) that returns the next position, or -1 to give up; positions live in locals, and what a
// step learns besides a position (a number's value, whether an array ended) goes through a module variable.

import { MAX_SAMPLES } from './records';

/** What one example record yields; byte ranges are into the line's buffer. */
export interface FastExample {
  runStart: number;
  runEnd: number;
  checkpointStart: number;
  checkpointEnd: number;
  keyStart: number;
  keyEnd: number;
  /** -1 when absent. */
  step: number;
  index: number;
  sampleCount: number;
  correct: number;
  /** `perplexity`, else exp(`nll`), else NaN. */
  perplexity: number;
  /** Distinct non-null answers; -1 without an `answers` field. */
  distinctAnswers: number;
  hasTexts: boolean;
}

// Fields that take numbers read from the text start as doubles (NaN): had they started as small integers, V8
// would change their representation at the first number that is not one, and throw away all optimized code
// that reads them in the middle of a scan.
export const newFastExample = (): FastExample => ({
  runStart: 0,
  runEnd: 0,
  checkpointStart: 0,
  checkpointEnd: 0,
  keyStart: 0,
  keyEnd: 0,
  step: NaN,
  index: NaN,
  sampleCount: 0,
  correct: 0,
  perplexity: NaN,
  distinctAnswers: -1,
  hasTexts: false,
});

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const MAX_ANSWERS = 64; // records with more distinct answers take the slow path (each answer is compared with these)
const MAX_DEPTH = 64;

/** The value of the number readNumber() last read. */
let numberValue = 0;
/** Where the distinct answers of the record being read start and end. */
const answerStarts = new Int32Array(MAX_ANSWERS);
const answerEnds = new Int32Array(MAX_ANSWERS);

/** The byte at p, or -1 at and past the end of the line. */
const byteAt = (buf: Buffer, p: number, end: number): number => (p < end ? buf[p] : -1);

function skipSpace(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const b = buf[p];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) break;
    p++;
  }
  return p;
}

/**
 * At an opening quote of a string without escapes or control characters (names, run, key, answers): the
 * position after its closing quote. A plain loop, as these strings are short.
 */
function plainString(buf: Buffer, p: number, end: number): number {
  if (byteAt(buf, p, end) !== QUOTE) return -1;
  for (let i = p + 1; i < end; i++) {
    const b = buf[i];
    if (b === QUOTE) return i + 1;
    if (b === BACKSLASH || b < 0x20) return -1;
  }
  return -1;
}

/**
 * plainString() for answers, which are also compared byte by byte: equal bytes are equal strings only for
 * ASCII (invalid UTF-8 decodes to U+FFFD), so other answers take the slow path.
 */
function asciiString(buf: Buffer, p: number, end: number): number {
  for (let i = p + 1; i < end; i++) {
    const b = buf[i];
    if (b === QUOTE) return i + 1;
    if (b === BACKSLASH || b < 0x20 || b >= 0x80) return -1;
  }
  return -1;
}

/** At an opening quote of any string (sample texts: long, escapes allowed): the position after its closing quote. */
function anyString(buf: Buffer, p: number, end: number): number {
  let from = p + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, from);
    if (q === -1 || q >= end) return -1;
    // The quote is escaped when an odd number of backslashes stands right before it.
    let b = q - 1;
    while (b > p && buf[b] === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

/** A JSON number token at p: the position after it, its value in numberValue; -1 when the bytes are not one. */
function readNumber(buf: Buffer, p: number, end: number): number {
  const start = p;
  if (p < end && buf[p] === 0x2d) p++;
  if (p >= end) return -1;
  let digits = 0;
  let whole = 0;
  if (buf[p] === 0x30) p++;
  else if (buf[p] >= 0x31 && buf[p] <= 0x39) {
    while (p < end && isDigit(buf[p])) {
      whole = whole * 10 + (buf[p] - 0x30);
      digits++;
      p++;
    }
  } else return -1;
  let scale = 1;
  if (p < end && buf[p] === 0x2e) {
    const s = ++p;
    while (p < end && isDigit(buf[p])) {
      whole = whole * 10 + (buf[p] - 0x30);
      scale *= 10;
      digits++;
      p++;
    }
    if (p === s) return -1;
  }
  let simple = true;
  if (p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
    simple = false;
    p++;
    if (p < end && (buf[p] === 0x2b || buf[p] === 0x2d)) p++;
    const s = p;
    while (p < end && isDigit(buf[p])) p++;
    if (p === s) return -1;
  }
  // Up to 15 digits the mantissa is an exact integer and the power of ten exact, so one division is
  // correctly rounded: the same double as Number() gives (Clinger's fast path).
  numberValue = simple && digits <= 15 ? (buf[start] === 0x2d ? -whole : whole) / scale : Number(buf.toString('latin1', start, p));
  return p;
}

function literal(buf: Buffer, p: number, end: number, word: string): number {
  if (p + word.length > end) return -1;
  for (let i = 0; i < word.length; i++) if (buf[p + i] !== word.charCodeAt(i)) return -1;
  return p + word.length;
}

/** Steps over any JSON value at p (fields the fast path does not read). */
function skipValue(buf: Buffer, p: number, end: number, depth: number): number {
  const c = byteAt(buf, p, end);
  if (c === QUOTE) return anyString(buf, p, end);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    if (depth > MAX_DEPTH) return -1;
    const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
    p = skipSpace(buf, p + 1, end);
    if (byteAt(buf, p, end) === close) return p + 1;
    for (;;) {
      if (c === OPEN_OBJECT) {
        if (byteAt(buf, p, end) !== QUOTE) return -1;
        p = anyString(buf, p, end);
        if (p < 0) return -1;
        p = skipSpace(buf, p, end);
        if (byteAt(buf, p, end) !== COLON) return -1;
        p = skipSpace(buf, p + 1, end);
      }
      p = skipValue(buf, p, end, depth + 1);
      if (p < 0) return -1;
      p = skipSpace(buf, p, end);
      const n = byteAt(buf, p++, end);
      if (n === close) return p;
      if (n !== COMMA) return -1;
      p = skipSpace(buf, p, end);
    }
  }
  if (c === 0x74) return literal(buf, p, end, 'true');
  if (c === 0x66) return literal(buf, p, end, 'false');
  if (c === 0x6e) return literal(buf, p, end, 'null');
  return readNumber(buf, p, end);
}

/** Whether bytes [start, start + name.length) of buf spell the ASCII name. */
function named(buf: Buffer, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if (buf[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

const isCount = (v: number): boolean => Number.isInteger(v) && v >= 0;

/**
 * The opening bytes of the last record that reached its `key` field having read nothing but v, run, checkpoint,
 * step and type, and what they gave. A log's records nearly always open with the same bytes (one run, one
 * checkpoint per file), so the next record that starts with them skips straight to its key: the parse is a
 * function of the bytes, so equal bytes give equal fields. Positions are kept relative to the line's start.
 */
class Prefix {
  private bytes = Buffer.alloc(256);
  private length = 0;
  private runStart = 0;
  private runEnd = 0;
  private checkpointStart = 0;
  private checkpointEnd = 0;
  private step = NaN;

  remember(buf: Buffer, start: number, keyField: number, out: FastExample): void {
    const length = keyField - start;
    if (length > this.bytes.length) return;
    buf.copy(this.bytes, 0, start, keyField);
    this.length = length;
    this.runStart = out.runStart - start;
    this.runEnd = out.runEnd - start;
    this.checkpointStart = out.checkpointStart - start;
    this.checkpointEnd = out.checkpointEnd - start;
    this.step = out.step;
  }

  /** When the line opens with the remembered bytes: sets what they gave and returns where the key field starts; else 0. */
  recall(buf: Buffer, start: number, end: number, out: FastExample): number {
    const length = this.length;
    if (length === 0 || end - start <= length) return 0;
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) if (buf[start + i] !== bytes[i]) return 0;
    out.runStart = start + this.runStart;
    out.runEnd = start + this.runEnd;
    out.checkpointStart = start + this.checkpointStart;
    out.checkpointEnd = start + this.checkpointEnd;
    out.step = this.step;
    return start + length;
  }
}

const prefix = new Prefix();

/**
 * Reads bytes [start, end) of buf as an example record into out. False means "not sure": parse the line the
 * slow way. On true, every field of out is set.
 */
export function parseExampleLine(buf: Buffer, start: number, end: number, out: FastExample): boolean {
  let p = skipSpace(buf, start, end);
  if (byteAt(buf, p, end) !== OPEN_OBJECT) return false;
  p = skipSpace(buf, p + 1, end);
  let version = -1;
  let outcomes = -1;
  let answers = -1;
  let samples = -1;
  let perplexity = NaN;
  let nll = NaN;
  out.runEnd = out.checkpointEnd = out.keyEnd = -1;
  out.step = -1;
  out.index = -1;
  out.correct = 0;
  out.distinctAnswers = -1;
  // Only v, run, checkpoint, step and type so far: what has been read can be remembered (see Prefix).
  let prefixOnly = true;
  const remembered = prefix.recall(buf, start, end, out);
  if (remembered > 0) {
    p = remembered;
    version = 1;
  }
  for (;;) {
    const field = p;
    let prefixField = false;
    const name = p + 1;
    p = plainString(buf, p, end);
    if (p < 0) return false;
    const length = p - 1 - name;
    p = skipSpace(buf, p, end);
    if (byteAt(buf, p, end) !== COLON) return false;
    const at = skipSpace(buf, p + 1, end);
    const first = buf[name];
    if (length === 1 && first === 0x76 /* v */) {
      p = readNumber(buf, at, end);
      if (p < 0 || numberValue !== 1) return false;
      version = 1;
      prefixField = true;
    } else if (length === 3 && first === 0x72 && named(buf, name, 'run')) {
      p = plainString(buf, at, end);
      out.runStart = at + 1;
      out.runEnd = p - 1;
      prefixField = true;
    } else if (length === 10 && first === 0x63 && named(buf, name, 'checkpoint')) {
      p = plainString(buf, at, end);
      out.checkpointStart = at + 1;
      out.checkpointEnd = p - 1;
      prefixField = true;
    } else if (length === 3 && first === 0x6b && named(buf, name, 'key')) {
      if (prefixOnly && remembered === 0 && version === 1) prefix.remember(buf, start, field, out);
      p = plainString(buf, at, end);
      out.keyStart = at + 1;
      out.keyEnd = p - 1;
    } else if (length === 4 && first === 0x74 && named(buf, name, 'type')) {
      p = plainString(buf, at, end);
      if (p - at !== 9 || !named(buf, at + 1, 'example')) return false;
      prefixField = true;
    } else if (length === 4 && named(buf, name, 'step')) {
      p = readNumber(buf, at, end);
      if (!isCount(numberValue)) return false;
      out.step = numberValue;
      prefixField = true;
    } else if (length === 5 && named(buf, name, 'index')) {
      p = readNumber(buf, at, end);
      if (!isCount(numberValue)) return false;
      out.index = numberValue;
    } else if (length === 8 && named(buf, name, 'outcomes')) {
      p = readOutcomes(buf, at, end, out);
      outcomes = out.sampleCount;
    } else if (length === 7 && first === 0x61 && named(buf, name, 'answers')) {
      p = readAnswers(buf, at, end, out);
      answers = out.sampleCount;
    } else if (length === 7 && first === 0x73 && named(buf, name, 'samples')) {
      p = countSamples(buf, at, end, out);
      samples = out.sampleCount;
    } else if (length === 10 && named(buf, name, 'perplexity')) {
      p = readNumber(buf, at, end);
      if (!(Number.isFinite(numberValue) && numberValue > 0)) return false;
      perplexity = numberValue;
    } else if (length === 3 && named(buf, name, 'nll')) {
      p = readNumber(buf, at, end);
      if (!Number.isFinite(numberValue)) return false;
      nll = numberValue;
    } else if (length === 6 && named(buf, name, 'tokens')) {
      p = readNumber(buf, at, end);
      if (!isCount(numberValue)) return false;
    } else if (length === 13 && named(buf, name, 'perturbations')) {
      return false;
    } else {
      p = skipValue(buf, at, end, 0);
    }
    if (p < 0) return false;
    if (!prefixField) prefixOnly = false;
    p = skipSpace(buf, p, end);
    const next = byteAt(buf, p++, end);
    if (next === CLOSE_OBJECT) break;
    if (next !== COMMA) return false;
    p = skipSpace(buf, p, end);
  }
  if (skipSpace(buf, p, end) !== end) return false;
  if (version !== 1 || outcomes < 0 || out.index < 0) return false;
  if (out.runEnd <= out.runStart || out.checkpointEnd <= out.checkpointStart || out.keyEnd <= out.keyStart) return false;
  if ((answers >= 0 && answers !== outcomes) || (samples >= 0 && samples !== outcomes)) return false;
  out.sampleCount = outcomes;
  out.hasTexts = samples > 0;
  out.perplexity = !Number.isNaN(perplexity) ? perplexity : !Number.isNaN(nll) ? Math.exp(nll) : NaN;
  // An nll whose exp is 0 or infinite is no perplexity: the thorough path reports it.
  if (out.perplexity === 0 || out.perplexity === Infinity) return false;
  return true;
}

/** Set by openArray() and nextElement(): whether the array has ended. */
let arrayClosed = false;

/** At a `[`: the position of the first element, or (arrayClosed set) the position after `[]`; -1 when no `[`. */
function openArray(buf: Buffer, p: number, end: number): number {
  if (byteAt(buf, p, end) !== OPEN_ARRAY) return -1;
  p = skipSpace(buf, p + 1, end);
  arrayClosed = byteAt(buf, p, end) === CLOSE_ARRAY;
  return arrayClosed ? p + 1 : p;
}

/**
 * After an array element: the position of the next element, or (arrayClosed set) the position after the `]`;
 * -1 when neither a `,` nor a `]` follows.
 */
function nextElement(buf: Buffer, p: number, end: number): number {
  p = skipSpace(buf, p, end);
  const b = byteAt(buf, p, end);
  arrayClosed = b === CLOSE_ARRAY;
  if (arrayClosed) return p + 1;
  return b === COMMA ? skipSpace(buf, p + 1, end) : -1;
}

/** The outcomes array: its length in out.sampleCount, the correct ones (code 0) in out.correct. */
function readOutcomes(buf: Buffer, p: number, end: number, out: FastExample): number {
  let count = 0;
  let correct = 0;
  for (p = openArray(buf, p, end); p >= 0 && !arrayClosed; p = nextElement(buf, p + 1, end)) {
    // Exactly one digit 0-2, not followed by more of a number (0.0 or 1e0 would need JSON.parse's view).
    const b = byteAt(buf, p, end);
    if (b < 0x30 || b > 0x32) return -1;
    const after = byteAt(buf, p + 1, end);
    if (isDigit(after) || after === 0x2e || after === 0x65 || after === 0x45) return -1;
    if (b === 0x30) correct++;
    count++;
  }
  if (p < 0 || count > MAX_SAMPLES) return -1;
  out.sampleCount = count;
  out.correct = correct;
  return p;
}

/** The answers array (strings and nulls): its length in out.sampleCount, the distinct count in out.distinctAnswers. */
function readAnswers(buf: Buffer, p: number, end: number, out: FastExample): number {
  let count = 0;
  let distinct = 0;
  for (p = openArray(buf, p, end); p >= 0 && !arrayClosed; p = nextElement(buf, p, end)) {
    const at = p;
    if (byteAt(buf, p, end) === QUOTE) {
      p = asciiString(buf, p, end);
      if (p < 0) return -1;
      if (!seenAnswer(buf, at + 1, p - 1, distinct)) {
        if (distinct === MAX_ANSWERS) return -1;
        answerStarts[distinct] = at + 1;
        answerEnds[distinct] = p - 1;
        distinct++;
      }
    } else {
      p = literal(buf, p, end, 'null');
      if (p < 0) return -1;
    }
    count++;
  }
  if (p < 0) return -1;
  out.sampleCount = count;
  out.distinctAnswers = distinct;
  return p;
}

/** Whether bytes [s, e) equal one of the first n distinct answers recorded so far. */
function seenAnswer(buf: Buffer, s: number, e: number, n: number): boolean {
  const length = e - s;
  for (let j = 0; j < n; j++) {
    const t = answerStarts[j];
    if (answerEnds[j] - t !== length) continue;
    let k = 0;
    while (k < length && buf[s + k] === buf[t + k]) k++;
    if (k === length) return true;
  }
  return false;
}

/** The samples array (strings only): its length in out.sampleCount. */
function countSamples(buf: Buffer, p: number, end: number, out: FastExample): number {
  let count = 0;
  for (p = openArray(buf, p, end); p >= 0 && !arrayClosed; p = nextElement(buf, p, end)) {
    if (byteAt(buf, p, end) !== QUOTE) return -1;
    p = anyString(buf, p, end);
    if (p < 0) return -1;
    count++;
  }
  if (p < 0) return -1;
  out.sampleCount = count;
  return p;
}

// Lines that together take every branch of the fast path, the ones that give up included.
const PRIMING_LINES = [
  '{"v":1,"type":"run","run":"r","dataset":"d.jsonl","meta":{"seed":1}}',
  '{"v":1,"type":"example","run":"r","checkpoint":"c","step":0,"key":"k","index":0,"outcomes":[0,1,2],"answers":["1",null,"1"],"samples":["a","b\\"c","d\\\\"],"perplexity":1.5e0,"nll":-0.25,"tokens":3,"extra":{"a":[true,false,null,-1.5,"s"],"b":{}}}',
  ' { "v" : 1 , "run" : "r" , "checkpoint" : "c" , "key" : "k" , "index" : 1 , "outcomes" : [ ] , "answers" : [ ] , "samples" : [ ] } ',
  '{"v":1,"run":"r","checkpoint":"c","key":"k","index":2,"outcomes":[0],"perturbations":{}}',
  '{"v":1,"run":"r","checkpoint":"c","key":"k","index":3,"outcomes":[0],"nll":12345678901234567890}',
];

/**
 * Parses PRIMING_LINES once. A scan worker does this before its first job, so that when V8 optimizes the parser
 * it has seen every branch: a branch first taken later (a log's header lines, an unknown field, a number that
 * starts with 0) would throw the optimized code away in the middle of the scan and have it compiled again.
 */
export function primeFastPath(): void {
  const out = newFastExample();
  for (const line of PRIMING_LINES) {
    const buf = Buffer.from(line, 'utf8');
    parseExampleLine(buf, 0, buf.length, out);
  }
}
