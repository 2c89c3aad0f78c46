// Everything the dashboard shows, rebuilt from the analysis state after any change (p, t, selection, new results).
// The source is structural so the extension's AnalysisSession (with its caches) and a plain set of prepared runs
// (tests, benchmarks) both serve.
import type { AnalysisResult } from '../analysis';
import type { Calibration } from '../metrics/calibrate';
import type { ExampleDynamics } from '../metrics/dynamics';
import type { PreparedRun } from '../metrics/premem';
import { type CheckpointAdvice, checkpointAdvice } from './advice';
import { type CategoryStacks, categoryStacks } from './categories';
import { memorizedShare, sampleDiversity } from './diversity';
import { type HeatmapData, heatmapData } from './heatmap';
import { type PreMemHistogram, preMemHistogram } from './histogram';
import { type PredictionData, predictionData } from './prediction';
import { type RobustnessData, robustnessData } from './robustness';
import { type ThresholdState, thresholdState } from './sweep';

export interface DashboardSource {
  readonly prepared: readonly PreparedRun[];
  readonly thr: number;
  readonly t: number;
  readonly calibration: Calibration | null;
  readonly selectedRun: number;
  readonly selectedCheckpoint: number;
  summary(): Pick<AnalysisResult, 'fit' | 'runs'>;
  /** Per-example arrays of the selected run at the current threshold. */
  view(): { preMem: Float64Array[]; dynamics: ExampleDynamics } | undefined;
}

export interface DashboardRunInfo {
  id: string;
  checkpoints: string[];
  /** Examples the run trained on (the dataset means are over these). */
  members: number;
}

export interface DashboardMeta {
  examples: number;
  runs: DashboardRunInfo[];
  selectedRun: number;
  selectedCheckpoint: number;
  t: number;
}

export interface DashboardModel {
  meta: DashboardMeta;
  threshold: ThresholdState;
  prediction: PredictionData;
  /** The selected run's categories per checkpoint; null without a run. */
  categories: CategoryStacks | null;
  histogram: PreMemHistogram | null;
  /** null when the selected run has no perturbation results. */
  robustness: RobustnessData | null;
  advice: CheckpointAdvice;
}

/**
 * `calibration`: the sweep to report (prediction's leave-one-run-out); by default the source's. A session whose p
 * was fixed by hand has none, and the dashboard still shows what calibrating would give.
 */
export function buildDashboard(source: DashboardSource, calibration: Calibration | null = source.calibration): DashboardModel {
  const summary = source.summary();
  const { prepared, thr } = source;
  const selected = prepared[source.selectedRun];
  const view = selected ? source.view() : undefined;
  const checkpointIds = selected ? selected.run.checkpoints.map((c) => c.id) : [];
  let categories: CategoryStacks | null = null;
  let histogram: PreMemHistogram | null = null;
  let robustness: RobustnessData | null = null;
  if (selected && view) {
    categories = categoryStacks(view.dynamics.category, scoredMembers(selected), checkpointIds, source.selectedCheckpoint, selected.members.length);
    const pre = view.preMem[source.selectedCheckpoint];
    if (pre) histogram = preMemHistogram(pre, selected.members, source.t, checkpointIds[source.selectedCheckpoint]);
    robustness = robustnessData(selected.run.checkpoints, view.preMem, selected.members, source.selectedCheckpoint);
  }
  const advice: CheckpointAdvice = checkpointAdvice(summary, {
    diversity: prepared.map((r) => r.run.checkpoints.map((c) => sampleDiversity(c.distinctAnswers, c.sampleCount, r.members))),
    memorizedShare: prepared.map((r) => r.run.checkpoints.map((c, m) => memorizedShare(r.logLogPerplexity[m], c.accuracy, r.members, thr))),
  });
  return {
    meta: {
      examples: prepared[0]?.run.numExamples ?? 0,
      runs: prepared.map((r) => ({ id: r.run.id, checkpoints: r.run.checkpoints.map((c) => c.id), members: r.members.length })),
      selectedRun: source.selectedRun,
      selectedCheckpoint: source.selectedCheckpoint,
      t: source.t,
    },
    threshold: thresholdState(thr, summary.fit.r2),
    prediction: predictionData(summary, calibration),
    categories,
    histogram,
    robustness,
    advice,
  };
}

/** The heatmap rows of the selected run; null without one. */
export function buildHeatmap(source: DashboardSource): HeatmapData | null {
  const selected = source.prepared[source.selectedRun];
  const view = selected && source.view();
  if (!selected || !view) return null;
  return heatmapData(
    selected.run.checkpoints.map((c) => c.accuracy),
    view.preMem,
    view.dynamics,
    scoredMembers(selected),
    source.selectedCheckpoint,
  );
}

/**
 * The run's members scored at some checkpoint. A partly scored run (a scoring job on the first 200 examples) is
 * shown over those, not as a heatmap of grey rows and shares of examples nobody scored.
 */
function scoredMembers(prepared: PreparedRun): Int32Array {
  const checkpoints = prepared.run.checkpoints;
  const scored = prepared.members.filter((i) => checkpoints.some((c) => !Number.isNaN(c.accuracy[i])));
  return scored.length === prepared.members.length ? prepared.members : scored;
}
