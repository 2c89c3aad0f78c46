// Flags on dataset examples, kept beside the dataset in <dataset>.premem-flags.jsonl as an append-only log of
// events keyed by stable example key. The state of a key is its last event in file order. Guarantees and the
// locking scheme are described in docs/flags.md.
import { open, readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../fs-atomic';
import { type Dataset, InputError, type InputProblem } from '../model';
import { withFileLock, type LockOptions } from '../file-lock';
import {
  type FlagEvent,
  type FlagFileEvent,
  type FlagInput,
  isEvent,
  makeFlagEvent,
  makeUnflagEvent,
  parseEventLine,
  serializeEvent,
  type UnflagEvent,
} from './flag-events';

/** The current flag of one example: its last flag event. */
export type FlagState = Omit<FlagEvent, 'v' | 'op'>;

export interface FlagChange {
  /** Keys whose state may have changed. */
  keys: string[];
}

export interface CompactionResult {
  linesBefore: number;
  linesAfter: number;
}

const NEWLINE = 0x0a;
const FLAGS_SUFFIX = '.premem-flags.jsonl';

export function flagFilePath(datasetPath: string): string {
  return datasetPath + FLAGS_SUFFIX;
}

interface FileIdentity {
  dev: number;
  ino: number;
}

/** What one pass over (part of) the file found. */
interface ParsedChunk {
  events: { event: FlagFileEvent; text: string }[];
  problems: InputProblem[];
  /** Bytes consumed: complete lines only, so a line still being written is read again next time. */
  consumed: number;
  lines: number;
  /** A last line without its newline that is not a valid event (a writer died mid-line, or is mid-write). */
  torn?: InputProblem;
  /** The last consumed line is a valid event still missing its newline. */
  lineOpen: boolean;
}

export class FlagStore {
  private readonly current = new Map<string, FlagEvent>();
  private readonly lineProblems: InputProblem[] = [];
  private torn: InputProblem | undefined;
  private identity: FileIdentity | undefined;
  private position = 0;
  private lineCount = 0;
  /** The last line read was a complete event without its newline yet; the newline is not a new line. */
  private lineOpen = false;
  private readonly listeners = new Set<(change: FlagChange) => void>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly lockOptions: LockOptions,
  ) {}

  /** Opens the flags of a dataset (the file need not exist yet: it is created by the first flag). */
  static async open(datasetPath: string, options: { lockOptions?: LockOptions } = {}): Promise<FlagStore> {
    const store = new FlagStore(flagFilePath(datasetPath), options.lockOptions ?? {});
    await store.reload();
    return store;
  }

  get lockPath(): string {
    return this.path + '.lock';
  }

  /** Lines that could not be read, each with file and line (warnings: nothing else is lost). */
  get problems(): InputProblem[] {
    return this.torn ? [...this.lineProblems, this.torn] : [...this.lineProblems];
  }

  state(key: string): FlagState | undefined {
    const event = this.current.get(key);
    return event && toState(event);
  }

  /** Every flagged example, "keep" included, in the order of their latest events. */
  all(): FlagState[] {
    return Array.from(this.current.values(), toState);
  }

  /** Dataset indexes of the examples flagged for re-collection (any reason but "keep"), ascending. */
  recollectionIndices(dataset: Pick<Dataset, 'keyToIndex'>): number[] {
    const indices: number[] = [];
    for (const [key, event] of this.current) {
      const i = dataset.keyToIndex.get(key);
      if (i !== undefined && event.reason !== 'keep') indices.push(i);
    }
    return indices.sort((a, b) => a - b);
  }

  flaggedKeys(): string[] {
    return Array.from(this.current.keys());
  }

  /** Flags whose key is not in the dataset (its record was edited or removed). They stay in the file. */
  orphans(dataset: Pick<Dataset, 'keyToIndex'>): FlagState[] {
    return this.all().filter((s) => !dataset.keyToIndex.has(s.key));
  }

  onChange(listener: (change: FlagChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async flag(key: string, input: FlagInput): Promise<FlagEvent> {
    const event = makeFlagEvent(key, input);
    return this.serial(async () => {
      await this.append(event);
      return event;
    });
  }

  async unflag(key: string, author: string): Promise<UnflagEvent> {
    const event = makeUnflagEvent(key, author);
    return this.serial(async () => {
      await this.append(event);
      return event;
    });
  }

  /** Reads what was appended since the last read (by any process); a replaced file is read again whole. */
  reload(): Promise<FlagChange> {
    return this.serial(() => this.readNew());
  }

  /**
   * Rewrites the file with one line per flagged key (its latest event, verbatim); keys whose last event is an
   * unflag disappear. Lines that are valid JSON but not readable by this version are kept as they are.
   */
  compact(): Promise<CompactionResult> {
    return this.serial(async () => {
      const result = await withFileLock(this.lockPath, () => this.rewriteCompacted(), this.lockOptions);
      await this.readNew();
      return result;
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async append(event: FlagFileEvent): Promise<void> {
    await withFileLock(
      this.lockPath,
      async () => {
        const fh = await open(this.path, 'a+');
        try {
          const { size } = await fh.stat();
          // A writer that died mid-line left no newline: start on a fresh line so this event stays readable.
          let prefix = '';
          if (size > 0) {
            const last = Buffer.alloc(1);
            await fh.read(last, 0, 1, size - 1);
            if (last[0] !== NEWLINE) prefix = '\n';
          }
          const bytes = Buffer.from(prefix + serializeEvent(event), 'utf8');
          // One write on an O_APPEND descriptor: the line lands whole at the end, never inside another's line.
          const { bytesWritten } = await fh.write(bytes, 0, bytes.length, null);
          if (bytesWritten !== bytes.length) throw new Error(`${this.path}: only ${bytesWritten} of ${bytes.length} bytes written (disk full?); the event is incomplete`);
          await fh.sync();
        } finally {
          await fh.close();
        }
      },
      this.lockOptions,
    );
    await this.readNew();
  }

  private async readNew(): Promise<FlagChange> {
    const info = await stat(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (info?.isDirectory()) throw new InputError(this.path, 'is a folder, not a flags file (one flag event per line)');
    const sameFile = info && this.identity && info.dev === this.identity.dev && info.ino === this.identity.ino && info.size >= this.position;
    const changed = new Set<string>();
    if (!sameFile) {
      // First read, or the file was replaced (compaction, git checkout) or removed: start over.
      for (const key of this.current.keys()) changed.add(key);
      this.current.clear();
      this.lineProblems.length = 0;
      this.torn = undefined;
      this.position = 0;
      this.lineCount = 0;
      this.lineOpen = false;
      this.identity = info && { dev: info.dev, ino: info.ino };
    }
    if (info && info.size > this.position) {
      const chunk = await this.readFrom(this.position);
      for (const { event } of chunk.events) {
        changed.add(event.key);
        this.current.delete(event.key);
        if (event.op === 'flag') this.current.set(event.key, event);
      }
      this.lineProblems.push(...chunk.problems);
      this.torn = chunk.torn;
      this.position += chunk.consumed;
      this.lineCount += chunk.lines;
      this.lineOpen = chunk.lineOpen;
    }
    const change = { keys: Array.from(changed) };
    if (change.keys.length > 0) {
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch {
          // A failing listener must not undo or hide an event that is already on disk.
        }
      }
    }
    return change;
  }

  private async readFrom(position: number): Promise<ParsedChunk> {
    const fh = await open(this.path, 'r');
    let bytes: Buffer;
    try {
      const { size } = await fh.stat();
      bytes = Buffer.alloc(Math.max(0, size - position));
      let filled = 0;
      while (filled < bytes.length) {
        const { bytesRead } = await fh.read(bytes, filled, bytes.length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      bytes = bytes.subarray(0, filled);
    } finally {
      await fh.close();
    }
    return parseLines(bytes, this.path, this.lineCount, position === 0, this.lineOpen);
  }

  private async rewriteCompacted(): Promise<CompactionResult> {
    const text = await readFile(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!text) return { linesBefore: 0, linesAfter: 0 };
    const parsed = parseLines(text, this.path, 0, true, false);
    const latest = new Map<string, { event: FlagFileEvent; text: string }>();
    for (const entry of parsed.events) {
      latest.delete(entry.event.key);
      latest.set(entry.event.key, entry);
    }
    const kept = Array.from(latest.values())
      .filter((e) => e.event.op === 'flag')
      .map((e) => e.text);
    const unreadable = unreadableObjectLines(text, parsed.problems);
    const lines = [...kept, ...unreadable];
    await writeFileAtomic(this.path, lines.map((l) => l + '\n').join(''));
    return { linesBefore: parsed.lines + (parsed.torn ? 1 : 0), linesAfter: lines.length };
  }
}

function toState(event: FlagEvent): FlagState {
  const { v: _v, op: _op, ...state } = event;
  return state;
}

/** Splits bytes into lines at LF (UTF-8 safe: LF never occurs inside a multi-byte sequence). */
function parseLines(bytes: Buffer, file: string, firstLineBefore: number, atStart: boolean, continuesLine: boolean): ParsedChunk {
  const out: ParsedChunk = { events: [], problems: [], consumed: 0, lines: 0, lineOpen: false };
  let start = atStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : continuesLine && bytes[0] === NEWLINE ? 1 : 0;
  out.consumed = start;
  while (start < bytes.length) {
    const nl = bytes.indexOf(NEWLINE, start);
    const terminated = nl >= 0;
    const end = terminated ? nl : bytes.length;
    const lineNumber = firstLineBefore + out.lines + 1;
    let text = bytes.toString('utf8', start, end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() !== '') {
      const parsed = parseEventLine(text, file, lineNumber);
      if (isEvent(parsed)) out.events.push({ event: parsed, text });
      else if (terminated) out.problems.push(parsed);
      else {
        out.torn = {
          file,
          line: lineNumber,
          severity: 'warning',
          message: 'the last line is incomplete (no newline at the end: a writer stopped mid-line, or is still writing); ignored',
        };
        break;
      }
    }
    out.lines++;
    out.consumed = terminated ? nl + 1 : bytes.length;
    out.lineOpen = !terminated;
    start = end + 1;
  }
  return out;
}

/** Lines that are JSON objects but were rejected (another format version, an unknown op): compaction keeps them. */
function unreadableObjectLines(bytes: Buffer, problems: InputProblem[]): string[] {
  if (problems.length === 0) return [];
  const wanted = new Set(problems.map((p) => p.line));
  const lines = bytes.toString('utf8').split('\n');
  const kept: string[] = [];
  for (const n of wanted) {
    if (n === undefined) continue;
    const text = lines[n - 1]?.replace(/\r$/, '');
    try {
      const value: unknown = JSON.parse(text ?? '');
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) kept.push(text!);
    } catch {
      // Torn or garbled: compaction drops it (it was already unreadable).
    }
  }
  return kept;
}
