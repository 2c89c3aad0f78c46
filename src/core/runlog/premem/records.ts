// Record types of PreMem's own run log (JSONL, append-only) and their validation.
// The format is specified in docs/run-log-format.md; reader and writer both validate through here, so a
// record the writer accepts is always a record the reader loads.

import { type ScoresRecord, validateScores } from './scores-record';

/** The run-log version this code writes and the newest it reads. */
export const PREMEM_LOG_VERSION = 1;

/** The largest sample count an example can have (CheckpointScores.sampleCount is a Uint16Array). */
export const MAX_SAMPLES = 65535;

export interface RunRecord {
  v: 1;
  type: 'run';
  run: string;
  /** Path or name of the dataset the run was scored on. */
  dataset?: string;
  /** Dataset indices the run trained on; absent means all examples. */
  subset?: number[];
  meta?: Record<string, unknown>;
}

export interface CheckpointRecord {
  v: 1;
  type: 'checkpoint';
  run: string;
  checkpoint: string;
  step: number;
  epoch?: number;
  testAccuracy?: number;
  testPerplexity?: number;
}

/** Samples of one prompt: one outcome code per sample (0 correct, 1 wrong, 2 unparseable), answers and texts optional. */
export interface SampleSet {
  outcomes: number[];
  answers?: (string | null)[];
  samples?: string[];
}

export interface ExampleRecord extends SampleSet {
  v: 1;
  /** Absent means "example". */
  type?: 'example';
  run: string;
  checkpoint: string;
  step?: number;
  /** Stable example key (the dataset's key: id field or content hash). */
  key: string;
  /** Dataset index at scoring time; used for placement when no dataset is given. */
  index: number;
  perplexity?: number;
  /** Mean negative log-likelihood per target token; perplexity = exp(nll) when perplexity is absent. */
  nll?: number;
  tokens?: number;
  perturbations?: Record<string, SampleSet>;
}

export type PreMemRecord = RunRecord | CheckpointRecord | ExampleRecord | ScoresRecord;

export type Validation<T> = { ok: true; record: T } | { ok: false; message: string; field?: string };

const fail = (message: string, field?: string): { ok: false; message: string; field?: string } =>
  field === undefined ? { ok: false, message } : { ok: false, message, field };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function requireString(rec: Record<string, unknown>, field: string): string | undefined {
  const v = rec[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function missingOrWrong(rec: Record<string, unknown>, field: string, expected: string) {
  const v = rec[field];
  return fail(v === undefined ? `missing field '${field}'` : `'${field}' is ${describe(v)}, expected ${expected}`, field);
}

/** Checks the version field: absent, malformed and too-new versions each get their own message. */
function checkVersion(rec: Record<string, unknown>) {
  const v = rec.v;
  if (v === undefined) return fail(`missing field 'v' (the run-log version, ${PREMEM_LOG_VERSION})`, 'v');
  if (!Number.isInteger(v) || (v as number) < 1) return fail(`'v' is ${describe(v)}, expected the run-log version ${PREMEM_LOG_VERSION}`, 'v');
  if ((v as number) > PREMEM_LOG_VERSION) {
    return fail(`run-log version ${v} is newer than this reader understands (version ${PREMEM_LOG_VERSION}); update PreMem to read it`, 'v');
  }
  return undefined;
}

function validateSampleSet(rec: Record<string, unknown>, prefix: string, allowEmpty: boolean): { ok: false; message: string; field?: string } | undefined {
  const outcomes = rec.outcomes;
  if (!Array.isArray(outcomes)) {
    const message = outcomes === undefined ? `missing field '${prefix}outcomes'` : `'${prefix}outcomes' is ${describe(outcomes)}, expected an array of outcome codes 0, 1, 2`;
    return fail(message, `${prefix}outcomes`);
  }
  if (!allowEmpty && outcomes.length === 0) return fail(`'${prefix}outcomes' is empty`, `${prefix}outcomes`);
  if (outcomes.length > MAX_SAMPLES) return fail(`'${prefix}outcomes' has ${outcomes.length} samples, at most ${MAX_SAMPLES} are supported`, `${prefix}outcomes`);
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i];
    if (o !== 0 && o !== 1 && o !== 2) {
      return fail(`'${prefix}outcomes[${i}]' is ${describe(o)}, expected 0 (correct), 1 (wrong) or 2 (unparseable)`, `${prefix}outcomes[${i}]`);
    }
  }
  const answers = rec.answers;
  if (answers !== undefined) {
    if (!Array.isArray(answers)) return fail(`'${prefix}answers' is ${describe(answers)}, expected an array of strings or nulls`, `${prefix}answers`);
    if (answers.length !== outcomes.length) {
      return fail(`'${prefix}answers' has ${answers.length} entries but '${prefix}outcomes' has ${outcomes.length}`, `${prefix}answers`);
    }
    for (let i = 0; i < answers.length; i++) {
      if (answers[i] !== null && typeof answers[i] !== 'string') {
        return fail(`'${prefix}answers[${i}]' is ${describe(answers[i])}, expected a string or null`, `${prefix}answers[${i}]`);
      }
    }
  }
  const samples = rec.samples;
  if (samples !== undefined) {
    if (!Array.isArray(samples)) return fail(`'${prefix}samples' is ${describe(samples)}, expected an array of strings`, `${prefix}samples`);
    if (samples.length !== outcomes.length) {
      return fail(`'${prefix}samples' has ${samples.length} entries but '${prefix}outcomes' has ${outcomes.length}`, `${prefix}samples`);
    }
    for (let i = 0; i < samples.length; i++) {
      if (typeof samples[i] !== 'string') return fail(`'${prefix}samples[${i}]' is ${describe(samples[i])}, expected a string`, `${prefix}samples[${i}]`);
    }
  }
  return undefined;
}

function validateRun(rec: Record<string, unknown>): Validation<RunRecord> {
  if (rec.dataset !== undefined && typeof rec.dataset !== 'string') return missingOrWrong(rec, 'dataset', 'a string');
  if (rec.subset !== undefined) {
    if (!Array.isArray(rec.subset)) return missingOrWrong(rec, 'subset', 'an array of dataset indices');
    const bad = rec.subset.findIndex((i) => !isNonNegativeInt(i));
    if (bad >= 0) return fail(`'subset[${bad}]' is ${describe(rec.subset[bad])}, expected a dataset index (integer >= 0)`, `subset[${bad}]`);
  }
  if (rec.meta !== undefined && !isObject(rec.meta)) return missingOrWrong(rec, 'meta', 'an object');
  return { ok: true, record: rec as unknown as RunRecord };
}

function validateCheckpoint(rec: Record<string, unknown>): Validation<CheckpointRecord> {
  if (!requireString(rec, 'checkpoint')) return missingOrWrong(rec, 'checkpoint', 'a non-empty string');
  if (!isNonNegativeInt(rec.step)) return missingOrWrong(rec, 'step', 'an integer >= 0');
  if (rec.epoch !== undefined && !isFiniteNumber(rec.epoch)) return missingOrWrong(rec, 'epoch', 'a number');
  const acc = rec.testAccuracy;
  if (acc !== undefined && !(isFiniteNumber(acc) && acc >= 0 && acc <= 1)) return missingOrWrong(rec, 'testAccuracy', 'a number from 0 to 1');
  const ppl = rec.testPerplexity;
  if (ppl !== undefined && !(isFiniteNumber(ppl) && ppl > 0)) return missingOrWrong(rec, 'testPerplexity', 'a positive number');
  return { ok: true, record: rec as unknown as CheckpointRecord };
}

function validateExample(rec: Record<string, unknown>): Validation<ExampleRecord> {
  if (!requireString(rec, 'checkpoint')) return missingOrWrong(rec, 'checkpoint', 'a non-empty string');
  if (rec.step !== undefined && !isNonNegativeInt(rec.step)) return missingOrWrong(rec, 'step', 'an integer >= 0');
  if (!requireString(rec, 'key')) return missingOrWrong(rec, 'key', 'a non-empty string');
  if (!isNonNegativeInt(rec.index)) return missingOrWrong(rec, 'index', 'a dataset index (integer >= 0)');
  const problem = validateSampleSet(rec, '', true);
  if (problem) return problem;
  const ppl = rec.perplexity;
  if (ppl !== undefined && !(isFiniteNumber(ppl) && ppl > 0)) return missingOrWrong(rec, 'perplexity', 'a positive number');
  if (rec.nll !== undefined && !isFiniteNumber(rec.nll)) return missingOrWrong(rec, 'nll', 'a number');
  if (rec.tokens !== undefined && !isNonNegativeInt(rec.tokens)) return missingOrWrong(rec, 'tokens', 'an integer >= 0');
  const perturbations = rec.perturbations;
  if (perturbations !== undefined) {
    if (!isObject(perturbations)) return missingOrWrong(rec, 'perturbations', 'an object of name -> {outcomes, answers?, samples?}');
    for (const [name, set] of Object.entries(perturbations)) {
      const prefix = `perturbations.${name}.`;
      if (!isObject(set)) return fail(`'perturbations.${name}' is ${describe(set)}, expected {outcomes, answers?, samples?}`, `perturbations.${name}`);
      const p = validateSampleSet(set, prefix, false);
      if (p) return p;
    }
  }
  return { ok: true, record: rec as unknown as ExampleRecord };
}

/** Validates one parsed line. Unknown fields are ignored, so later minor additions stay readable. */
export function validateRecord(value: unknown): Validation<PreMemRecord> {
  if (!isObject(value)) return fail(`record is ${describe(value)}, expected a JSON object`);
  const versionProblem = checkVersion(value);
  if (versionProblem) return versionProblem;
  if (!requireString(value, 'run')) return missingOrWrong(value, 'run', 'a non-empty string (the run id)');
  const type = value.type ?? 'example';
  switch (type) {
    case 'example':
      return validateExample(value);
    case 'checkpoint':
      return validateCheckpoint(value);
    case 'run':
      return validateRun(value);
    case 'scores':
      return validateScores(value);
    default:
      return fail(`unknown record type ${describe(type)}; expected "run", "checkpoint", "example" or "scores"`, 'type');
  }
}

/** Whether an example record carries any sample texts (its own or a perturbation's). */
export function hasSampleTexts(rec: ExampleRecord): boolean {
  if (rec.samples !== undefined && rec.samples.length > 0) return true;
  if (rec.perturbations) for (const set of Object.values(rec.perturbations)) if (set.samples !== undefined && set.samples.length > 0) return true;
  return false;
}

/** Perplexity of an example record: the field itself, else exp(nll), else NaN. */
export function recordPerplexity(rec: ExampleRecord): number {
  if (rec.perplexity !== undefined) return rec.perplexity;
  if (rec.nll !== undefined) return Math.exp(rec.nll);
  return NaN;
}

/** Fraction of outcome code 0; NaN for no samples. */
export function outcomeAccuracy(outcomes: readonly number[]): number {
  if (outcomes.length === 0) return NaN;
  let correct = 0;
  for (const o of outcomes) if (o === 0) correct++;
  return correct / outcomes.length;
}

/** Number of distinct non-null answers. */
export function distinctAnswerCount(answers: readonly (string | null)[]): number {
  const seen = new Set<string>();
  for (const a of answers) if (a !== null) seen.add(a);
  return seen.size;
}
