// The options analyze, export and score share to say how the dataset maps to query and target, and to take
// dataset, profile, runs, p and t from premem.json: --config, --profile, --query, --target, --answer, --task.
import path from 'node:path';
import { readConfig, type PreMemConfig, type RunSource } from '../core/config';
import { type CustomProfileSpec, resolveProfile, type ProfileSpec } from '../core/dataset/profiles';
import { type Dataset, type FieldProfile, InputError, type Run } from '../core/model';
import { loadRuns } from '../core/runlog/load';
import type { AnswerFilePolicy } from '../core/runlog/paper';
import { numberOption, UsageError } from './args';
import { formatProblems, requireRuns } from './problems';

export const RUN_FORMATS: readonly string[] = ['auto', 'premem', 'paper', 'lm-eval', 'llamafactory', 'trl-completions'];

/** The runs, the dataset and the thresholds, as analyze and export take them. */
export const RUN_OPTIONS = {
  runs: { type: 'string' },
  dataset: { type: 'string' },
  format: { type: 'string', default: 'auto' },
  p: { type: 'string' },
  calibrate: { type: 'boolean', default: false },
  t: { type: 'string' },
} as const;

export const DATASET_OPTIONS = {
  config: { type: 'string' },
  profile: { type: 'string' },
  query: { type: 'string' },
  target: { type: 'string' },
  answer: { type: 'string' },
  task: { type: 'string' },
} as const;

export const DATASET_HELP = `  --config FILE         premem.json: its dataset, profile, runs, p and t (options given here win)
  --profile NAME        the dataset layout: auto (default), gsm8k, math, math-answer, chat, prompt-completion,
                        alpaca, verl (README, Formats)
  --query FIELD         map the dataset yourself: the query's field (dotted path) or template
  --target FIELD|TPL    the target trace's field, or a template joining fields: "{chain}\\n#### {result}"
  --answer FIELD        the final answer's field, when the record states it apart from the trace
  --task NAME           lm-eval folders holding several tasks: the task to read (e.g. gsm8k_cot)`;

export interface DatasetOptionValues {
  config?: string;
  profile?: string;
  query?: string;
  target?: string;
  answer?: string;
  task?: string;
}

/** premem.json when --config names one; undefined otherwise. */
export async function configFromOptions(o: DatasetOptionValues): Promise<PreMemConfig | undefined> {
  return o.config ? readConfig(path.resolve(o.config)) : undefined;
}

/**
 * The profile the options ask for: --query and --target (with --answer) a mapping, graded by the --profile
 * layout's grader when one is named; else --profile; else the config's profile; else 'auto'.
 * A template's "\n" typed on a shell line arrives as backslash-n, and is read as a line break.
 */
export function profileFromOptions(o: DatasetOptionValues, config?: PreMemConfig): ProfileSpec | 'auto' {
  const unescape = (s: string) => s.replaceAll('\\n', '\n').replaceAll('\\t', '\t');
  let named: ProfileSpec | 'auto' = config?.profile ?? 'auto';
  if (o.profile !== undefined && o.profile !== 'auto') {
    try {
      named = resolveProfile(o.profile);
    } catch (err) {
      throw new UsageError(`--profile: ${(err as Error).message}`);
    }
  } else if (o.profile === 'auto') named = 'auto';
  if (o.query === undefined && o.target === undefined) {
    if (o.answer === undefined) return named;
    if (named === 'auto') throw new UsageError('--answer needs the layout it adds to: give --profile NAME, or --query and --target');
    return { ...checked(named, config), name: 'custom', answer: unescape(o.answer) };
  }
  if (o.query === undefined || o.target === undefined) throw new UsageError('--query and --target go together: give both fields');
  const spec: CustomProfileSpec = { query: unescape(o.query), target: unescape(o.target), task: named === 'auto' ? 'general' : checked(named, config).task };
  if (o.answer !== undefined) spec.answer = unescape(o.answer);
  return spec;
}

/** premem.json's profile resolved, or an error naming the file and field (--profile names are checked before). */
function checked(spec: ProfileSpec, config?: PreMemConfig): FieldProfile {
  try {
    return resolveProfile(spec);
  } catch (err) {
    throw new InputError(config?.file ?? 'premem.json', (err as Error).message, undefined, 'profile');
  }
}

/** p, calibration and t: --p / --calibrate and --t, else premem.json's p and t. */
export function thresholdsFromOptions(o: { p?: string; calibrate?: boolean; t?: string }, config?: PreMemConfig): { p?: number; calibrate: boolean; t?: number } {
  let p = numberOption(o.p, 'p');
  if (p !== undefined && !(p > 1)) throw new UsageError('--p must be greater than 1 (a perplexity)');
  if (p !== undefined && o.calibrate) throw new UsageError('--p and --calibrate exclude each other');
  let calibrate = o.calibrate ?? false;
  if (p === undefined && !calibrate && config) {
    if (config.p === 'calibrate') calibrate = true;
    else p = config.p;
  }
  const t = numberOption(o.t, 't');
  if (t !== undefined && !(t >= 0 && t <= 1)) throw new UsageError('--t must lie between 0 and 1');
  return { p, calibrate, t: t ?? config?.t };
}

/** The run sources: --runs (with --format and --task), else the config's runs. */
export function runSourcesFromOptions(runs: string | undefined, format: string, o: DatasetOptionValues, config?: PreMemConfig): RunSource[] {
  if (runs !== undefined) {
    const source: RunSource = { path: runs, format: format as RunSource['format'] };
    if (o.task) source.task = o.task;
    return [source];
  }
  if (!config) return [];
  return config.runs.map((r) => (o.task && !r.task ? { ...r, task: o.task } : r));
}

/** Every source's runs, each source's problems printed on stderr as it is read. */
export async function loadRunSources(
  sources: RunSource[],
  dataset: Dataset | undefined,
  answerFiles: AnswerFilePolicy = 'released',
): Promise<{ runs: Run[]; saved: Promise<unknown> }> {
  const runs: Run[] = [];
  const saved: Promise<void>[] = [];
  for (const source of sources) {
    const loaded = await loadRuns(source.path, { format: source.format, dataset, answerFiles, lmEvalTask: source.task });
    requireRuns(loaded, source.path);
    if (loaded.problems.length) console.error(formatProblems(loaded.problems));
    runs.push(...loaded.runs);
    if (loaded.saved) saved.push(loaded.saved);
  }
  return { runs, saved: Promise.all(saved) };
}
