// One entry point for every run-log format: detects the format of a path and reads its runs.
import { stat } from 'node:fs/promises';
import { type Dataset, InputError, type InputProblem, type Run, type RunFormat } from '../model';
import type { PreMemLogReader } from './premem-reader';
import { type AnswerFilePolicy, findPaperRuns, readPaperRuns } from './paper';

export type RunFormatOption = RunFormat | 'auto';

export interface LoadRunsOptions {
  format?: RunFormatOption;
  /** When given, PreMem and lm-eval logs are placed on the dataset's examples by stable key. */
  dataset?: Dataset;
  answerFiles?: AnswerFilePolicy;
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
    if (/(^|\/)samples_[^/]*\.jsonl$/.test(path)) return 'lm-eval';
    return 'premem';
  }
  if ((await findPaperRuns(path)).length > 0) return 'paper';
  const { findPreMemLogs } = await import('./premem-files');
  if ((await findPreMemLogs(path)).length > 0) return 'premem';
  const { isLmEvalDir } = await import('./lm-eval-files');
  if (await isLmEvalDir(path)) return 'lm-eval';
  throw new InputError(path, 'no run logs found: expected PreMem logs (*.premem.jsonl), the paper layout (checkpoint-<step>/*.npy) or lm-eval samples_*.jsonl');
}

export async function loadRuns(path: string, options: LoadRunsOptions = {}): Promise<LoadedRuns> {
  const format = !options.format || options.format === 'auto' ? await detectRunFormat(path) : options.format;
  switch (format) {
    case 'paper': {
      const problems: InputProblem[] = [];
      return { format, runs: await readPaperRuns(path, { answerFiles: options.answerFiles, problems }), problems };
    }
    case 'premem': {
      const { loadPreMemRuns } = await import('./premem-files');
      return { format, ...(await loadPreMemRuns(path, options.dataset, { onProgress: options.onProgress })) };
    }
    case 'lm-eval': {
      const { loadLmEvalRuns } = await import('./lm-eval-files');
      return { format, ...(await loadLmEvalRuns(path, options.dataset)) };
    }
  }
}
