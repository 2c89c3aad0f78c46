// premem analyze: the dataset-level numbers of the method for a folder of runs.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { analyze, type AnalysisResult } from '../core/analysis';
import { CATEGORY_NAMES, DEFAULT_FRAGILE_T, exampleDynamics } from '../core/metrics/dynamics';
import { preMemAccuracy, type PreparedRun } from '../core/metrics/premem';
import { thresholdFromP } from '../core/metrics/threshold';
import { type Dataset, InputError } from '../core/model';
import type { AnswerFilePolicy } from '../core/runlog/paper';
import { parse, UsageError } from './args';
import { configFromOptions, DATASET_HELP, DATASET_OPTIONS, loadRunSources, profileFromOptions, RUN_FORMATS, RUN_OPTIONS, runSourcesFromOptions, thresholdsFromOptions } from './dataset-options';
import { formatProblems } from './problems';
import { checkOutputFile } from './output-file';

const HELP = `usage: premem analyze --runs DIR [--format auto|premem|paper|lm-eval|llamafactory|trl-completions] [--dataset FILE]
                      [--p P | --calibrate] [--t T] [--answer-files released|most-samples]
                      [--json] [--per-example FILE.jsonl] [--config premem.json]
                      [--profile NAME | --query FIELD --target FIELD|TEMPLATE [--answer FIELD]] [--task LMEVAL_TASK]

  --runs DIR            run logs: a folder of runs or one run (PreMem JSONL, the paper's arrays, lm-eval samples,
                        LLaMA-Factory predictions, TRL completion tables)
  --dataset FILE        the training dataset (JSONL, Parquet, JSON): places logs by stable key, adds keys to output
  --p P                 memorization threshold on target perplexity (default: GSM8K's 1.1055)
  --calibrate           choose p by sweeping it against measured test accuracy; reports leave-one-run-out error
  --t T                 fragile threshold on PreMemAcc (default ${DEFAULT_FRAGILE_T})
  --answer-files        paper layout: which sample file per checkpoint (default: released, the paper's order)
  --json                one JSON object instead of the table
  --per-example FILE    one line per (run, checkpoint, example) with accuracy, perplexity, PreMemAcc, category
${DATASET_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const o = parse(
    argv,
    {
      ...RUN_OPTIONS,
      'answer-files': { type: 'string', default: 'released' },
      json: { type: 'boolean', default: false },
      'per-example': { type: 'string' },
      ...DATASET_OPTIONS,
    },
    HELP,
  );
  const config = await configFromOptions(o);
  const sources = runSourcesFromOptions(o.runs, o.format!, o, config);
  if (sources.length === 0) throw new UsageError(`--runs is required (or --config with "runs")\n\n${HELP}`);
  if (!RUN_FORMATS.includes(o.format!)) throw new UsageError(`--format must be one of ${RUN_FORMATS.join(', ')}`);
  if (!['released', 'most-samples'].includes(o['answer-files']!)) throw new UsageError('--answer-files must be released or most-samples');
  const { p, calibrate, t } = thresholdsFromOptions(o, config);
  const profile = profileFromOptions(o, config);

  if (o['per-example']) await checkOutputFile(o['per-example'], 'per-example');

  const datasetPath = o.dataset ?? config?.dataset;
  // The dataset readers (Parquet, JSON, worker threads, key hashing) load only when a dataset is given.
  const dataset = datasetPath ? await (await import('../core/dataset/open')).openDataset(datasetPath, profile) : undefined;
  if (dataset?.problems.length) console.error(formatProblems(dataset.problems));
  const answerFiles = (o['answer-files'] !== 'released' ? o['answer-files'] : (config?.answerFiles ?? 'released')) as AnswerFilePolicy;
  const { runs, saved } = await loadRunSources(sources, dataset, answerFiles);
  const mismatched = dataset && runs.find((r) => r.numExamples !== dataset.size);
  if (mismatched) {
    throw new InputError(mismatched.source.path, `run ${mismatched.id} has ${mismatched.numExamples} examples but the dataset ${datasetPath} has ${dataset!.size}`);
  }
  const result = analyze(runs, { thr: p !== undefined ? thresholdFromP(p) : undefined, calibrate, t });
  if (calibrate && !result.calibration) console.error('premem analyze: calibration needs test accuracy on at least 3 checkpoints; using the default p');

  if (o['per-example']) await writePerExample(o['per-example'], result.prepared, result.thr, dataset);
  const { prepared: _, ...report } = result;
  if (o.json) console.log(JSON.stringify(report));
  else console.log(formatTable(report));
  await dataset?.close();
  await saved;
  return 0;
}

async function writePerExample(file: string, runs: PreparedRun[], thr: number, dataset: Dataset | undefined): Promise<void> {
  const out = createWriteStream(file);
  let buffer = '';
  const flush = async () => {
    if (!out.write(buffer)) await once(out, 'drain');
    buffer = '';
  };
  for (const r of runs) {
    const pre = preMemAccuracy(r, thr);
    const { category } = exampleDynamics(r, thr);
    for (let m = 0; m < r.run.checkpoints.length; m++) {
      const c = r.run.checkpoints[m];
      for (const i of r.members) {
        if (Number.isNaN(c.accuracy[i])) continue;
        buffer += JSON.stringify({
          run: r.run.id,
          checkpoint: c.id,
          index: i,
          key: dataset?.keys[i] ?? null,
          accuracy: c.accuracy[i],
          perplexity: Number.isNaN(c.perplexity[i]) ? null : c.perplexity[i],
          preMemAccuracy: pre[m][i],
          category: CATEGORY_NAMES[category[m][i]],
        });
        buffer += '\n';
        if (buffer.length > 1 << 20) await flush();
      }
    }
  }
  await flush();
  out.end();
  await once(out, 'close');
}

const pct = (x: number | null) => (x === null || Number.isNaN(x) ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

export function formatTable(r: Omit<AnalysisResult, 'prepared'>): string {
  const lines: string[] = [];
  const idWidth = Math.max(3, ...r.runs.map((run) => run.id.length));
  lines.push(`${'run'.padEnd(idWidth)}  ${'checkpoint'.padEnd(16)} ${'step'.padStart(6)}  train acc  PreMemAcc  test acc  |error|`);
  for (const run of r.runs) {
    for (const c of run.checkpoints) {
      const err = c.testAccuracy === null ? null : Math.abs(c.preMemAccuracy - c.testAccuracy);
      lines.push(
        `${run.id.padEnd(idWidth)}  ${c.id.padEnd(16)} ${String(c.step).padStart(6)}  ${pct(c.trainAccuracy).padStart(9)}  ${pct(c.preMemAccuracy).padStart(9)}  ${pct(c.testAccuracy).padStart(8)}  ${pct(err).padStart(7)}`,
      );
    }
  }
  lines.push('');
  lines.push(`p = ${r.p.toFixed(4)} (thr = log log p = ${r.thr.toFixed(3)})${r.calibration ? ', calibrated' : ''}; fragile when PreMemAcc <= ${r.t}`);
  if (r.fit.n > 0) {
    lines.push(`mean PreMemAcc vs test accuracy over ${r.fit.n} checkpoints: R²(y = x) = ${r.fit.r2.toFixed(3)}, linear R² = ${r.fit.r2Linear.toFixed(3)}`);
    lines.push(`baseline, plain train accuracy: linear R² = ${r.fit.trainAccuracyR2Linear.toFixed(3)}, R²(y = x) = ${r.fit.trainAccuracyR2.toFixed(3)}`);
  } else lines.push('no checkpoint has a test accuracy: nothing to compare PreMemAcc with');
  const loo = r.calibration?.leaveOneRunOut;
  if (loo) lines.push(`leave-one-run-out (calibrate on the other runs, predict the held-out one): MAE = ${loo.mae.toFixed(3)}, R²(y = x) = ${loo.r2.toFixed(3)}`);
  return lines.join('\n');
}
