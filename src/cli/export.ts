// premem export: the re-collection set of one run at one checkpoint (the fragile examples, plus flagged ones),
// each original record with a `premem` field, as JSONL, CSV or Parquet.
import { analyze } from '../core/analysis';
import { openDataset } from '../core/dataset/open';
import { DEFAULT_RUN_RULE } from '../core/default-run';
import { exportRecollection, recollectionFileName, SelectionError } from '../core/export/recollection';
import { EXPORT_FORMATS, formatFromPath } from '../core/export/writers';
import { FlagStore } from '../core/flags/flag-store';
import { DEFAULT_FRAGILE_T } from '../core/metrics/dynamics';
import { thresholdFromP } from '../core/metrics/threshold';
import { isSignalName, SIGNAL_NAMES } from '../core/signals/example-signals';
import { parse, UsageError } from './args';
import { configFromOptions, DATASET_HELP, DATASET_OPTIONS, loadRunSources, profileFromOptions, RUN_FORMATS, RUN_OPTIONS, runSourcesFromOptions, thresholdsFromOptions } from './dataset-options';
import { formatProblems } from './problems';
import { checkOutputFile } from './output-file';
import { removeTemporaryFilesOnSignal } from './signals';

const HELP = `usage: premem export --runs DIR --dataset FILE [--format auto|premem|paper|lm-eval|llamafactory|trl-completions]
                     [--t T] [--p P | --calibrate] [--run ID] [--checkpoint ID]
                     [--include-flagged] [--rank-by SIGNAL] [--out FILE.jsonl|FILE.csv|FILE.parquet] [--config premem.json]
                     [--profile NAME | --query FIELD --target FIELD|TEMPLATE [--answer FIELD]] [--task LMEVAL_TASK]

  Writes the re-collection set: the training examples with PreMemAcc <= t at one checkpoint (those to collect
  more of), plus examples flagged for re-collection, minus those flagged "keep". Flags are read from
  <dataset>.premem-flags.jsonl.

  --runs DIR            run logs: a folder of runs or one run (PreMem JSONL, the paper's arrays, lm-eval samples,
                        LLaMA-Factory predictions, TRL completion tables)
  --dataset FILE        the training dataset the runs scored (JSONL, Parquet, JSON)
  --format F            format of the run logs (default auto)
  --t T                 fragile threshold on PreMemAcc (default ${DEFAULT_FRAGILE_T})
  --p P                 memorization threshold on target perplexity (default: GSM8K's 1.1055)
  --calibrate           choose p by sweeping it against measured test accuracy
  --run ID              the run (default: the full-data run testing best at its last checkpoint, else
                        the one with the most checkpoints, as the extension shows; the choice is printed)
  --checkpoint ID       the checkpoint (default: the run's last)
  --include-flagged     add flagged examples that are not fragile
  --rank-by SIGNAL      row order, hardest first (default preMemAccuracy): ${SIGNAL_NAMES.join(', ')}
                        (docs/signals.md); JSONL rows note the value in premem.rankedBy
  --out FILE            .jsonl (records + premem field), .csv or .parquet (columns key, line, run, checkpoint,
                        preMemAccuracy, trajectory, flag_reason, flag_note, query, target);
                        default: <dataset name>.recollection.jsonl in the current folder
${DATASET_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const o = parse(
    argv,
    {
      ...RUN_OPTIONS,
      run: { type: 'string' },
      checkpoint: { type: 'string' },
      'include-flagged': { type: 'boolean', default: false },
      'rank-by': { type: 'string', default: 'preMemAccuracy' },
      out: { type: 'string' },
      ...DATASET_OPTIONS,
    },
    HELP,
  );
  const config = await configFromOptions(o);
  const sources = runSourcesFromOptions(o.runs, o.format!, o, config);
  if (sources.length === 0) throw new UsageError(`--runs is required (or --config with "runs")\n\n${HELP}`);
  const datasetPath = o.dataset ?? config?.dataset;
  if (!datasetPath) throw new UsageError(`--dataset is required (or --config)\n\n${HELP}`);
  if (!RUN_FORMATS.includes(o.format!)) throw new UsageError(`--format must be one of ${RUN_FORMATS.join(', ')}`);
  const { p, calibrate, t } = thresholdsFromOptions(o, config);
  const rankBy = o['rank-by']!;
  if (!isSignalName(rankBy)) throw new UsageError(`--rank-by must be one of ${SIGNAL_NAMES.join(', ')}; got '${rankBy}'`);
  const out = o.out ?? recollectionFileName(datasetPath);
  const outFormat = formatFromPath(out);
  if (!outFormat) throw new UsageError(`--out ${out}: the extension picks the format; use one of ${EXPORT_FORMATS.map((f) => `.${f}`).join(', ')}`);

  await checkOutputFile(out, 'out');

  const dataset = await openDataset(datasetPath, profileFromOptions(o, config));
  const stopOnSignal = removeTemporaryFilesOnSignal('export');
  try {
    if (dataset.problems.length) console.error(formatProblems(dataset.problems));
    const { runs } = await loadRunSources(sources, dataset, config?.answerFiles);
    const analysis = analyze(runs, { thr: p !== undefined ? thresholdFromP(p) : undefined, calibrate });
    if (calibrate && !analysis.calibration) console.error('premem export: calibration needs test accuracy on at least 3 checkpoints; using the default p');
    const flags = await FlagStore.open(datasetPath);
    if (flags.problems.length) console.error(formatProblems(flags.problems));

    let summary;
    try {
      summary = await exportRecollection({
        dataset,
        runs: analysis.prepared,
        runId: o.run,
        checkpointId: o.checkpoint,
        thr: analysis.thr,
        t,
        includeFlagged: o['include-flagged'],
        flags,
        out,
        format: outFormat,
        rankBy,
      });
    } catch (err) {
      if (err instanceof SelectionError) throw new UsageError(err.message);
      throw err;
    }
    if (o.run === undefined) console.error(`premem export: run ${summary.run} (${DEFAULT_RUN_RULE}; --run chooses another)`);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const parts = [`${summary.fragile} with PreMemAcc <= ${summary.t} at ${summary.run} / ${summary.checkpoint} (p = ${summary.p.toFixed(4)})`];
    if (summary.flagged) parts.push(`${summary.flagged} flagged`);
    if (summary.kept) parts.push(`${summary.kept} left out (flagged "keep")`);
    console.log(`${summary.selected} examples (${pct(summary.share)} of the dataset): ${parts.join(', ')}; written to ${summary.out}`);
    if (summary.orphanedFlags) {
      console.error(`premem export: ${summary.orphanedFlags} flag(s) name examples that are no longer in the dataset; they stay in ${flags.path}`);
    }
    return 0;
  } finally {
    stopOnSignal();
    await dataset.close();
  }
}
