// The analysis steps that take long on large runs, sliced with a turn of the event loop between slices, for
// callers that must stay responsive (the extension host). Apart from the pure metric modules, which the webviews
// also compile: those see the DOM alone, and a turn of Node's event loop is setImmediate.
import type { Run } from '../model';
import { nextTurn } from '../turn';
import { type Calibration, calibrationPoints, DEFAULT_GRID, fitSweeps, RunSweep, type ThresholdGrid } from './calibrate';
import { allExamples, type PreparedRun } from './premem';
import { logLogPerplexity } from './threshold';

/** prepareRun() with a turn of the event loop after each checkpoint (about 35 ms each for a million examples). */
export async function prepareRunInTurns(run: Run): Promise<PreparedRun> {
  const logLog: Float64Array[] = [];
  for (const c of run.checkpoints) {
    logLog.push(logLogPerplexity(c.perplexity));
    await nextTurn();
  }
  return { run, logLogPerplexity: logLog, members: run.subset ?? allExamples(run.numExamples) };
}

/**
 * calibrate() in slices of `slice` examples with a turn of the event loop between them (a sweep over a million
 * examples x 6 checkpoints takes about half a second).
 */
export async function calibrateInSlices(runs: PreparedRun[], grid: ThresholdGrid = DEFAULT_GRID, slice = 20_000): Promise<Calibration | undefined> {
  const points = calibrationPoints(runs);
  if (points.length < 3) return undefined;
  const sweeps: Float64Array[][] = [];
  for (const r of runs) {
    const sweep = new RunSweep(r, grid);
    for (let k = 0; k < r.members.length; k += slice) {
      sweep.add(k, Math.min(r.members.length, k + slice));
      await nextTurn();
    }
    sweeps.push(sweep.means());
  }
  return fitSweeps(runs, points, sweeps, grid);
}
