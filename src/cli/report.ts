// premem report: one self-contained HTML file to share (docs/signals.md, README): the prediction plot and R²,
// calibration, histogram, learning progressions, advice, signal overlaps, fragile and suspected-wrong examples.
import { defaultRunIndex, DEFAULT_RUN_RULE } from '../core/default-run';
import { calibrate } from '../core/metrics/calibrate';
import { writeFileAtomic } from '../core/fs-atomic';
import { InputError } from '../core/model';
import { buildReportData } from '../core/report/report-data';
import { renderReport } from '../core/report/report-html';
import { ANALYSIS_OPTIONS, checkpointOption, limitOption, openAnalysis } from './analysis-options';
import { numberOption, parse, UsageError } from './args';
import { DATASET_HELP } from './dataset-options';
import { checkOutputFile } from './output-file';
import { removeTemporaryFilesOnSignal } from './signals';

const HELP = `usage: premem report --runs DIR --dataset FILE --out report.html [--run RUN[:CHECKPOINT]]
                     [--compare RUN[:CHECKPOINT]] [--p P | --calibrate] [--t T] [--overlap X] [--limit N] [--agreement A] [--config premem.json]

  Writes one HTML file that opens offline in any browser: mean PreMemAcc against test accuracy with R², the
  calibration sweep of p, the PreMemAcc histogram, learning progressions, checkpoint advice, the overlap of other
  training-dynamics signals with PreMemAcc, and the most fragile and the suspected-wrong-target examples with
  their samples diffed against the target. No script; dataset text is shown as text only.

  --out FILE            the HTML file to write (required)
  --run SPEC            a run id, or run id:checkpoint id (default: the run the extension shows first, its last
                        checkpoint; printed)
  --compare SPEC        add the comparison of the report's run and checkpoint (A) with this one (B), as
                        premem compare gives it, with the A-vs-B PreMemAcc scatter
  --overlap X           share of examples in each signal's bottom set, 0 < X <= 1 (default 0.2)
  --limit N             examples per list (default 10)
  --agreement A         least sample agreement for a suspected wrong target (default 0.75)
${DATASET_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const o = parse(
    argv,
    { ...ANALYSIS_OPTIONS, out: { type: 'string' }, run: { type: 'string' }, compare: { type: 'string' }, overlap: { type: 'string' }, limit: { type: 'string' }, agreement: { type: 'string' } },
    HELP,
  );
  if (!o.out) throw new UsageError(`--out is required\n\n${HELP}`);
  const overlapShare = numberOption(o.overlap, 'overlap') ?? 0.2;
  if (!(overlapShare > 0 && overlapShare <= 1)) throw new UsageError('--overlap must lie in (0, 1]');
  const agreement = numberOption(o.agreement, 'agreement');
  if (agreement !== undefined && !(agreement > 0 && agreement <= 1)) throw new UsageError('--agreement must lie in (0, 1]');
  const examples = o.limit === undefined ? 10 : limitOption(o.limit);
  await checkOutputFile(o.out, 'out');

  const { dataset, analysis, t } = await openAnalysis(o, HELP, true);
  const stopOnSignal = removeTemporaryFilesOnSignal('report');
  try {
    const runs = analysis.prepared.map((r) => r.run);
    const ref = checkpointOption(analysis.prepared, o.run ?? runs[defaultRunIndex(runs)].id);
    const compareWith = o.compare === undefined ? undefined : checkpointOption(analysis.prepared, o.compare);
    if (o.run === undefined) console.error(`premem report: run ${ref.prepared.run.id} (${DEFAULT_RUN_RULE}; --run chooses another)`);
    if (ref.prepared.run.numExamples !== dataset!.size) throw new InputError(dataset!.path, `has ${dataset!.size} examples, run ${ref.prepared.run.id} scores ${ref.prepared.run.numExamples}`);
    const data = await buildReportData(analysis.prepared, dataset!, {
      run: analysis.prepared.indexOf(ref.prepared),
      checkpoint: ref.checkpoint,
      thr: analysis.thr,
      t,
      // The sweep is shown even when p was given: what calibrating would choose.
      calibration: analysis.calibration ?? calibrate(analysis.prepared) ?? null,
      calibrated: analysis.calibration !== null,
      overlapShare,
      examples,
      agreement,
      compareWith,
    });
    await writeFileAtomic(o.out, renderReport(data));
    console.log(`report on ${data.run} / ${data.checkpoint}: ${data.fragile.total} fragile, ${data.wrongTargets ? `${data.wrongTargets.total} suspected wrong targets` : 'wrong targets not judged (no samples)'}; written to ${o.out}`);
    return 0;
  } finally {
    stopOnSignal();
    await dataset?.close();
  }
}
