// "Copy as CSV": the data behind each chart as comma-separated text (RFC 4180 quoting). Text cells that a
// spreadsheet would run as a formula (=, +, -, @ first) get a leading apostrophe; run ids come from file names.
import { CATEGORY_NAMES, TRAJECTORY_NAMES } from '../metrics/dynamics';
import type { CheckpointAdvice } from './advice';
import type { CategoryStacks } from './categories';
import { type DataMapGrid, MAX_VARIABILITY } from './data-map';
import { ACCURACY_LEVELS, type HeatmapData, UNKNOWN_ACCURACY } from './heatmap';
import type { PreMemHistogram } from './histogram';
import type { PredictionData } from './prediction';
import type { RobustnessData } from './robustness';
import type { SignalOverlap } from '../signals/example-signals';
import type { SweepCurve } from './sweep';

export type CsvCell = string | number | boolean | null | undefined;

function cell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [header.map(cell).join(',')];
  for (const row of rows) lines.push(row.map(cell).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function predictionCsv(data: PredictionData): string {
  return toCsv(
    ['run', 'checkpoint', 'step', 'mean_premem_accuracy', 'train_accuracy', 'test_accuracy'],
    data.series.flatMap((s) => s.points.map((p) => [s.run, p.checkpoint, p.step, p.preMemAccuracy, p.trainAccuracy, p.testAccuracy])),
  );
}

export function sweepCsv(curve: SweepCurve): string {
  return toCsv(['thr_loglog_p', 'p', 'r2_identity'], curve.points.map((p) => [p.thr, p.p, p.r2]));
}

export function categoriesCsv(stacks: CategoryStacks): string {
  return toCsv(['checkpoint', ...CATEGORY_NAMES], stacks.checkpoints.map((id, m) => [id, ...CATEGORY_NAMES.map((c) => stacks.counts[c][m])]));
}

export function histogramCsv(h: PreMemHistogram): string {
  return toCsv(['bin_low_exclusive', 'bin_high_inclusive', 'count', 'at_or_under_t'], h.bins.map((b) => [b.lo, b.hi, b.count, b.fragile]));
}

export function robustnessCsv(r: RobustnessData): string {
  return toCsv(
    ['premem_low', 'premem_high', 'examples', 'original_accuracy', ...r.perturbations.map((p) => `${p}_accuracy`)],
    r.bins.map((b) => [b.lo, b.hi, b.count, b.original, ...r.perturbations.map((p) => b.perturbed[p])]),
  );
}

export function adviceCsv(a: CheckpointAdvice): string {
  return toCsv(
    ['run', 'checkpoint', 'step', 'epoch', 'train_accuracy', 'predicted_test_accuracy', 'test_accuracy', 'test_perplexity', 'distinct_answers', 'memorized_share', 'over_memorized', 'best_predicted_in_run'],
    a.rows.map((r) => [r.run, r.checkpoint, r.step, r.epoch, r.trainAccuracy, r.predictedTestAccuracy, r.testAccuracy, r.testPerplexity, r.diversity, r.memorizedShare, r.overMemorized, r.bestPredictedInRun]),
  );
}

/** One line per example in display order: its dataset index, PreMemAcc, trajectory, and per checkpoint category and accuracy. */
export function heatmapCsv(data: HeatmapData, order: Uint32Array, checkpointIds: readonly string[]): string {
  const header = ['example', 'premem_accuracy', 'trajectory', 'first_memorized', ...checkpointIds.flatMap((id) => [`${id}_category`, `${id}_accuracy`])];
  const rows = function* () {
    for (let d = 0; d < order.length; d++) {
      const r = order[d];
      const first = data.firstMemorized[r];
      const row: CsvCell[] = [data.example[r], Number.isNaN(data.preMem[r]) ? null : Math.round(data.preMem[r] * 1e6) / 1e6, TRAJECTORY_NAMES[data.trajectory[r]], first >= 0 ? checkpointIds[first] : null];
      for (let m = 0; m < data.checkpoints; m++) {
        const a = data.accuracy[m * data.rows + r];
        row.push(CATEGORY_NAMES[data.category[m * data.rows + r]], a === UNKNOWN_ACCURACY ? null : Math.round((a / ACCURACY_LEVELS) * 1000) / 1000);
      }
      yield row;
    }
  };
  return toCsv(header, rows());
}

/** The data map's non-empty cells: their variability and confidence ranges and counts per bucket. */
export function dataMapCsv(grid: DataMapGrid): string {
  const { bins, counts } = grid;
  const rows: CsvCell[][] = [];
  for (let y = 0; y < bins; y++) {
    for (let x = 0; x < bins; x++) {
      const cell = (y * bins + x) * 3;
      if (counts[cell] + counts[cell + 1] + counts[cell + 2] === 0) continue;
      rows.push([(x * MAX_VARIABILITY) / bins, ((x + 1) * MAX_VARIABILITY) / bins, y / bins, (y + 1) / bins, counts[cell], counts[cell + 1], counts[cell + 2]]);
    }
  }
  return toCsv(['variability_from', 'variability_to', 'confidence_from', 'confidence_to', 'fragile', 'at_risk', 'robust'], rows);
}

export function overlapsCsv(rows: readonly SignalOverlap[], share: number): string {
  return toCsv(['signal', 'share', 'examples', 'set_size', 'jaccard_with_premem_accuracy'], rows.map((r) => [r.signal, share, r.examples, r.size, r.jaccard]));
}
