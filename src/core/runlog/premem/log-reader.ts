// Reads PreMem run logs (docs/run-log-format.md) into Runs, incrementally: a scoring job may still be
// appending while the logs are open, and each readMore() parses only the bytes added since the last one.
// Sample texts stay in the files; only where each example's line lies is kept, and the line is re-read on demand.
import { extractAnswer } from '../../grading';
import {
  type CheckpointScores,
  type ExampleSamples,
  type GradingTask,
  InputError,
  type InputProblem,
  OUTCOME_NAMES,
  type Run,
  type SampleRecord,
  type SampleSource,
} from '../../model';
import { CheckpointColumns, type ColumnsSnapshot, type ExampleScores } from '../checkpoint-columns';
import { LineScanner, readBytesAt } from '../line-scanner';
import {
  type ExampleRecord,
  type PreMemRecord,
  type SampleSet,
  distinctAnswerCount,
  hasSampleTexts,
  outcomeAccuracy,
  recordPerplexity,
  validateRecord,
} from './records';
import { ProblemLog, type ProblemLogSnapshot } from '../problem-log';
import { keysDigest, type ScoresRecord, scoresAt } from './scores-record';
import { pythonJsonToJson } from '../trainer-state';

export interface PreMemReaderOptions {
  /** The dataset's key -> index map: examples are placed by key, so a reordered dataset still lines up. */
  keyToIndex?: Map<string, number>;
  /** Number of dataset examples; defaults to keyToIndex.size, else grows to the largest index + 1. */
  numExamples?: number;
  /** Grading task used to extract answers from sample texts when a record has texts but no answers. */
  task?: GradingTask;
}

export interface CheckpointState {
  id: string;
  /** From the checkpoint record, else from the first example record giving one; NaN when none did. */
  step: number;
  stepFromCheckpointRecord: boolean;
  order: number;
  epoch?: number;
  testAccuracy?: number;
  testPerplexity?: number;
  columns: CheckpointColumns;
}

export interface RunState {
  id: string;
  file: string;
  order: number;
  dataset?: string;
  meta?: Record<string, unknown>;
  subset?: Int32Array;
  checkpoints: Map<string, CheckpointState>;
  /** Scores records refused because they were taken on another version of the dataset. */
  refusedScores?: number;
}

/** Everything a reader knows, as plain data with typed arrays: what the on-disk cache stores. */
export interface ReaderSnapshot {
  files: { position: number; lineCount: number }[];
  maxIndex: number;
  checkpointOrder: number;
  missingReported: number[];
  problems: ProblemLogSnapshot;
  runs: (Omit<RunState, 'checkpoints'> & { checkpoints: (Omit<CheckpointState, 'columns'> & { columns: ColumnsSnapshot })[] })[];
}

export interface PreMemRunInfo {
  dataset?: string;
  meta?: Record<string, unknown>;
}

export class PreMemLogReader {
  private readonly scanners: LineScanner[];
  private readonly log = new ProblemLog();
  private readonly runStates = new Map<string, RunState>();
  private readonly keyToIndex: Map<string, number> | undefined;
  private readonly fixedSize: number | undefined;
  private maxIndex = -1;
  private checkpointOrder = 0;
  private readonly missingReported = new Set<number>();
  /** Runs built by runs(), reused while no record touched their run and the example count stayed. */
  private built = new WeakMap<RunState, Run>();
  private builtSize = -1;
  private readonly touched = new Set<RunState>();

  constructor(
    readonly files: string[],
    private readonly options: PreMemReaderOptions = {},
  ) {
    if (files.length > 65535) throw new Error('too many run-log files in one reader (at most 65535)');
    this.scanners = files.map((f) => new LineScanner(f));
    this.keyToIndex = options.keyToIndex;
    this.fixedSize = options.numExamples ?? options.keyToIndex?.size;
  }

  get problems(): InputProblem[] {
    return this.log.problems;
  }

  /** Records whose key is not in the dataset (counted even beyond the problems listed). */
  get unknownKeyCount(): number {
    return this.log.count('unknown-key');
  }

  /** Number of examples every run's arrays have. */
  get numExamples(): number {
    return this.fixedSize ?? this.maxIndex + 1;
  }

  /** Parses what was appended to the files since the last call; a torn last line waits for the next call. */
  async readMore(): Promise<{ changed: boolean }> {
    let changed = false;
    for (let f = 0; f < this.scanners.length; f++) {
      const scanner = this.scanners[f];
      let result = await scanner.scan((buf, start, end, offset, line) => this.visitLine(f, buf, start, end, offset, line));
      if (result.shrank) {
        // Replaced or truncated: read it again from the start; records read before stay (later ones win).
        this.log.add('shrank', { file: scanner.file, severity: 'warning', message: 'the file became shorter than what was already read (replaced or truncated); read again from its start' });
        scanner.reset();
        result = await scanner.scan((buf, start, end, offset, line) => this.visitLine(f, buf, start, end, offset, line));
      }
      if (result.missing && !this.missingReported.has(f)) {
        this.missingReported.add(f);
        this.log.add('missing', { file: scanner.file, severity: 'error', message: 'file not found (it is read once it appears)' });
        changed = true;
      }
      if (result.lines > 0) changed = true;
    }
    return { changed };
  }

  /** The dataset name and free-form metadata of a run's "run" record. */
  runInfo(runId: string): PreMemRunInfo | undefined {
    const s = this.runStates.get(runId);
    return s && { dataset: s.dataset, meta: s.meta };
  }

  /**
   * The runs read so far, checkpoints sorted by step. Arrays are views of the reader's columns; call again
   * after readMore() reports a change. A run no record touched since the last call is the same object as then,
   * so callers can skip the work of redoing it.
   */
  runs(): Run[] {
    const n = this.numExamples < 0 ? 0 : this.numExamples;
    if (n !== this.builtSize) {
      this.built = new WeakMap();
      this.builtSize = n;
    }
    const states = [...this.runStates.values()].sort((a, b) => a.order - b.order);
    const runs = states.map((state) => {
      let run = this.touched.has(state) ? undefined : this.built.get(state);
      if (!run) this.built.set(state, (run = this.buildRun(state, n)));
      return run;
    });
    this.touched.clear();
    return runs;
  }

  private buildRun(state: RunState, n: number): Run {
    const sorted = [...state.checkpoints.values()].sort((a, b) => stepKey(a) - stepKey(b) || a.order - b.order);
    const checkpoints: CheckpointScores[] = sorted.map((c, i) =>
      c.columns.toScores(c.id, Number.isNaN(c.step) ? i : c.step, n, { epoch: c.epoch, testAccuracy: c.testAccuracy, testPerplexity: c.testPerplexity }),
    );
    const run: Run = { id: state.id, numExamples: n, checkpoints, source: { format: 'premem', path: state.file } };
    if (state.subset) run.subset = state.subset;
    if (sorted.some((c) => c.columns.hasLocations)) run.samples = this.sampleSource(sorted.map((c) => c.columns));
    return run;
  }

  /** Runs some of whose scores records were refused as taken on another version of the dataset, with how many. */
  mismatchedRuns(): { run: string; refused: number }[] {
    return [...this.runStates.values()].filter((r) => r.refusedScores).map((r) => ({ run: r.id, refused: r.refusedScores! }));
  }

  /** @internal */
  problem(kind: string, file: number, line: number, message: string, field?: string, severity: 'error' | 'warning' = 'error'): void {
    const p: InputProblem = { file: this.files[file], line, message, severity };
    if (field) p.field = field;
    this.log.add(kind, p);
  }

  private visitLine(file: number, buf: Buffer, start: number, end: number, offset: number, line: number): void {
    const read = readLine(buf, start, end, line === 1);
    if (read.kind === 'problem') this.problem(read.problemKind, file, line, read.message, read.field);
    else if (read.kind === 'record') {
      if (read.warning) this.problem(read.warning.kind, file, line, read.warning.message, read.warning.field, 'warning');
      this.apply(read.record, file, line, offset, end - start);
    }
  }

  /** @internal Marks a file as read up to `position` (its first `lineCount` lines), after a scan done elsewhere. */
  markScanned(file: number, position: number, lineCount: number): void {
    this.scanners[file].position = position;
    this.scanners[file].lineCount = lineCount;
  }

  /** @internal The reader's state, for the cache; arrays are live, so write it out before reading on. */
  snapshot(): ReaderSnapshot {
    return {
      files: this.scanners.map((s) => ({ position: s.position, lineCount: s.lineCount })),
      maxIndex: this.maxIndex,
      checkpointOrder: this.checkpointOrder,
      missingReported: [...this.missingReported],
      problems: this.log.snapshot(),
      runs: [...this.runStates.values()].map((r) => ({
        ...r,
        checkpoints: [...r.checkpoints.values()].map((c) => ({ ...c, columns: c.columns.snapshot(Math.max(0, this.numExamples)) })),
      })),
    };
  }

  /** @internal Takes over a snapshot of a reader of the same files with the same options (arrays adopted). */
  restore(s: ReaderSnapshot): void {
    if (s.files.length !== this.scanners.length) throw new Error('snapshot of another set of files');
    s.files.forEach((f, i) => this.markScanned(i, f.position, f.lineCount));
    this.maxIndex = s.maxIndex;
    this.checkpointOrder = s.checkpointOrder;
    this.missingReported.clear();
    for (const f of s.missingReported) this.missingReported.add(f);
    this.log.restore(s.problems);
    this.runStates.clear();
    this.touched.clear();
    for (const r of s.runs) {
      const checkpoints = new Map(r.checkpoints.map((c) => [c.id, { ...c, columns: CheckpointColumns.fromSnapshot(c.columns) }]));
      this.runStates.set(r.id, { ...r, checkpoints });
    }
  }

  /** @internal How far each file has been read. */
  scanned(file: number): { position: number; lineCount: number } {
    const { position, lineCount } = this.scanners[file];
    return { position, lineCount };
  }

  /** @internal The state of a run a record is about to change (every change goes through here). */
  runState(id: string, file: number): RunState {
    let s = this.runStates.get(id);
    if (!s) {
      s = { id, file: this.files[file], order: this.runStates.size, checkpoints: new Map() };
      this.runStates.set(id, s);
    }
    this.touched.add(s);
    return s;
  }

  /** @internal */
  checkpointState(run: RunState, id: string): CheckpointState {
    let c = run.checkpoints.get(id);
    if (!c) {
      c = { id, step: NaN, stepFromCheckpointRecord: false, order: this.checkpointOrder++, columns: new CheckpointColumns(this.fixedSize ?? 0) };
      run.checkpoints.set(id, c);
    }
    return c;
  }

  /** @internal Applies one valid record; hasTexts is passed when the record arrives without its texts. */
  apply(record: PreMemRecord, file: number, line: number, offset: number, length: number, hasTexts?: boolean): void {
    const run = this.runState(record.run, file);
    if (record.type === 'run') {
      if (record.dataset !== undefined) run.dataset = record.dataset;
      if (record.meta !== undefined) run.meta = record.meta;
      if (record.subset !== undefined) run.subset = Int32Array.from(record.subset);
      return;
    }
    const ckpt = this.checkpointState(run, record.checkpoint);
    if (record.type === 'checkpoint') {
      ckpt.step = record.step;
      ckpt.stepFromCheckpointRecord = true;
      if (record.epoch !== undefined) ckpt.epoch = record.epoch;
      if (record.testAccuracy !== undefined) ckpt.testAccuracy = record.testAccuracy;
      if (record.testPerplexity !== undefined) ckpt.testPerplexity = record.testPerplexity;
      return;
    }
    if (record.step !== undefined && !ckpt.stepFromCheckpointRecord && Number.isNaN(ckpt.step)) ckpt.step = record.step;
    if (record.type === 'scores') {
      if (!this.applyScores(record, ckpt, file, line)) run.refusedScores = (run.refusedScores ?? 0) + 1;
      return;
    }
    const index = this.placement(record, file, line);
    if (index === undefined) return;
    ckpt.columns.set(index, exampleScores(record));
    if ((hasTexts ?? hasSampleTexts(record)) && length <= 0xffffffff) ckpt.columns.setLocation(index, file, offset, length);
    else ckpt.columns.clearLocation(index);
  }

  /**
   * A scores record covers the dataset in order; it is refused (false) when it was scored on another dataset
   * version.
   */
  private applyScores(record: ScoresRecord, ckpt: CheckpointState, file: number, line: number): boolean {
    const n = record.accuracy.length;
    if (this.keyToIndex) {
      if (record.keysDigest !== undefined && record.keysDigest !== this.datasetKeysDigest()) {
        this.problem('scores-dataset', file, line, `scores of ${record.run}/${record.checkpoint} were taken on another version of the dataset (its keys digest ${record.keysDigest} differs from this dataset's ${this.datasetKeysDigest()}); record skipped`, 'keysDigest');
        return false;
      }
      if (n !== this.keyToIndex.size) {
        this.problem('scores-dataset', file, line, `scores of ${record.run}/${record.checkpoint} cover ${n} examples but the dataset has ${this.keyToIndex.size}; record skipped`, 'accuracy');
        return false;
      }
    } else if (this.fixedSize !== undefined && n > this.fixedSize) {
      this.problem('index-range', file, line, `scores cover ${n} examples, beyond the dataset's ${this.fixedSize}; record skipped`, 'accuracy');
      return false;
    }
    if (n - 1 > this.maxIndex) this.maxIndex = n - 1;
    ckpt.columns.ensure(n);
    for (let i = 0; i < n; i++) {
      ckpt.columns.set(i, scoresAt(record, i));
      ckpt.columns.clearLocation(i);
    }
    return true;
  }

  private keysDigestCache: string | undefined;
  private datasetKeysDigest(): string {
    if (this.keysDigestCache === undefined) {
      const keys = new Array<string>(this.keyToIndex!.size);
      for (const [key, index] of this.keyToIndex!) keys[index] = key;
      this.keysDigestCache = keysDigest(keys);
    }
    return this.keysDigestCache;
  }

  /**
   * @internal The dataset index of an example record, or undefined (reported) when it has none. `keyed` is the
   * index its key was already found at, when the caller checked the key against the dataset itself.
   */
  placement(record: Pick<ExampleRecord, 'key' | 'index'>, file: number, line: number, keyed?: number): number | undefined {
    if (this.keyToIndex) {
      const index = keyed ?? this.keyToIndex.get(record.key);
      if (index === undefined) {
        this.problem('unknown-key', file, line, `example key '${record.key}' is not in the dataset; record skipped`, 'key', 'warning');
      }
      return index;
    }
    if (this.fixedSize !== undefined && record.index >= this.fixedSize) {
      this.problem('index-range', file, line, `index ${record.index} is beyond the dataset's ${this.fixedSize} examples; record skipped`, 'index');
      return undefined;
    }
    if (record.index > this.maxIndex) this.maxIndex = record.index;
    return record.index;
  }

  private sampleSource(columns: CheckpointColumns[]): SampleSource {
    return {
      has: (checkpoint, example) => columns[checkpoint]?.location(example) !== undefined,
      read: async (checkpoint, example) => {
        const loc = columns[checkpoint]?.location(example);
        if (!loc) return undefined;
        const file = this.files[loc.file];
        const bytes = await readBytesAt(file, loc.offset, loc.length);
        let record: PreMemRecord | undefined;
        try {
          const v = validateRecord(JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')));
          if (v.ok) record = v.record;
        } catch {
          // reported below
        }
        if (!record || record.type === 'run' || record.type === 'checkpoint' || record.type === 'scores') {
          throw new InputError(file, `the record at byte ${loc.offset} changed since it was read (was the log rewritten?); reload the run`);
        }
        return exampleSamples(record, this.options.task);
      },
    };
  }
}

/** One line of a log read the thorough way: blank, a problem (with the ProblemLog kind), or a valid record. */
export type LineRead =
  | { kind: 'blank' }
  | { kind: 'problem'; problemKind: string; message: string; field?: string }
  | { kind: 'record'; record: PreMemRecord; warning?: LineWarning };

/** Something wrong in a record that is still read (with the ProblemLog kind). */
export interface LineWarning {
  kind: string;
  message: string;
  field: string;
}

/**
 * A perplexity (or nll) that cannot be one — NaN, ±Inf, 0, negative, or an nll whose exp is 0 or infinite — would
 * mark the example memorized or never memorized. The field is dropped, so the perplexity is unknown (never
 * masked) while the outcomes still count, and a warning names it.
 */
function dropBadPerplexity(value: unknown): LineWarning | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const rec = value as Record<string, unknown>;
  if ((rec.type ?? 'example') !== 'example') return undefined;
  const nllPerplexity = typeof rec.nll === 'number' ? Math.exp(rec.nll) : rec.nll;
  for (const [field, v, shown] of [['perplexity', rec.perplexity, rec.perplexity], ['nll', nllPerplexity, rec.nll]] as const) {
    if (v === undefined || (typeof v === 'number' && v > 0 && v < Infinity)) continue;
    if (v !== null && typeof v !== 'number') continue; // not a number at all: validation reports it
    delete rec.perplexity;
    delete rec.nll;
    const what = shown === null ? 'NaN or infinite' : field === 'nll' ? `${shown} (perplexity ${v})` : String(shown);
    return { kind: 'bad-perplexity', message: `'${field}' is ${what}, not a perplexity; taken as unknown`, field };
  }
  return undefined;
}

/** Parses and validates bytes [start, end) of buf; a byte-order mark is dropped from the file's first line. */
export function readLine(buf: Buffer, start: number, end: number, firstLine: boolean): LineRead {
  if (start === end) return { kind: 'blank' };
  let text = buf.toString('utf8', start, end);
  if (firstLine && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = parseJsonOrPython(text);
  } catch (err) {
    const trimmed = text.trim();
    const torn = trimmed.startsWith('{') && !trimmed.endsWith('}');
    const message = torn ? 'incomplete line (a writer stopped mid-line?)' : `invalid JSON: ${(err as Error).message}`;
    return { kind: 'problem', problemKind: 'invalid-json', message };
  }
  const warning = dropBadPerplexity(value);
  const v = validateRecord(value);
  if (!v.ok) {
    const problem = { kind: 'problem' as const, problemKind: v.field === 'v' ? 'version' : 'invalid-record', message: v.message };
    return v.field === undefined ? problem : { ...problem, field: v.field };
  }
  return warning ? { kind: 'record', record: v.record, warning } : { kind: 'record', record: v.record };
}

/**
 * JSON, or an example record as Python's json module writes it: a bare NaN, Infinity or -Infinity becomes null,
 * which dropBadPerplexity then reports. In a scores record null means "unknown" with no word said, so there the
 * line stays invalid JSON.
 */
function parseJsonOrPython(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const python = pythonJsonToJson(text);
    if (python === text) throw err;
    const value = JSON.parse(python);
    if ((value?.type ?? 'example') !== 'example') throw err;
    return value;
  }
}

function stepKey(c: CheckpointState): number {
  return Number.isNaN(c.step) ? Number.MAX_SAFE_INTEGER : c.step;
}

function exampleScores(record: ExampleRecord): ExampleScores {
  const scores: ExampleScores = {
    accuracy: outcomeAccuracy(record.outcomes),
    sampleCount: record.outcomes.length,
    perplexity: recordPerplexity(record),
  };
  if (record.answers) scores.distinctAnswers = distinctAnswerCount(record.answers);
  if (record.perturbations) {
    scores.perturbations = {};
    for (const [name, set] of Object.entries(record.perturbations)) scores.perturbations[name] = outcomeAccuracy(set.outcomes);
  }
  return scores;
}

function sampleRecords(set: SampleSet, task: GradingTask | undefined): SampleRecord[] {
  const texts = set.samples ?? [];
  return set.outcomes.map((code, i) => {
    const text = texts[i] ?? '';
    const answer = set.answers ? set.answers[i] : task && set.samples ? extractAnswer(task, text) : null;
    return { text, answer, outcome: OUTCOME_NAMES[code] };
  });
}

/** The samples of one example record as the views show them. */
export function exampleSamples(record: ExampleRecord, task?: GradingTask): ExampleSamples {
  const result: ExampleSamples = { samples: sampleRecords(record, task) };
  if (record.perturbations) {
    result.perturbations = {};
    for (const [name, set] of Object.entries(record.perturbations)) result.perturbations[name] = sampleRecords(set, task);
  }
  return result;
}
