// One entry point for every run-log format: detects the format of a path and reads its runs.
import { stat } from 'node:fs/promises';
import { type Dataset, InputError, type InputProblem, type Run, type RunFormat } from '../model';
import type { PreMemLogReader } from './premem/log-reader';
import { type AnswerFilePolicy, findPaperRuns, readPaperRuns } from './paper';

export type RunFormatOption = RunFormat | 'auto';

export interface LoadRunsOptions {
  format?: RunFormatOption;
  /** When given, PreMem and lm-eval logs are placed on the dataset's examples by stable key. */
  dataset?: Dataset;
  answerFiles?: AnswerFilePolicy;
  /** lm-eval: which task's samples to read when a folder holds several (the <task> of samples_<task>_<date>.jsonl). */
  lmEvalTask?: string;
  /** PreMem logs: bytes parsed so far and in all, while large logs are read in worker threads. */
  onProgress?: (done: number, total: number) => void;
}

export interface LoadedRuns {
  format: RunFormat;
  runs: Run[];
  problems: InputProblem[];
  /** For PreMem logs: the incremental reader, to pick up records appended later. */
  reader?: PreMemLogReader;
  /** For PreMem logs: settles when the run-log cache the load writes in the background is on disk. */
  saved?: Promise<void>;
}

export async function detectRunFormat(path: string): Promise<RunFormat> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError(path, 'no such file or folder');
  if (info.isFile()) {
    if (path.endsWith('.premem.jsonl')) return 'premem';
    if (/(^|\/)samples_[^/]*\.jsonl?$/.test(path)) return 'lm-eval';
    if (/(^|\/)generated_predictions\.jsonl$/.test(path)) return 'llamafactory';
    if (/(^|\/)[^/]*completions[^/]*\.(csv|json|jsonl)$/i.test(path)) return 'trl-completions';
    const { isSampleArray } = await import('./lm-eval');
    if (await isSampleArray(path)) return 'lm-eval';
    return 'premem';
  }
  if ((await findPaperRuns(path)).length > 0) return 'paper';
  const { findPreMemLogs } = await import('./premem/find-and-load');
  if ((await findPreMemLogs(path)).length > 0) return 'premem';
  const { isLmEvalDir } = await import('./lm-eval-files');
  if (await isLmEvalDir(path)) return 'lm-eval';
  const { isLlamaFactoryRun } = await import('./llamafactory');
  if (await isLlamaFactoryRun(path)) return 'llamafactory';
  const { isTrlCompletions } = await import('./trl-completions');
  if (await isTrlCompletions(path)) return 'trl-completions';
  throw new InputError(
    path,
    'no run logs found: expected PreMem logs (*.premem.jsonl), the paper layout (checkpoint-<step>/*.npy), lm-eval samples_*.jsonl, LLaMA-Factory generated_predictions.jsonl or TRL completions tables',
  );
}

export async function loadRuns(path: string, options: LoadRunsOptions = {}): Promise<LoadedRuns> {
  const format = !options.format || options.format === 'auto' ? await detectRunFormat(path) : options.format;
  switch (format) {
    case 'paper': {
      const problems: InputProblem[] = [];
      return { format, runs: await readPaperRuns(path, { answerFiles: options.answerFiles, problems }), problems };
    }
    case 'premem': {
      const { loadPreMemRuns } = await import('./premem/find-and-load');
      return { format, ...(await loadPreMemRuns(path, options.dataset, { onProgress: options.onProgress })) };
    }
    case 'lm-eval': {
      const { loadLmEvalRuns } = await import('./lm-eval-files');
      return { format, ...(await loadLmEvalRuns(path, options.dataset, options.lmEvalTask)) };
    }
    case 'llamafactory': {
      const { readLlamaFactoryRun } = await import('./llamafactory');
      const { run, problems } = await readLlamaFactoryRun(path, options.dataset);
      return { format, runs: [run], problems };
    }
    case 'trl-completions': {
      const { readTrlCompletionsRun } = await import('./trl-completions');
      const { run, problems } = await readTrlCompletionsRun(path, options.dataset);
      return { format, runs: [run], problems };
    }
  }
}
