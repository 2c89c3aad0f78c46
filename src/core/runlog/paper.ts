// Reader for the paper's released layout: <run>/checkpoint-<step>/{train_perplexities, train_answer_types*, test_answer_types*}.npy
// and <run>/subsample_idxs.npy. See docs/run-log-format.md ("The paper's released arrays").
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type CheckpointScores, InputError, type InputProblem, type Run } from '../model';
import { npyDataBytes, type NpyHeader, parseNpy, parseNpyHeader, ReusedReadBuffer } from '../npy';
import { nextTurn } from '../turn';

/** The released analysis' choice of answer file per checkpoint folder, in this order of suffixes. */
export const RELEASED_ANSWER_ORDER = [
  'types5_seed2_temp0.8',
  'types50_seed2_temp0.8',
  'types5_seed2',
  'types50_seed2',
  'types10_seed2_temp0.8',
];

/** 'released': the order above (reproduces the paper); 'most-samples': the answer file with the largest n. */
export type AnswerFilePolicy = 'released' | 'most-samples';

export interface PaperReadOptions {
  answerFiles?: AnswerFilePolicy;
  /** Warnings about the arrays (bad perplexities, a missing subset file) are added here. */
  problems?: InputProblem[];
}

/** Rows listed one by one per file before the rest are counted in one line. */
const LISTED_BAD_ROWS = 5;

/**
 * Perplexities are ≥ 1 by definition; NaN, ±Inf, 0 or a negative value is a broken array entry, and taken as is
 * it would mark the example memorized (−Inf, 0, −1) or never memorized. Such entries become NaN (unknown: never
 * masked) and each is reported with its file and row.
 */
export function unknownBadPerplexities(perplexity: Float64Array, file: string, problems: InputProblem[] | undefined): void {
  let bad = 0;
  for (let i = 0; i < perplexity.length; i++) {
    const v = perplexity[i];
    if (v > 0 && v < Infinity) continue;
    if (bad < LISTED_BAD_ROWS) problems?.push({ file, field: `row ${i}`, message: `perplexity ${v} is not a perplexity; taken as unknown`, severity: 'warning' });
    perplexity[i] = NaN;
    bad++;
  }
  if (bad > LISTED_BAD_ROWS) problems?.push({ file, message: `${bad - LISTED_BAD_ROWS} more rows with NaN, infinite, zero or negative perplexities; taken as unknown`, severity: 'warning' });
}

/** Steps x batch size / epochs, from names like gsm8k_orig_6epochs_half_lr2e-05_bs128: examples seen per epoch. */
function examplesPerEpochFromName(name: string, lastStep: number): number | undefined {
  const epochs = Number(/(?:^|_)(\d+)epochs(?:_|$)/.exec(name)?.[1]);
  const batch = Number(/(?:^|_)bs(\d+)(?:_|$)/.exec(name)?.[1]);
  return epochs > 0 && batch > 0 ? (lastStep * batch) / epochs : undefined;
}

/**
 * Without subsample_idxs.npy a run is averaged over every example. A run whose name says half or quarter, or
 * whose steps x batch size per epoch fall well short of the dataset, trained on a subset: averaging it over the
 * whole dataset would be a wrong number, so it is refused; otherwise the full average is said, not assumed.
 */
function checkMissingSubset(runDir: string, numExamples: number, lastStep: number, problems: InputProblem[] | undefined): void {
  const name = path.basename(runDir);
  const subsetWord = /(?:^|_)(half|quarter)(?:_|$)/.exec(name)?.[1];
  if (subsetWord) {
    throw new InputError(runDir, `the run's name says it trained on a ${subsetWord} of the data, but subsample_idxs.npy is missing; its mean over all ${numExamples} examples would be wrong`);
  }
  const perEpoch = examplesPerEpochFromName(name, lastStep);
  if (perEpoch !== undefined && perEpoch < 0.9 * numExamples) {
    throw new InputError(runDir, `${lastStep} steps imply about ${Math.round(perEpoch)} examples per epoch of ${numExamples}, but subsample_idxs.npy is missing; its mean over all examples would be wrong`);
  }
  problems?.push({ file: runDir, message: `no subsample_idxs.npy: the run is averaged over all ${numExamples} examples`, severity: 'warning' });
}

const CHECKPOINT_DIR = /^checkpoint-(\d+)$/;

// The folders are read synchronously: a few hundred small reads of cached files, which the asynchronous API
// would send one by one through the thread pool at several times the cost. readPaperRuns() gives the event loop
// a turn between runs.
function isDir(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function checkpointDirs(runDir: string): { name: string; step: number }[] {
  const found = [];
  for (const name of readdirOrEmpty(runDir)) {
    const m = CHECKPOINT_DIR.exec(name);
    if (m && isDir(path.join(runDir, name))) found.push({ name, step: Number(m[1]) });
  }
  return found.sort((a, b) => a.step - b.step);
}

/** Whether a folder is one run of the paper's layout (it has checkpoint-N folders with train_perplexities.npy). */
function isPaperRun(dir: string): boolean {
  const cks = checkpointDirs(dir);
  return cks.length > 0 && readdirOrEmpty(path.join(dir, cks[0].name)).includes('train_perplexities.npy');
}

/** Run folders under dir (or dir itself when it is a run), sorted by name. */
export async function findPaperRuns(dir: string): Promise<string[]> {
  if (isPaperRun(dir)) return [dir];
  const runs = [];
  for (const name of readdirOrEmpty(dir).sort()) {
    const p = path.join(dir, name);
    if (isDir(p) && isPaperRun(p)) runs.push(p);
  }
  return runs;
}

/** Picks the answer file of one kind ('train' or 'test') in a checkpoint folder. */
export function pickAnswerFile(files: string[], kind: 'train' | 'test', policy: AnswerFilePolicy): string | undefined {
  if (policy === 'released') {
    for (const suffix of RELEASED_ANSWER_ORDER) {
      const name = `${kind}_answer_${suffix}.npy`;
      if (files.includes(name)) return name;
    }
  }
  const pattern = new RegExp(`^${kind}_answer_types(\\d+)_.*\\.npy$`);
  const candidates = files
    .map((f) => ({ f, n: Number(pattern.exec(f)?.[1] ?? NaN) }))
    .filter((c) => Number.isFinite(c.n))
    .sort((a, b) => b.n - a.n || a.f.localeCompare(b.f));
  return candidates[0]?.f;
}

/** An int64 array's data as 32-bit halves, low then high (little-endian), viewed in place. */
function int64Halves(buf: Buffer, header: NpyHeader): Int32Array {
  const bytes = npyDataBytes(buf, header);
  return new Int32Array(bytes.buffer, bytes.byteOffset, 2 * header.count);
}

/**
 * Correct samples (code 0) per row of int64 codes seen as 32-bit halves (low, high); returns non-zero when some
 * code is not 0, 1 or 2. Branch-free: codes 0 and 1 come in random order, and a branch per code would be
 * mispredicted about half the time.
 */
function countCorrectInt64(halves: Int32Array, n: number, correct: Int32Array): number {
  let invalid = 0;
  for (let i = 0, k = 0; i < correct.length; i++) {
    let c = 0;
    for (const end = k + 2 * n; k < end; k += 2) {
      const low = halves[k];
      invalid |= halves[k + 1] | (low & ~3) | (low & (low >>> 1) & 1); // high word, bits above 1, or code 3
      c += ((low | -low) >>> 31) ^ 1; // 1 when low is 0
    }
    correct[i] = c;
  }
  return invalid;
}

/**
 * Correct samples (code 0) per row of an (examples, n) outcome array, n = 1 for a 1-D array. A code other than
 * 0, 1 and 2 is an error naming its row and sample. int64, the released type, is counted on the file's bytes: no
 * float64 copy of the array is made.
 */
function correctPerRow(buf: Buffer, file: string): { correct: Int32Array; rows: number; n: number; shape: number[] } {
  const header = parseNpyHeader(buf, file);
  const { shape } = header;
  const rows = shape.length ? shape[0] : 1;
  const n = rows ? header.count / rows : 0;
  const correct = new Int32Array(rows);
  if (header.dtype === '<i8') {
    if (countCorrectInt64(int64Halves(buf, header), n, correct) === 0) return { correct, rows, n, shape };
  }
  // Other types, and int64 arrays with a bad code (to name it).
  const codes = parseNpy(buf, file).data;
  for (let i = 0, k = 0; i < rows; i++) {
    let c = 0;
    for (let j = 0; j < n; j++, k++) {
      const code = codes[k];
      if (code === 0) c++;
      else if (code !== 1 && code !== 2) throw new InputError(file, `outcome code ${code} at row ${i}, sample ${j} (expected 0, 1 or 2)`);
    }
    correct[i] = c;
  }
  return { correct, rows, n, shape };
}

/** Per-example accuracy (share of code 0) from an (examples, n) outcome array. */
function accuracyFromOutcomes(buf: Buffer, file: string) {
  const { correct, rows, n, shape } = correctPerRow(buf, file);
  if (shape.length !== 2) throw new InputError(file, `expected a 2-D (examples, samples) array, found shape (${shape.join(', ')})`);
  const accuracy = new Float64Array(rows);
  for (let i = 0; i < rows; i++) accuracy[i] = correct[i] / n;
  return { accuracy, rows, n };
}

/** Test accuracy: the share of code 0 over all samples of all test examples. */
function testAccuracyFromOutcomes(buf: Buffer, file: string): number {
  const { correct, rows, n } = correctPerRow(buf, file);
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += correct[i];
  return sum / (rows * n);
}

function readCheckpoint(dir: string, id: string, step: number, options: PaperReadOptions, reader: ReusedReadBuffer): CheckpointScores {
  const policy = options.answerFiles ?? 'released';
  const files = readdirSync(dir);
  if (!files.includes('train_perplexities.npy')) throw new InputError(dir, 'no train_perplexities.npy in this checkpoint folder');
  const perplexityFile = path.join(dir, 'train_perplexities.npy');
  // A copy: the checkpoint keeps its perplexities, and the read buffer is reused by the next file.
  const perplexity = parseNpy(reader.read(perplexityFile), perplexityFile).data.slice();
  unknownBadPerplexities(perplexity, perplexityFile, options.problems);
  const trainName = pickAnswerFile(files, 'train', policy);
  if (!trainName) throw new InputError(dir, 'no train_answer_types*.npy file in this checkpoint folder');
  const trainFile = path.join(dir, trainName);
  const { accuracy, rows, n } = accuracyFromOutcomes(reader.read(trainFile), trainFile);
  if (perplexity.length !== rows) {
    throw new InputError(perplexityFile, `${perplexity.length} perplexities but ${rows} rows in ${trainName}`);
  }
  const checkpoint: CheckpointScores = {
    id,
    step,
    accuracy,
    sampleCount: new Uint16Array(rows).fill(n),
    perplexity,
  };
  const testName = pickAnswerFile(files, 'test', policy);
  if (testName) {
    const testFile = path.join(dir, testName);
    checkpoint.testAccuracy = testAccuracyFromOutcomes(reader.read(testFile), testFile);
  }
  return checkpoint;
}

/**
 * The distinct indices of subsample_idxs.npy in ascending order, or undefined when they list every example
 * (full runs list all of them, shuffled): only a strict subset restricts the dataset mean.
 */
function trainingSubset(buf: Buffer, numExamples: number, file: string): Int32Array | undefined {
  const header = parseNpyHeader(buf, file);
  // int64, the released type, read as 32-bit halves: an index is the low half, with a high half of 0.
  const halves = header.dtype === '<i8' ? int64Halves(buf, header) : undefined;
  const values = halves ? undefined : parseNpy(buf, file).data;
  // Marks instead of a Set and a sort: the distinct indices come out sorted in one pass over the examples.
  const listed = new Uint8Array(numExamples);
  let distinct = 0;
  for (let k = 0; k < header.count; k++) {
    const i = halves ? (halves[2 * k + 1] === 0 ? halves[2 * k] : -1) : values![k];
    if (!(Number.isInteger(i) && i >= 0 && i < numExamples)) throw new InputError(file, `index ${parseNpy(buf, file).data[k]} outside 0..${numExamples - 1}`);
    distinct += 1 - listed[i];
    listed[i] = 1;
  }
  if (distinct === numExamples) return undefined;
  const subset = new Int32Array(distinct);
  for (let i = 0, n = 0; i < numExamples; i++) if (listed[i]) subset[n++] = i;
  return subset;
}

export async function readPaperRun(runDir: string, options: PaperReadOptions = {}, reader = new ReusedReadBuffer()): Promise<Run> {
  const dirs = checkpointDirs(runDir);
  if (dirs.length === 0) throw new InputError(runDir, 'no checkpoint-<step> folders');
  const checkpoints = dirs.map((d) => readCheckpoint(path.join(runDir, d.name), d.name, d.step, options, reader));
  const numExamples = checkpoints[0].accuracy.length;
  for (const c of checkpoints) {
    if (c.accuracy.length !== numExamples) {
      throw new InputError(path.join(runDir, c.id), `${c.accuracy.length} examples, but ${checkpoints[0].id} has ${numExamples}`);
    }
  }
  checkpoints.forEach((c, i) => (c.epoch = i + 1)); // one checkpoint per epoch in the released runs
  let subset: Int32Array | undefined;
  const subsetFile = path.join(runDir, 'subsample_idxs.npy');
  if (statSync(subsetFile, { throwIfNoEntry: false })) {
    subset = trainingSubset(reader.read(subsetFile), numExamples, subsetFile);
  } else {
    checkMissingSubset(runDir, numExamples, dirs[dirs.length - 1].step, options.problems);
  }
  return { id: path.basename(runDir), numExamples, checkpoints, subset, source: { format: 'paper', path: runDir } };
}

export async function readPaperRuns(dir: string, options: PaperReadOptions = {}): Promise<Run[]> {
  const dirs = await findPaperRuns(dir);
  if (dirs.length === 0) throw new InputError(dir, 'no runs of the paper layout (folders with checkpoint-<step>/train_perplexities.npy)');
  const runs = [];
  const reader = new ReusedReadBuffer();
  for (const d of dirs) {
    runs.push(await readPaperRun(d, options, reader));
    await nextTurn();
  }
  return runs;
}
