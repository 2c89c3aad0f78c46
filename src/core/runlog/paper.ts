// Reader for the paper's released layout: <run>/checkpoint-<step>/{train_perplexities, train_answer_types*, test_answer_types*}.npy
// and <run>/subsample_idxs.npy. See docs/run-log-format.md ("The paper's released arrays").
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type CheckpointScores, InputError, type InputProblem, type Run } from '../model';
import { readNpy } from '../npy';

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

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

async function checkpointDirs(runDir: string): Promise<{ name: string; step: number }[]> {
  const names = await readdir(runDir).catch(() => [] as string[]);
  const found = [];
  for (const name of names) {
    const m = CHECKPOINT_DIR.exec(name);
    if (m && (await isDir(path.join(runDir, name)))) found.push({ name, step: Number(m[1]) });
  }
  return found.sort((a, b) => a.step - b.step);
}

/** Whether a folder is one run of the paper's layout (it has checkpoint-N folders with train_perplexities.npy). */
export async function isPaperRun(dir: string): Promise<boolean> {
  const cks = await checkpointDirs(dir);
  if (cks.length === 0) return false;
  const files = await readdir(path.join(dir, cks[0].name)).catch(() => [] as string[]);
  return files.includes('train_perplexities.npy');
}

/** Run folders under dir (or dir itself when it is a run), sorted by name. */
export async function findPaperRuns(dir: string): Promise<string[]> {
  if (await isPaperRun(dir)) return [dir];
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  const runs = [];
  for (const name of names) {
    const p = path.join(dir, name);
    if ((await isDir(p)) && (await isPaperRun(p))) runs.push(p);
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

/** Per-example accuracy (share of code 0) and distinct outcome count from an (examples, n) outcome array. */
function accuracyFromOutcomes(codes: Float64Array, shape: number[], file: string) {
  if (shape.length !== 2) throw new InputError(file, `expected a 2-D (examples, samples) array, found shape (${shape.join(', ')})`);
  const [rows, n] = shape;
  const accuracy = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let correct = 0;
    for (let j = 0; j < n; j++) {
      const c = codes[i * n + j];
      if (c === 0) correct++;
      else if (c !== 1 && c !== 2) throw new InputError(file, `outcome code ${c} at row ${i}, sample ${j} (expected 0, 1 or 2)`);
    }
    accuracy[i] = correct / n;
  }
  return { accuracy, rows, n };
}

async function readCheckpoint(dir: string, id: string, step: number, options: PaperReadOptions): Promise<CheckpointScores> {
  const policy = options.answerFiles ?? 'released';
  const files = await readdir(dir);
  if (!files.includes('train_perplexities.npy')) throw new InputError(dir, 'no train_perplexities.npy in this checkpoint folder');
  const perplexityFile = path.join(dir, 'train_perplexities.npy');
  const perp = await readNpy(perplexityFile);
  unknownBadPerplexities(perp.data, perplexityFile, options.problems);
  const trainName = pickAnswerFile(files, 'train', policy);
  if (!trainName) throw new InputError(dir, 'no train_answer_types*.npy file in this checkpoint folder');
  const trainFile = path.join(dir, trainName);
  const train = await readNpy(trainFile);
  const { accuracy, rows, n } = accuracyFromOutcomes(train.data, train.shape, trainFile);
  if (perp.data.length !== rows) {
    throw new InputError(perplexityFile, `${perp.data.length} perplexities but ${rows} rows in ${trainName}`);
  }
  const checkpoint: CheckpointScores = {
    id,
    step,
    accuracy,
    sampleCount: new Uint16Array(rows).fill(n),
    perplexity: perp.data,
  };
  const testName = pickAnswerFile(files, 'test', policy);
  if (testName) {
    const test = await readNpy(path.join(dir, testName));
    let correct = 0;
    for (const c of test.data) if (c === 0) correct++;
    checkpoint.testAccuracy = correct / test.data.length;
  }
  return checkpoint;
}

export async function readPaperRun(runDir: string, options: PaperReadOptions = {}): Promise<Run> {
  const dirs = await checkpointDirs(runDir);
  if (dirs.length === 0) throw new InputError(runDir, 'no checkpoint-<step> folders');
  const checkpoints = await Promise.all(dirs.map((d) => readCheckpoint(path.join(runDir, d.name), d.name, d.step, options)));
  const numExamples = checkpoints[0].accuracy.length;
  for (const c of checkpoints) {
    if (c.accuracy.length !== numExamples) {
      throw new InputError(path.join(runDir, c.id), `${c.accuracy.length} examples, but ${checkpoints[0].id} has ${numExamples}`);
    }
  }
  checkpoints.forEach((c, i) => (c.epoch = i + 1)); // one checkpoint per epoch in the released runs
  let subset: Int32Array | undefined;
  const subsetFile = path.join(runDir, 'subsample_idxs.npy');
  if (await stat(subsetFile).catch(() => undefined)) {
    const idx = (await readNpy(subsetFile)).data;
    // Marks instead of a Set and a sort: the distinct indices come out sorted in one pass over the examples.
    const listed = new Uint8Array(numExamples);
    let distinct = 0;
    for (const i of idx) {
      if (!(Number.isInteger(i) && i >= 0 && i < numExamples)) throw new InputError(subsetFile, `index ${i} outside 0..${numExamples - 1}`);
      if (!listed[i]) distinct++;
      listed[i] = 1;
    }
    const unique = new Int32Array(distinct);
    for (let i = 0, n = 0; i < numExamples; i++) if (listed[i]) unique[n++] = i;
    // Full runs list every example (shuffled); only a strict subset restricts the dataset mean.
    if (unique.length < numExamples) subset = unique;
  } else {
    checkMissingSubset(runDir, numExamples, dirs[dirs.length - 1].step, options.problems);
  }
  return { id: path.basename(runDir), numExamples, checkpoints, subset, source: { format: 'paper', path: runDir } };
}

export async function readPaperRuns(dir: string, options: PaperReadOptions = {}): Promise<Run[]> {
  const dirs = await findPaperRuns(dir);
  if (dirs.length === 0) throw new InputError(dir, 'no runs of the paper layout (folders with checkpoint-<step>/train_perplexities.npy)');
  return Promise.all(dirs.map((d) => readPaperRun(d, options)));
}
