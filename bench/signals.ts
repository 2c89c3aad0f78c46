// Benchmark: the training-dynamics signals, run comparison and HTML report (docs/signals.md).
// - On the released GSM8K runs (7,473 examples; 6 and 3 epochs at lr 2e-05): every signal of one run at its
//   last checkpoint, their bottom-20% overlaps with PreMemAcc, and the comparison of the two runs.
// - The whole report (data, diffs, SVG, HTML) for the released runs with the GSM8K training set.
// - At 1,000,000 synthetic examples × 12 checkpoints: signals, overlaps and a comparison of two checkpoints.
import path from 'node:path';
import { calibrate } from '../src/core/metrics/calibrate';
import { compareCheckpoints } from '../src/core/compare/compare-checkpoints';
import { openDataset } from '../src/core/dataset/open';
import { prepareRun, type PreparedRun } from '../src/core/metrics/premem';
import { thresholdFromP } from '../src/core/metrics/threshold';
import { buildReportData } from '../src/core/report/report-data';
import { renderReport } from '../src/core/report/report-html';
import { readPaperRuns } from '../src/core/runlog/paper';
import { exampleSignals, signalOverlaps } from '../src/core/signals/example-signals';
import { preparedForExample } from '../src/core/signals/run-prefix';
import { syntheticRun } from './dashboard';
import { median, row, runAlone } from './util';

const thr = thresholdFromP(1.1055);

function timed(fn: () => unknown, repeats = 5): number {
  const times: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;

export async function benchSignals(): Promise<string[]> {
  const rows: string[] = [];
  const shared = path.resolve(__dirname, '../../shared/data');
  const runs = await readPaperRuns(path.join(shared, 'paper-runs')).catch(() => undefined);
  if (runs) {
    const prepared = runs.map(prepareRun);
    const byId = (id: string) => prepared.find((p) => p.run.id === id)!;
    const six = byId('gsm8k_orig_6epochs_full_lr2e-05_bs128');
    const three = byId('gsm8k_orig_3epochs_full_lr2e-05_bs128');
    const last = (p: PreparedRun) => p.run.checkpoints.length - 1;
    rows.push(row('signals, one released run (7,473 × 6 checkpoints)', ms(timed(() => exampleSignals(six, thr))), 'all 11 signals at the last checkpoint'));
    const signals = exampleSignals(six, thr);
    rows.push(row('bottom-20% overlaps with PreMemAcc', ms(timed(() => signalOverlaps(signals, 0.2))), "10 signals; PreMemAcc's set taken once"));
    rows.push(row('compare 3 vs 6 epochs (7,473 examples)', ms(timed(() => compareCheckpoints({ prepared: three, checkpoint: last(three) }, { prepared: six, checkpoint: last(six) }, thr, 0.75))), 'per-example table and counts'));
    const dataset = await openDataset(path.join(shared, 'gsm8k/train.jsonl'), 'gsm8k').catch(() => undefined);
    if (dataset) {
      const calibration = calibrate(prepared) ?? null;
      const times: number[] = [];
      let size = 0;
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        const data = await buildReportData(prepared, dataset, { run: prepared.indexOf(three), checkpoint: last(three), thr, t: 0.75, calibration, calibrated: false });
        size = renderReport(data).length;
        times.push(performance.now() - t0);
      }
      rows.push(row('report data + HTML, 13 released runs', ms(median(times)), `${(size / 1024).toFixed(0)} KB of HTML, calibration sweep computed beforehand`));
      await dataset.close();
    } else rows.push(row('report', '–', '../shared/data/gsm8k/train.jsonl absent'));
  } else rows.push(row('released runs', '–', '../shared/data/paper-runs absent'));

  const big = prepareRun(syntheticRun(1_000_000, 12));
  rows.push(row('signals, 1,000,000 × 12 checkpoints', ms(timed(() => exampleSignals(big, thr), 3)), 'synthetic, k = 5'));
  const middle = 500_000;
  rows.push(row('one example\'s signals (hover, example panel), 1,000,000 × 12', ms(timed(() => exampleSignals(preparedForExample(big, middle), thr), 5)), 'the run cut down to the example'));
  const bigSignals = exampleSignals(big, thr);
  rows.push(row('bottom-20% overlaps, 1,000,000 examples', ms(timed(() => signalOverlaps(bigSignals, 0.2), 1)), '10 signals'));
  rows.push(row('compare checkpoint 6 vs 12, 1,000,000 examples', ms(timed(() => compareCheckpoints({ prepared: big, checkpoint: 5 }, { prepared: big, checkpoint: 11 }, thr, 0.75), 3)), 'per-example objects for every example'));
  return rows;
}

if (require.main === module) runAlone(benchSignals);
