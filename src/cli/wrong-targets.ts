// premem wrong-targets: examples memorized without ever being solved whose samples agree on another answer.
import { defaultRunIndex, DEFAULT_RUN_RULE } from '../core/default-run';
import { referenceAnswer } from '../core/grading';
import { type Dataset, InputError } from '../core/model';
import { DEFAULT_MIN_AGREEMENT, suspectedWrongTargets, type WrongTargetReport } from '../core/signals/wrong-targets';
import { previewText } from '../core/table/preview';
import { ANALYSIS_OPTIONS, checkpointOption, limitOption, openAnalysis } from './analysis-options';
import { numberOption, parse, UsageError } from './args';
import { DATASET_HELP } from './dataset-options';

const HELP = `usage: premem wrong-targets --runs DIR --dataset FILE [--run RUN[:CHECKPOINT]] [--agreement A] [--json]
                            [--p P | --calibrate] [--limit N] [--format auto|premem|lm-eval|...] [--config premem.json]

  Suspected wrong targets (docs/signals.md): trained examples the run memorized without solving them before
  (sample accuracy < 0.5 at every checkpoint before the first memorized one), whose samples at the last
  checkpoint before memorization agree on one final answer the grader marks wrong. Needs logs with sample
  answers (PreMem run logs with outcomes and answers or samples, lm-eval sample logs).

  --run SPEC            a run id, or run id:checkpoint id (default: the run the extension shows first, its last
                        checkpoint; printed)
  --agreement A         least share of the k samples giving the agreeing answer (default ${DEFAULT_MIN_AGREEMENT})
  --p P | --calibrate   the memorization threshold, as for premem analyze
  --limit N             examples listed (default 20; --json lists all)
  --json                one JSON object with every suspected example, its target answer and agreeing answer
${DATASET_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const o = parse(argv, { ...ANALYSIS_OPTIONS, run: { type: 'string' }, agreement: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, HELP);
  const agreement = numberOption(o.agreement, 'agreement') ?? DEFAULT_MIN_AGREEMENT;
  if (!(agreement > 0 && agreement <= 1)) throw new UsageError('--agreement must lie in (0, 1]');
  const limit = limitOption(o.limit);
  const { dataset, analysis } = await openAnalysis(o, HELP, true);
  try {
    const runs = analysis.prepared.map((r) => r.run);
    const ref = checkpointOption(analysis.prepared, o.run ?? runs[defaultRunIndex(runs)].id);
    if (o.run === undefined) console.error(`premem wrong-targets: run ${ref.prepared.run.id} (${DEFAULT_RUN_RULE}; --run chooses another)`);
    const report = await suspectedWrongTargets(ref.prepared, analysis.thr, ref.checkpoint, { minAgreement: agreement });
    if (!report.samplesAvailable) {
      const withSamples = runs.filter((r) => r.samples).map((r) => r.id);
      const hint = withSamples.length ? `; runs with samples: ${withSamples.join(', ')} (--run)` : '';
      throw new InputError(ref.prepared.run.source.path, `run ${report.run} holds no sample answers: wrong targets cannot be judged${hint}`);
    }
    const rows = await describeSuspects(report, dataset!);
    if (o.json) console.log(JSON.stringify({ ...report, p: Math.exp(Math.exp(analysis.thr)), agreement, suspected: rows }));
    else console.log(formatSuspects(report, rows, limit));
    return 0;
  } finally {
    await dataset?.close();
  }
}

export type DescribedSuspect = WrongTargetReport['suspected'][number] & { key: string; line: number; targetAnswer: string | null; query: string };

/** Each suspect with its dataset key, line, target answer and query: what a reader needs to check the label. */
export async function describeSuspects(report: WrongTargetReport, dataset: Dataset): Promise<DescribedSuspect[]> {
  return Promise.all(
    report.suspected.map(async (s) => {
      const example = await dataset.get(s.index);
      return { ...s, key: example.key, line: example.line, targetAnswer: referenceAnswer(dataset.profile.task, example), query: example.query };
    }),
  );
}

function formatSuspects(report: WrongTargetReport, rows: DescribedSuspect[], limit: number): string {
  const lines = [
    `${report.run} / ${report.checkpoint}: ${report.memorizedDirectly} trained examples memorized without being solved before; ${report.judged} with samples before memorization`,
    ...(report.perplexityAvailable ? [] : ['(the logs hold no target perplexity, so no example is ever seen memorized)']),
    `${rows.length} suspected wrong targets (samples agree on another answer)${rows.length > limit ? `; the first ${limit}` : ''}${rows.length ? ':' : '.'}`,
  ];
  if (rows.length) lines.push(`  ${'line'.padStart(6)}  ${'target'.padEnd(12)} ${'samples say'.padEnd(12)} agree  query`);
  for (const r of rows.slice(0, limit)) {
    const cell = (s: string | null) => previewText(s ?? '-', 12).padEnd(12);
    lines.push(`  ${String(r.line).padStart(6)}  ${cell(r.targetAnswer)} ${cell(r.agreedAnswer)} ${`${r.agreeing}/${r.samples}`.padStart(5)}  ${previewText(r.query, 60)}`);
  }
  return lines.join('\n');
}
