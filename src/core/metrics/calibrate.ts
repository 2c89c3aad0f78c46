// Calibration of the memorization threshold: sweep thr = log(log(p)) over a fine grid and keep the value whose mean
// PreMemAcc best predicts measured test accuracy (R² against y = x), as the method prescribes.
//
// Why not recompute the analysis once per grid point: for one example, PreMemAcc at checkpoint m is a step function
// of thr with at most m + 1 pieces (each earlier checkpoint drops out of the running max once thr passes its
// log-log perplexity). Adding those pieces into difference arrays gives every grid point's dataset mean in one pass
// over the examples, so a 1,100-point sweep costs about as much as a handful of direct evaluations.
import { meanAbsoluteError, r2Identity } from './fit';
import { pFromThreshold } from './threshold';
import type { PreparedRun } from './premem';

export interface ThresholdGrid {
  min: number;
  step: number;
  size: number;
}

/** thr from -5 (p ≈ 1.0068) to 0.5 (p ≈ 5.2) in steps of 0.005: log-log spaced p. */
export const DEFAULT_GRID: ThresholdGrid = { min: -5, step: 0.005, size: 1101 };

export const gridThreshold = (grid: ThresholdGrid, g: number): number => grid.min + g * grid.step;

/** Index of the last grid point with threshold <= value (-1 when none), exact at the boundaries. */
function lastGridIndexAtOrBelow(grid: ThresholdGrid, value: number): number {
  if (value === Infinity) return grid.size - 1;
  if (!(value >= grid.min)) return -1; // also -Infinity and NaN
  let g = Math.min(grid.size - 1, Math.floor((value - grid.min) / grid.step));
  while (g + 1 < grid.size && gridThreshold(grid, g + 1) <= value) g++;
  while (g >= 0 && gridThreshold(grid, g) > value) g--;
  return g;
}

/** The sweep of one run, accumulated over its members in any number of slices (see calibrateInSlices in in-turns.ts). */
export class RunSweep {
  private readonly diffs: Float64Array[];
  private readonly scored: Float64Array;
  private readonly accs: Float64Array[];
  // Earlier checkpoints of the current example, sorted by their last unmasked grid index, descending.
  private readonly lastIndex: Int32Array;
  private readonly accOf: Float64Array;

  constructor(
    private readonly prepared: PreparedRun,
    private readonly grid: ThresholdGrid,
  ) {
    const { run } = prepared;
    this.diffs = run.checkpoints.map(() => new Float64Array(grid.size + 1));
    this.scored = new Float64Array(run.checkpoints.length);
    this.accs = run.checkpoints.map((c) => c.accuracy);
    this.lastIndex = new Int32Array(run.checkpoints.length);
    this.accOf = new Float64Array(run.checkpoints.length);
  }

  /** Adds members[from..to). */
  add(from: number, to: number): void {
    const { grid, diffs, scored, accs, lastIndex, accOf } = this;
    const { logLogPerplexity: ll, members } = this.prepared;
    const M = accs.length;
    for (let k = from; k < to; k++) {
      const i = members[k];
      let count = 0;
      for (let m = 0; m < M; m++) {
        const a = accs[m][i];
        if (Number.isNaN(a)) continue;
        // Insert checkpoint m into the sorted list.
        const gm = lastGridIndexAtOrBelow(grid, ll[m][i]);
        let j = count++;
        while (j > 0 && lastIndex[j - 1] < gm) {
          lastIndex[j] = lastIndex[j - 1];
          accOf[j] = accOf[j - 1];
          j--;
        }
        lastIndex[j] = gm;
        accOf[j] = a;
        scored[m]++;
        // A piece worth 0 would leave the sums as they are (no entry is ever -0), so it is not added: an example
        // with accuracy 0 at m (about a quarter of the paper's) adds nothing at m.
        if (a === 0) continue;
        // Walk the pieces: on (lastIndex[j+1], lastIndex[j]] the unmasked set is the first j+1 entries.
        const d = diffs[m];
        let runningMax = 0;
        for (let j2 = 0; j2 < count; j2++) {
          if (accOf[j2] > runningMax) runningMax = accOf[j2];
          const hi = lastIndex[j2];
          const lo = j2 + 1 < count ? lastIndex[j2 + 1] + 1 : 0;
          if (hi < lo || hi < 0 || runningMax === 0) continue;
          const v = runningMax < a ? runningMax : a;
          d[lo < 0 ? 0 : lo] += v;
          d[hi + 1] -= v;
        }
      }
    }
  }

  /** Mean PreMemAcc over the members added, at every grid threshold: means[checkpoint][gridIndex]. */
  means(): Float64Array[] {
    const { grid, scored } = this;
    return this.diffs.map((d, m) => {
      const means = new Float64Array(grid.size);
      let s = 0;
      for (let g = 0; g < grid.size; g++) {
        s += d[g];
        means[g] = scored[m] ? s / scored[m] : NaN;
      }
      return means;
    });
  }
}

/** Mean PreMemAcc over the run's members at every grid threshold: means[checkpoint][gridIndex]. */
export function sweepRun(prepared: PreparedRun, grid: ThresholdGrid = DEFAULT_GRID): Float64Array[] {
  const sweep = new RunSweep(prepared, grid);
  sweep.add(0, prepared.members.length);
  return sweep.means();
}

export interface CalibrationPoint {
  run: number;
  checkpoint: number;
  testAccuracy: number;
}

export interface Calibration {
  p: number;
  thr: number;
  r2: number;
  sweep: { p: number; thr: number; r2: number }[];
  /** Calibrate on all other runs, predict the held-out one; null with fewer than two runs with test accuracy. */
  leaveOneRunOut: { mae: number; r2: number; perRun: { run: string; thr: number; mae: number }[] } | null;
}

/** The checkpoints that carry a measured test accuracy: the data calibration is fitted on. */
export function calibrationPoints(runs: PreparedRun[]): CalibrationPoint[] {
  const points: CalibrationPoint[] = [];
  runs.forEach((r, ri) =>
    r.run.checkpoints.forEach((c, ci) => {
      if (c.testAccuracy !== undefined && Number.isFinite(c.testAccuracy)) points.push({ run: ri, checkpoint: ci, testAccuracy: c.testAccuracy });
    }),
  );
  return points;
}

function bestGridIndex(r2: Float64Array): number {
  let best = -1;
  for (let g = 0; g < r2.length; g++) if (!Number.isNaN(r2[g]) && (best < 0 || r2[g] > r2[best])) best = g;
  return best;
}

/** r2Identity(x at grid point g, test accuracy) for every g, with the parts that do not depend on g summed once. */
function r2PerGrid(points: CalibrationPoint[], sweeps: Float64Array[][], grid: ThresholdGrid): Float64Array {
  const out = new Float64Array(grid.size);
  const columns = points.map((p) => sweeps[p.run][p.checkpoint]);
  const y = Float64Array.from(points, (p) => p.testAccuracy);
  if (y.length < 2) return out.fill(NaN);
  // The same sums, in the same order, as r2Identity: the values are bit-identical to calling it per grid point.
  let mean = 0;
  for (let k = 0; k < y.length; k++) mean += y[k];
  mean /= y.length;
  let tot = 0;
  for (let k = 0; k < y.length; k++) tot += (y[k] - mean) ** 2;
  if (tot === 0) return out.fill(NaN);
  for (let g = 0; g < grid.size; g++) {
    let res = 0;
    for (let k = 0; k < columns.length; k++) res += (y[k] - columns[k][g]) ** 2;
    out[g] = 1 - res / tot;
  }
  return out;
}

/** Sweeps the threshold over all runs with test accuracy; undefined when fewer than 3 checkpoints have one. */
export function calibrate(runs: PreparedRun[], grid: ThresholdGrid = DEFAULT_GRID): Calibration | undefined {
  const points = calibrationPoints(runs);
  if (points.length < 3) return undefined;
  return fitSweeps(runs, points, runs.map((r) => sweepRun(r, grid)), grid);
}

/** The best threshold for the runs' sweeps, with its R² curve and the leave-one-run-out check. */
export function fitSweeps(runs: PreparedRun[], points: CalibrationPoint[], sweeps: Float64Array[][], grid: ThresholdGrid): Calibration | undefined {
  const r2 = r2PerGrid(points, sweeps, grid);
  const best = bestGridIndex(r2);
  if (best < 0) return undefined;
  const thr = gridThreshold(grid, best);
  const sweep = Array.from(r2, (v, g) => ({ thr: gridThreshold(grid, g), p: pFromThreshold(gridThreshold(grid, g)), r2: v }));

  const runIds = [...new Set(points.map((p) => p.run))];
  let leaveOneRunOut: Calibration['leaveOneRunOut'] = null;
  if (runIds.length >= 2) {
    const predicted: number[] = [];
    const actual: number[] = [];
    const perRun = [];
    for (const held of runIds) {
      const train = points.filter((p) => p.run !== held);
      const test = points.filter((p) => p.run === held);
      const g = bestGridIndex(r2PerGrid(train, sweeps, grid));
      if (g < 0) continue;
      const pred = test.map((p) => sweeps[p.run][p.checkpoint][g]);
      const act = test.map((p) => p.testAccuracy);
      predicted.push(...pred);
      actual.push(...act);
      perRun.push({ run: runs[held].run.id, thr: gridThreshold(grid, g), mae: meanAbsoluteError(pred, act) });
    }
    leaveOneRunOut = { mae: meanAbsoluteError(predicted, actual), r2: r2Identity(predicted, actual), perRun };
  }
  return { p: pFromThreshold(thr), thr, r2: r2[best], sweep, leaveOneRunOut };
}
