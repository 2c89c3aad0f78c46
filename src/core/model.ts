// The data model every reader produces and every view consumes.
// Per-example numbers are columnar typed arrays indexed by dataset position, so a million examples
// times a dozen checkpoints stay a few hundred MB at most and never depend on the log's text size.

/** Outcome codes, the same as the paper's released arrays: 0 correct, 1 wrong, 2 unparseable. */
export const enum Outcome {
  Correct = 0,
  Wrong = 1,
  Unparseable = 2,
}
export type OutcomeName = 'correct' | 'wrong' | 'unparseable';
export const OUTCOME_NAMES: readonly OutcomeName[] = ['correct', 'wrong', 'unparseable'];

/** llamafactory and trl-completions logs hold samples only: accuracy, no perplexity (like lm-eval's). */
export type RunFormat = 'premem' | 'paper' | 'lm-eval' | 'llamafactory' | 'trl-completions';

/** Scores of one checkpoint. Arrays have one entry per dataset example (Run.numExamples). */
export interface CheckpointScores {
  id: string;
  /** Training step; the sort key of a run's checkpoints. */
  step: number;
  epoch?: number;
  /** Fraction of samples whose final answer was correct; NaN when the example was not scored. */
  accuracy: Float64Array;
  /** Number of samples taken; 0 when not scored. */
  sampleCount: Uint16Array;
  /** Perplexity of the target trace; NaN when unknown (not scored, or a sampling-only endpoint). */
  perplexity: Float64Array;
  /** Distinct final answers among the samples (sample diversity); 0 when unknown. */
  distinctAnswers?: Uint16Array;
  /** Accuracy under perturbed prompts (robustness probes), by perturbation name. */
  perturbations?: Record<string, Float64Array>;
  testAccuracy?: number;
  testPerplexity?: number;
}

/** One entry of a Hugging Face trainer_state.json log_history, shown next to a run. */
export interface TrainerLogEntry {
  step: number;
  epoch?: number;
  loss?: number;
  evalLoss?: number;
  learningRate?: number;
}

export interface Run {
  id: string;
  numExamples: number;
  /** Sorted by step. */
  checkpoints: CheckpointScores[];
  /** Dataset indices the run trained on (half/quarter runs); undefined means all examples. */
  subset?: Int32Array;
  source: { format: RunFormat; path: string };
  trainerLog?: TrainerLogEntry[];
  /** Reads the sample texts of one example at one checkpoint, when the log holds them. */
  samples?: SampleSource;
}

export interface SampleRecord {
  text: string;
  /** The final answer extracted from the text, or null when none could be. */
  answer: string | null;
  outcome: OutcomeName;
}

export interface ExampleSamples {
  samples: SampleRecord[];
  perturbations?: Record<string, SampleRecord[]>;
}

export interface SampleSource {
  /** Whether texts exist for this (checkpoint index, example index) without reading them. */
  has(checkpoint: number, example: number): boolean;
  read(checkpoint: number, example: number): Promise<ExampleSamples | undefined>;
}

/** A problem with one input record: shown to the user with file and line, never thrown past a reader. */
export interface InputProblem {
  file: string;
  /** 1-based line, when the input is line-oriented. */
  line?: number;
  field?: string;
  message: string;
  severity: 'error' | 'warning';
  /** The record was left out (a bad record); absent when it was kept, as a duplicate is, or for a file-level note. */
  skipped?: boolean;
}

/** Raised for input that cannot be read at all; the message names file and line or field. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}${field ? ` (${field})` : ''}: ${message}`);
    this.name = 'InputError';
  }
}

/** How records of a dataset map to query and target: a named profile or a custom mapping. */
export interface FieldProfile {
  name: ProfileName;
  /** Dotted path or template ("{instruction}\n\n{input?}") of the query (question). */
  query: string;
  /** Dotted path or template of the target trace (answer/solution). */
  target: string;
  /** Dotted path or template of the final answer, when the record states it apart from the target trace. */
  answer?: string;
  /** Dotted path of a stable id field, when records have one. */
  id?: string;
  /** The answer grader for this task. */
  task: GradingTask;
}

/** The detected layouts (README, Formats) and 'custom' for a mapping given by the user. */
export type ProfileName = 'gsm8k' | 'math' | 'math-answer' | 'chat' | 'prompt-completion' | 'alpaca' | 'verl' | 'question-trace' | 'custom';

/** gsm8k: numbers; math: the last \boxed{}; general: a box, "####", "The answer is", else the last number. */
export type GradingTask = 'gsm8k' | 'math' | 'general';

export interface DatasetExample {
  /** Position in the dataset (0-based); the index of every per-example array. */
  index: number;
  /** 1-based line of the record in its file (for JSONL), for display and navigation. */
  line: number;
  /** Stable key: the id field when there is one, else a hash of query + target. */
  key: string;
  query: string;
  target: string;
  /** The final answer from the profile's answer field, when it has one and the record holds it. */
  answer?: string;
  /** The record as parsed, for export. */
  record: unknown;
}

export interface Dataset {
  path: string;
  profile: FieldProfile;
  /** Number of good records. */
  size: number;
  /** Stable key per index. */
  keys: string[];
  /** 1-based line per index. */
  lines: Uint32Array;
  keyToIndex: Map<string, number>;
  /** Bad records skipped and other warnings, each with file and line. */
  problems: InputProblem[];
  /** Reads one record by index (positional read for JSONL; from memory for small formats). */
  get(index: number): Promise<DatasetExample>;
  close(): Promise<void>;
}

export interface GradeResult {
  outcome: OutcomeName;
  /** Final answer extracted from the sample, normalised; null when unparseable. */
  answer: string | null;
  /** Final answer of the target trace, normalised. */
  targetAnswer: string | null;
}
