// Reads lm-evaluation-harness per-sample logs (`--log_samples`: samples_<task>_<date>.jsonl; lm-eval 0.4.0-0.4.2
// wrote one JSON array per task, "<model args>_<task>.jsonl") as a run: one checkpoint per sub-folder of the run folder. Every response in `resps` is graded again with PreMem's grader;
// lm-eval's own `filtered_resps` and metrics only ever describe the first response, so they are not used.
// The logs hold no log-probabilities of the target, so perplexity is unknown (NaN) throughout.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { extractFields, isProblem } from '../dataset/collect';
import { exampleKey } from '../dataset/keys';
import { detectProfile, getPath } from '../dataset/profiles';
import { gradeAgainst, graders, referenceAnswer, targetAnswer } from '../grading';
import {
  type CheckpointScores,
  type Dataset,
  type ExampleSamples,
  type FieldProfile,
  type GradingTask,
  InputError,
  type InputProblem,
  type Run,
  type SampleSource,
} from '../model';
import { CheckpointColumns } from './checkpoint-columns';
import { LineScanner, readBytesAt } from './line-scanner';
import { distinctAnswerCount, MAX_SAMPLES } from './premem/records';
import { ProblemLog } from './problem-log';
import { findTrainerState, readTrainerState } from './trainer-state';

export interface LmEvalReadOptions {
  /** Grader for the responses; default 'gsm8k'. */
  task?: GradingTask;
  /** Which lm-eval task's files to read (the <task> of samples_<task>_<date>.jsonl) when a folder holds several. */
  lmEvalTask?: string;
  /** When given: the run has the dataset's size, and each doc is checked against the dataset example at doc_id. */
  dataset?: Dataset;
  /** Number of examples when no dataset is given; default: the largest doc_id + 1. */
  numExamples?: number;
  /** Run id; default: the folder's name. */
  runId?: string;
}

export interface LmEvalSampleFile {
  path: string;
  /** lm-eval 0.4.0-0.4.2 (and samples_<task>_<date>.json): one JSON array of samples instead of JSON Lines. */
  array: boolean;
  /** lm-eval task name from the file name. */
  task: string;
  /** The date part of the file name ('' when absent); the newest file of a task wins. */
  date: string;
  checkpoint: string;
  /** Training step parsed from the checkpoint's path; NaN when it names none. */
  step: number;
}

const SAMPLES_FILE = /^samples_(.+?)(?:_(\d{4}-\d{2}-\d{2}T[0-9.-]+))?\.jsonl?$/;
/** Files that are never samples, whatever they hold. */
const NOT_SAMPLES = /^(results.*|trainer_state|config|generation_config|tokenizer.*|special_tokens_map|adapter_config|all_results|train_results|eval_results)\.json$/;
const MAX_DEPTH = 4;

/** Training step named by a path: checkpoint-500, global_step500, step_500, or a folder name ending in digits. */
export function stepFromPath(rel: string): number {
  const parts = rel.split(/[\\/]/).filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = /checkpoint[-_]?(\d+)/i.exec(parts[i]) ?? /(?:global_step|step|iter)[-_]?(\d+)/i.exec(parts[i]);
    if (m) return Number(m[1]);
  }
  const m = parts.length ? /(\d+)$/.exec(parts[0]) : null;
  return m ? Number(m[1]) : NaN;
}

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (depth < MAX_DEPTH) await walk(p, depth + 1, out);
    } else if (SAMPLES_FILE.test(e.name) || (/\.jsonl?$/.test(e.name) && !NOT_SAMPLES.test(e.name) && (await isSampleArray(p)))) {
      out.push(p);
    }
  }
}

/** Whether a file opens as a JSON array of lm-eval samples (lm-eval 0.4.0-0.4.2 wrote "<model>_<task>.jsonl" so). */
export async function isSampleArray(file: string): Promise<boolean> {
  const head = await readBytesAt(file, 0, 4096).catch(() => undefined);
  if (!head) return false;
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('[') && /^\[\s*\{/.test(text) && text.includes('"doc_id"');
}

/**
 * The lm-eval task of a samples file: from samples_<task>_<date>.json(l); for the older "<model args>_<task>.jsonl",
 * the longest task named in a results file beside it that ends the name, else the whole name.
 */
async function taskOfFile(file: string): Promise<string> {
  const m = SAMPLES_FILE.exec(path.basename(file));
  if (m) return m[1];
  const stem = path.basename(file).replace(/\.jsonl?$/, '');
  const dir = path.dirname(file);
  const tasks = new Set<string>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/^results.*\.json$/.test(name)) continue;
    try {
      const results = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { configs?: object; results?: object };
      for (const k of Object.keys(results.configs ?? results.results ?? {})) tasks.add(k);
    } catch {
      // An unreadable results file names no task; the file's name stands in.
    }
  }
  const named = [...tasks].filter((t) => stem === t || stem.endsWith(`_${t}`)).sort((a, b) => b.length - a.length);
  return named[0] ?? stem;
}

/**
 * The samples files of a run folder (or one samples file), each with its checkpoint: the first path part below
 * the run folder (lm-eval itself adds a folder named after the model, which may carry the checkpoint's name).
 */
export async function findLmEvalSampleFiles(target: string): Promise<LmEvalSampleFile[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new InputError(target, 'no such file or folder');
  const files: string[] = [];
  const root = info.isFile() ? path.dirname(target) : target;
  if (info.isFile()) files.push(target);
  else await walk(target, 0, files);
  const found: LmEvalSampleFile[] = [];
  for (const file of files.sort()) {
    const m = SAMPLES_FILE.exec(path.basename(file));
    const rel = path.relative(root, path.dirname(file));
    const checkpoint = rel === '' ? path.basename(root) : rel.split(path.sep)[0];
    const array = file.endsWith('.json') || !m || (await isSampleArray(file));
    found.push({ path: file, array, task: await taskOfFile(file), date: m?.[2] ?? '', checkpoint, step: stepFromPath(rel === '' ? path.basename(root) : rel) });
  }
  return found;
}

/** Whether a folder holds lm-eval samples files. */
export async function isLmEvalDir(dir: string): Promise<boolean> {
  return (await findLmEvalSampleFiles(dir).catch(() => [])).length > 0;
}

/** One file per checkpoint: the chosen task's newest file. */
function chooseFiles(all: LmEvalSampleFile[], target: string, lmEvalTask: string | undefined, log: ProblemLog): LmEvalSampleFile[] {
  const tasks = [...new Set(all.map((f) => f.task))].sort();
  if (lmEvalTask !== undefined && !tasks.includes(lmEvalTask)) {
    throw new InputError(target, `no samples of lm-eval task '${lmEvalTask}'; found tasks: ${tasks.join(', ') || 'none'}`);
  }
  if (lmEvalTask === undefined && tasks.length > 1) {
    throw new InputError(target, `samples of several lm-eval tasks (${tasks.join(', ')}); choose one with --task ${tasks[0]} (in premem.json: {"path": ..., "task": "${tasks[0]}"} in "runs")`);
  }
  const task = lmEvalTask ?? tasks[0];
  const byCheckpoint = new Map<string, LmEvalSampleFile[]>();
  for (const f of all) if (f.task === task) byCheckpoint.set(f.checkpoint, [...(byCheckpoint.get(f.checkpoint) ?? []), f]);
  const chosen: LmEvalSampleFile[] = [];
  for (const files of byCheckpoint.values()) {
    files.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
    chosen.push(files[0]);
    for (const older of files.slice(1)) {
      log.add('older-file', { file: older.path, severity: 'warning', message: `older samples file of checkpoint '${older.checkpoint}' ignored; read ${path.basename(files[0].path)}` });
    }
  }
  return chosen.sort((a, b) => (Number.isNaN(a.step) ? Infinity : a.step) - (Number.isNaN(b.step) ? Infinity : b.step) || a.checkpoint.localeCompare(b.checkpoint));
}

interface ParsedEntry {
  docId: number;
  doc: unknown;
  filter: unknown;
  texts: string[];
  targetAnswer: string | null;
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? 'a string' : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** The reference answer of a doc: by the dataset's profile (its answer field, else its target), else GSM8K's 'answer' / MATH's 'solution'. */
function docAnswer(doc: unknown, task: GradingTask, dataset: Dataset | undefined): string | null {
  if (dataset) {
    const fields = extractFields(doc, dataset.profile);
    return isProblem(fields) ? null : referenceAnswer(task, fields);
  }
  for (const f of task === 'math' ? ['solution', 'answer'] : ['answer']) {
    const v = getPath(doc, f);
    if (typeof v === 'string') return targetAnswer(task, v);
  }
  return null;
}

/** Parses one samples line; a string is the problem with it. */
function parseEntry(text: string, task: GradingTask, dataset: Dataset | undefined): ParsedEntry | { problem: string; field?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `invalid JSON: ${(err as Error).message}` };
  }
  return entryOf(value, task, dataset);
}

/** One parsed sample object (a line of JSON Lines, or an element of an older file's array). */
function entryOf(value: unknown, task: GradingTask, dataset: Dataset | undefined): ParsedEntry | { problem: string; field?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `line is ${describe(value)}, expected an lm-eval sample object` };
  const rec = value as Record<string, unknown>;
  const docId = rec.doc_id;
  if (typeof docId !== 'number' || !Number.isInteger(docId) || docId < 0) {
    return { problem: docId === undefined ? "missing field 'doc_id'" : `'doc_id' is ${describe(docId)}, expected an integer >= 0`, field: 'doc_id' };
  }
  const resps = rec.resps;
  if (!Array.isArray(resps)) {
    return { problem: resps === undefined ? "missing field 'resps' (run lm-eval with --log_samples)" : `'resps' is ${describe(resps)}, expected a list of lists of responses`, field: 'resps' };
  }
  // resps holds one list per request, each with every sampled response (repeats); all of them are samples.
  const texts: string[] = [];
  for (let i = 0; i < resps.length; i++) {
    const r = resps[i];
    const list = Array.isArray(r) ? r : [r];
    for (let j = 0; j < list.length; j++) {
      if (typeof list[j] !== 'string') return { problem: `'resps[${i}]${Array.isArray(r) ? `[${j}]` : ''}' is ${describe(list[j])}, expected a generated text`, field: 'resps' };
      texts.push(list[j]);
    }
  }
  if (texts.length === 0) return { problem: "'resps' holds no responses", field: 'resps' };
  if (texts.length > MAX_SAMPLES) return { problem: `'resps' holds ${texts.length} responses, at most ${MAX_SAMPLES} are supported`, field: 'resps' };
  let answer = docAnswer(rec.doc, task, dataset);
  // lm-eval's own target (doc_to_target): a trace, or the answer alone.
  if (answer === null && (typeof rec.target === 'string' || typeof rec.target === 'number')) answer = targetAnswer(task, String(rec.target)) ?? graders[task].normalise(String(rec.target));
  return { docId, doc: rec.doc, filter: rec.filter, texts, targetAnswer: answer };
}

function gradeEntry(entry: ParsedEntry, task: GradingTask) {
  return entry.texts.map((text) => gradeAgainst(task, entry.targetAnswer, text));
}

/** Reads a run folder of lm-eval samples files (one sub-folder per checkpoint), or a single samples file. */
export async function readLmEvalRun(target: string, opts: LmEvalReadOptions = {}): Promise<{ run: Run; problems: InputProblem[] }> {
  const task = opts.task ?? 'gsm8k';
  const log = new ProblemLog();
  const all = await findLmEvalSampleFiles(target);
  if (all.length === 0) throw new InputError(target, 'no lm-eval samples files (samples_<task>_<date>.jsonl, written by lm_eval --log_samples)');
  const files = chooseFiles(all, target, opts.lmEvalTask, log);
  const dataset = opts.dataset;
  const fixedSize = dataset?.size ?? opts.numExamples;
  let maxDocId = -1;
  let noDocFields = false;
  let docProfile: FieldProfile | null | undefined;

  const columns: CheckpointColumns[] = [];
  for (let f = 0; f < files.length; f++) {
    const file = files[f].path;
    const col = new CheckpointColumns(fixedSize ?? 0);
    columns.push(col);
    const seen = new Map<number, unknown>();
    const problem = (kind: string, line: number, message: string, field?: string, severity: 'error' | 'warning' = 'error') => {
      const p: InputProblem = { file, line, message, severity };
      if (field) p.field = field;
      log.add(kind, p);
    };
    const take = (entry: ParsedEntry | { problem: string; field?: string }, line: number, offset: number, length: number) => {
      if ('problem' in entry) return problem('invalid-line', line, entry.problem, entry.field);
      if (seen.has(entry.docId)) {
        // lm-eval writes one line per doc and filter (e.g. strict-match, flexible-extract) with the same responses.
        if (seen.get(entry.docId) === entry.filter) problem('duplicate', line, `doc_id ${entry.docId} appears again; the first line is kept`, 'doc_id', 'warning');
        return;
      }
      seen.set(entry.docId, entry.filter);
      if (fixedSize !== undefined && entry.docId >= fixedSize) {
        return problem('doc-range', line, `doc_id ${entry.docId} is beyond the dataset's ${fixedSize} examples; line skipped`, 'doc_id');
      }
      if (dataset) {
        let fields = extractFields(entry.doc, dataset.profile);
        // Docs of lm-eval's own copy of the dataset (GSM8K's {question, answer}) against a re-export in another
        // layout: the doc's own layout gives the same query and target when it is the same example.
        if (isProblem(fields)) {
          if (docProfile === undefined) docProfile = detectedOrNull(entry.doc); // once per run: null when none fits
          if (docProfile) fields = extractFields(entry.doc, docProfile);
        }
        if (isProblem(fields)) noDocFields = true;
        else {
          const key = exampleKey(fields.query, fields.target, fields.id);
          const datasetKey = dataset.keys[entry.docId];
          if (datasetKey !== key && !datasetKey.startsWith(key + '#')) {
            problem('doc-mismatch', line, `doc_id ${entry.docId}: the doc differs from dataset example ${entry.docId} (line ${dataset.lines[entry.docId]}); was lm-eval run on this dataset, in this order?`, 'doc', 'warning');
          }
        }
      }
      if (entry.docId > maxDocId) maxDocId = entry.docId;
      const grades = gradeEntry(entry, task);
      const correct = grades.filter((g) => g.outcome === 'correct').length;
      col.set(entry.docId, {
        accuracy: correct / grades.length,
        sampleCount: grades.length,
        perplexity: NaN,
        distinctAnswers: distinctAnswerCount(grades.map((g) => g.answer)),
      });
      if (length <= 0xffffffff) col.setLocation(entry.docId, f, offset, length);
    };
    if (files[f].array) {
      // Older files: one JSON array; a sample's "line" is its 1-based place in the array, its location that index
      // (with length 1: a length of 0 means "no texts").
      const samples = await readSampleArray(file);
      samples.forEach((value, i) => take(entryOf(value, task, dataset), i + 1, i, 1));
      if (samples.length === 0) log.add('empty', { file, severity: 'warning', message: 'no samples' });
      continue;
    }
    const scanner = new LineScanner(file);
    await scanner.scan((buf, start, end, offset, line) => {
      if (start === end) return;
      const text = buf.toString('utf8', start, end).replace(/^\uFEFF/, '');
      if (text.trim() === '') return;
      take(parseEntry(text, task, dataset), line, offset, end - start);
    });
    if (scanner.lineCount === 0) log.add('empty', { file, severity: 'warning', message: 'no complete lines' });
  }
  if (noDocFields && dataset) {
    const field = (spec: string) => (spec.includes('\n') ? JSON.stringify(spec) : `'${spec}'`);
    log.add('no-doc-fields', { file: target, severity: 'warning', message: `docs lack the dataset's fields (${field(dataset.profile.query)}, ${field(dataset.profile.target)}); doc_id is trusted as the dataset index unchecked` });
  }

  const n = fixedSize ?? maxDocId + 1;
  const checkpoints: CheckpointScores[] = files.map((f, i) => columns[i].toScores(f.checkpoint, Number.isNaN(f.step) ? i : f.step, n));
  const run: Run = {
    id: opts.runId ?? path.basename(path.resolve(target)),
    numExamples: n,
    checkpoints,
    source: { format: 'lm-eval', path: target },
    samples: lmEvalSampleSource(files, columns, task, dataset),
  };
  const trainerStateDir = (await stat(target)).isFile() ? path.dirname(target) : target;
  const trainerState = await findTrainerState(trainerStateDir);
  if (trainerState) {
    try {
      run.trainerLog = await readTrainerState(trainerState);
    } catch (err) {
      log.add('trainer-state', { file: trainerState, severity: 'warning', message: `trainer log not shown: ${(err as Error).message}` });
    }
  }
  return { run, problems: log.problems };
}

function detectedOrNull(doc: unknown): FieldProfile | null {
  try {
    return detectProfile(doc);
  } catch {
    return null;
  }
}

/** An older samples file: its JSON array, or an InputError naming the file. */
async function readSampleArray(file: string): Promise<unknown[]> {
  let value: unknown;
  try {
    value = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new InputError(file, `an lm-eval samples array that is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new InputError(file, 'expected a JSON array of lm-eval samples');
  return value;
}

function lmEvalSampleSource(files: LmEvalSampleFile[], columns: CheckpointColumns[], task: GradingTask, dataset: Dataset | undefined): SampleSource {
  // The last older-format file read, kept whole: its samples are viewed one example after another.
  let cached: { file: string; samples: Promise<unknown[]> } | undefined;
  const arrayElement = async (file: string, index: number) => {
    if (cached?.file !== file) cached = { file, samples: readSampleArray(file) };
    return (await cached.samples)[index];
  };
  return {
    has: (checkpoint, example) => columns[checkpoint]?.location(example) !== undefined,
    read: async (checkpoint, example): Promise<ExampleSamples | undefined> => {
      const loc = columns[checkpoint]?.location(example);
      if (!loc) return undefined;
      const { path: file, array } = files[loc.file];
      const entry = array
        ? entryOf(await arrayElement(file, loc.offset), task, dataset)
        : parseEntry((await readBytesAt(file, loc.offset, loc.length)).toString('utf8').replace(/^\uFEFF/, ''), task, dataset);
      if ('problem' in entry || entry.docId !== example) {
        throw new InputError(file, `the sample at ${array ? 'index' : 'byte'} ${loc.offset} changed since it was read (was the file rewritten?); reload the run`);
      }
      return { samples: gradeEntry(entry, task).map((g, i) => ({ text: entry.texts[i], answer: g.answer, outcome: g.outcome })) };
    },
  };
}
