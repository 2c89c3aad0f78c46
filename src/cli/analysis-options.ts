// What compare, wrong-targets and report share: the options naming runs, dataset and thresholds, and the step
// that turns them into an opened dataset and analysed runs (checked to score the dataset's examples).
import { analyze, type AnalysisResult } from '../core/analysis';
import { openDataset } from '../core/dataset/open';
import { SelectionError } from '../core/export/recollection';
import type { PreparedRun } from '../core/metrics/premem';
import { DEFAULT_FRAGILE_T } from '../core/metrics/dynamics';
import { thresholdFromP } from '../core/metrics/threshold';
import { type Dataset, InputError } from '../core/model';
import { resolveCheckpointRef } from '../core/signals/checkpoint-ref';
import type { CheckpointRef } from '../core/signals/run-prefix';
import { numberOption, UsageError } from './args';
import { configFromOptions, DATASET_OPTIONS, type DatasetOptionValues, loadRunSources, profileFromOptions, RUN_FORMATS, runSourcesFromOptions, thresholdsFromOptions } from './dataset-options';
import { formatProblems } from './problems';

export const ANALYSIS_OPTIONS = {
  runs: { type: 'string' },
  format: { type: 'string', default: 'auto' },
  dataset: { type: 'string' },
  p: { type: 'string' },
  calibrate: { type: 'boolean', default: false },
  t: { type: 'string' },
  ...DATASET_OPTIONS,
} as const;

export interface AnalysisOptionValues extends DatasetOptionValues {
  runs?: string;
  format?: string;
  dataset?: string;
  p?: string;
  calibrate?: boolean;
  t?: string;
}

export interface OpenedAnalysis {
  dataset: Dataset | undefined;
  analysis: AnalysisResult & { prepared: PreparedRun[] };
  t: number;
}

/**
 * Reads the runs (and the dataset, required or optional) the options name and analyses them. Usage mistakes
 * throw UsageError before any reading; the caller closes the dataset.
 */
export async function openAnalysis(o: AnalysisOptionValues, help: string, datasetRequired: boolean): Promise<OpenedAnalysis> {
  const config = await configFromOptions(o);
  const sources = runSourcesFromOptions(o.runs, o.format!, o, config);
  if (sources.length === 0) throw new UsageError(`--runs is required (or --config with "runs")\n\n${help}`);
  if (!RUN_FORMATS.includes(o.format!)) throw new UsageError(`--format must be one of ${RUN_FORMATS.join(', ')}`);
  const { p, calibrate, t } = thresholdsFromOptions(o, config);
  const datasetPath = o.dataset ?? config?.dataset;
  if (datasetRequired && !datasetPath) throw new UsageError(`--dataset is required (or --config)\n\n${help}`);
  const dataset = datasetPath ? await openDataset(datasetPath, profileFromOptions(o, config)) : undefined;
  try {
    if (dataset?.problems.length) console.error(formatProblems(dataset.problems));
    const { runs } = await loadRunSources(sources, dataset, config?.answerFiles);
    const mismatched = dataset && runs.find((r) => r.numExamples !== dataset.size);
    if (mismatched) throw new InputError(mismatched.source.path, `run ${mismatched.id} has ${mismatched.numExamples} examples but the dataset ${datasetPath} has ${dataset!.size}`);
    const analysis = analyze(runs, { thr: p !== undefined ? thresholdFromP(p) : undefined, calibrate, t });
    return { dataset, analysis, t: t ?? DEFAULT_FRAGILE_T };
  } catch (err) {
    await dataset?.close();
    throw err;
  }
}

/** `RUN[:CHECKPOINT]` from an option; an unknown id is a usage error listing the ids there are. */
export function checkpointOption(prepared: readonly PreparedRun[], spec: string): CheckpointRef {
  try {
    return resolveCheckpointRef(prepared, spec);
  } catch (err) {
    if (err instanceof SelectionError) throw new UsageError(err.message);
    throw err;
  }
}

/** --limit: a whole number >= 0, default 20. */
export function limitOption(value: string | undefined): number {
  const limit = numberOption(value, 'limit') ?? 20;
  if (!(Number.isInteger(limit) && limit >= 0)) throw new UsageError('--limit must be a whole number >= 0');
  return limit;
}
