// Everything the shareable HTML report shows, as plain data: the dashboard's cards (prediction and R², the
// calibration sweep, histogram, learning progressions, checkpoint advice), the signals' overlaps with PreMemAcc,
// and the top fragile and suspected-wrong-target examples with their samples diffed against the target.
import { type CheckpointComparison, compareCheckpoints, scatterGrid } from '../compare/compare-checkpoints';
import { buildDashboard, buildHeatmap, type DashboardModel } from '../dashboard/build';
import { StaticDashboardSource } from '../dashboard/source';
import { type SweepCurve, sweepCurve } from '../dashboard/sweep';
import { type SampleView, sampleViews } from '../diff/sample-view';
import { referenceAnswer } from '../grading';
import type { Calibration } from '../metrics/calibrate';
import { TRAJECTORY_LABELS, TRAJECTORY_NAMES } from '../metrics/dynamics';
import type { PreparedRun } from '../metrics/premem';
import { pFromThreshold } from '../metrics/threshold';
import type { Dataset } from '../model';
import { exampleSignals, rankBySignal, signalOverlaps, type SignalOverlap } from '../signals/example-signals';
import type { CheckpointRef } from '../signals/run-prefix';
import { suspectedWrongTargets, type WrongTargetReport } from '../signals/wrong-targets';
import type { HeatmapBins } from './svg-plots';

export interface ReportOptions {
  run: number;
  checkpoint: number;
  thr: number;
  t: number;
  /** The calibration the report shows (the sweep); null when there is no test accuracy. */
  calibration: Calibration | null;
  /** Whether p came from calibration (else given). */
  calibrated: boolean;
  /** x of the signals' bottom-x% overlap with PreMemAcc (default 0.2). */
  overlapShare?: number;
  /** Examples shown per list (default 10). */
  examples?: number;
  /** Least sample agreement for a suspected wrong target. */
  agreement?: number;
  /** Most heatmap rows drawn (default 120). */
  heatmapRows?: number;
  /** A run and checkpoint to compare the report's (A) with (B). */
  compareWith?: CheckpointRef;
}

export interface ReportExample {
  index: number;
  line: number;
  key: string;
  query: string;
  target: string;
  targetAnswer: string | null;
  preMemAccuracy: number;
  trajectory: string;
  /** A sentence on why the example is listed beyond its PreMemAcc (suspects: the agreeing answer). */
  note: string | null;
  /** The checkpoint whose samples are shown; null when the logs hold none for it. */
  samplesCheckpoint: string | null;
  samples: SampleView[];
}

export interface ReportData {
  datasetPath: string;
  datasetSize: number;
  run: string;
  checkpoint: string;
  p: number;
  t: number;
  calibrated: boolean;
  dashboard: DashboardModel;
  sweep: SweepCurve | null;
  heatmap: HeatmapBins | null;
  overlaps: { share: number; rows: SignalOverlap[] };
  fragile: { total: number; shown: ReportExample[] };
  /** With compareWith: counts per transition and the 10 × 10 A-vs-B PreMemAcc grid. */
  comparison: (Pick<CheckpointComparison, 'a' | 'b' | 'compared' | 'counts'> & { grid: number[][] }) | null;
  /** null: the run's logs hold no sample answers. */
  wrongTargets: { report: Omit<WrongTargetReport, 'suspected'>; total: number; shown: ReportExample[] } | null;
}

export async function buildReportData(prepared: readonly PreparedRun[], dataset: Dataset, options: ReportOptions): Promise<ReportData> {
  const selected = prepared[options.run];
  const m = options.checkpoint;
  const limit = options.examples ?? 10;
  const source = new StaticDashboardSource(prepared, { thr: options.thr, t: options.t, selectedRun: options.run, selectedCheckpoint: m, calibration: options.calibration });
  const dashboard = buildDashboard(source);
  const heatmapData = buildHeatmap(source);
  const signals = exampleSignals(selected, options.thr, m);
  const share = options.overlapShare ?? 0.2;

  const view = source.view()!;
  const describe = async (index: number, note: string | null, samplesAt: number): Promise<ReportExample> => {
    const example = await dataset.get(index);
    const has = selected.run.samples?.has(samplesAt, index) ?? false;
    const read = has ? await selected.run.samples!.read(samplesAt, index) : undefined;
    return {
      index,
      line: example.line,
      key: example.key,
      query: example.query,
      target: example.target,
      targetAnswer: referenceAnswer(dataset.profile.task, example),
      preMemAccuracy: signals.values.preMemAccuracy[index],
      trajectory: TRAJECTORY_LABELS[TRAJECTORY_NAMES[view.dynamics.trajectory[index]]],
      note,
      samplesCheckpoint: read ? selected.run.checkpoints[samplesAt].id : null,
      samples: read ? sampleViews(example.target, read.samples) : [],
    };
  };

  const fragileOrder = Array.from(rankBySignal(signals, 'preMemAccuracy')).filter((i) => signals.values.preMemAccuracy[i] <= options.t);
  const fragile = { total: fragileOrder.length, shown: [] as ReportExample[] };
  for (const i of fragileOrder.slice(0, limit)) fragile.shown.push(await describe(i, null, m));

  let wrongTargets: ReportData['wrongTargets'] = null;
  if (selected.run.samples) {
    const { suspected, ...report } = await suspectedWrongTargets(selected, options.thr, m, { minAgreement: options.agreement });
    const shown: ReportExample[] = [];
    for (const s of suspected.slice(0, limit)) {
      const evidence = selected.run.checkpoints.findIndex((c) => c.id === s.evidenceCheckpoint);
      const note = `${s.agreeing} of ${s.samples} samples at ${s.evidenceCheckpoint} answer ${s.agreedAnswer}; memorized at ${s.firstMemorizedCheckpoint} without being solved before`;
      shown.push(await describe(s.index, note, evidence));
    }
    wrongTargets = { report, total: suspected.length, shown };
  }

  return {
    datasetPath: dataset.path,
    datasetSize: dataset.size,
    run: selected.run.id,
    checkpoint: selected.run.checkpoints[m].id,
    p: pFromThreshold(options.thr),
    t: options.t,
    calibrated: options.calibrated,
    dashboard,
    sweep: sweepCurve(options.calibration),
    heatmap: heatmapData ? heatmapBins(heatmapData, selected.run.checkpoints.map((c) => c.id), options.heatmapRows ?? 120) : null,
    overlaps: { share, rows: signalOverlaps(signals, share) },
    comparison: options.compareWith ? comparisonSummary({ prepared: selected, checkpoint: m }, options.compareWith, options.thr, options.t) : null,
    fragile,
    wrongTargets,
  };
}

function comparisonSummary(a: CheckpointRef, b: CheckpointRef, thr: number, t: number): ReportData['comparison'] {
  const c = compareCheckpoints(a, b, thr, t);
  return { a: c.a, b: c.b, compared: c.compared, counts: c.counts, grid: scatterGrid(c.preMemA, c.preMemB, 10) };
}

/**
 * The heatmap at report size: rows sorted by trajectory, then first memorized checkpoint, then PreMemAcc (as the
 * dashboard sorts them), cut into at most `maxRows` bins of consecutive rows; each cell the bin's most common
 * category at that checkpoint.
 */
export function heatmapBins(data: NonNullable<ReturnType<typeof buildHeatmap>>, checkpoints: string[], maxRows: number): HeatmapBins {
  const order = Array.from({ length: data.rows }, (_, r) => r);
  const pre = (r: number) => (Number.isNaN(data.preMem[r]) ? Infinity : data.preMem[r]);
  order.sort((a, b) => data.trajectory[a] - data.trajectory[b] || data.firstMemorized[a] - data.firstMemorized[b] || pre(a) - pre(b) || a - b);
  const binSize = Math.max(1, Math.ceil(data.rows / maxRows));
  const rows = Math.ceil(data.rows / binSize);
  const M = data.checkpoints;
  const category = new Uint8Array(rows * M);
  const tally = new Uint32Array(4);
  for (let bin = 0; bin < rows; bin++) {
    for (let m = 0; m < M; m++) {
      tally.fill(0);
      for (let d = bin * binSize; d < Math.min(data.rows, (bin + 1) * binSize); d++) tally[data.category[m * data.rows + order[d]] & 3]++;
      let best = 0;
      for (let c = 1; c < 4; c++) if (tally[c] > tally[best]) best = c;
      category[bin * M + m] = best;
    }
  }
  return { rows, checkpoints, category, binSize, examples: data.rows };
}
