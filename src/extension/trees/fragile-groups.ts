// The Fragile Examples view's groups without the VS Code API: the examples split by trajectory class, each group
// ordered hardest first by the chosen signal, as `premem export --rank-by` orders the re-collection set.
import { Trajectory } from '../../core/metrics/dynamics';
import type { AnalysisSession } from '../../core/session';
import { rankBySignal, type SignalName } from '../../core/signals/example-signals';
import { selectedSignals } from '../selected-signals';

/** Trajectory classes in the order the view lists them. */
export const GROUP_ORDER = [Trajectory.NeverLearned, Trajectory.MemorizedDirectly, Trajectory.GeneralizedThenMemorized, Trajectory.Generalized, Trajectory.Unscored];

export interface TrajectoryGroup {
  trajectory: number;
  /** Example indices, hardest first by the signal. */
  indices: Int32Array;
}

/**
 * `indices` (any order) grouped by the selected run's trajectory class, each group ranked by `rankBy` at the
 * selected checkpoint: hardest first, ties in dataset order, unknown values last (rankBySignal).
 */
export function trajectoryGroups(session: AnalysisSession, indices: ArrayLike<number>, rankBy: SignalName): TrajectoryGroup[] {
  const view = session.view();
  if (!view) return [];
  const rank = rankBy === 'preMemAccuracy' ? byPreMemAccuracy(view.preMem[session.selectedCheckpoint]) : (among: Int32Array) => rankBySignal(selectedSignals(session)!, rankBy, among);
  const byClass = new Map<number, number[]>();
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    const t = view.dynamics.trajectory[i];
    let list = byClass.get(t);
    if (!list) byClass.set(t, (list = []));
    list.push(i);
  }
  return GROUP_ORDER.filter((t) => byClass.has(t)).map((t) => ({ trajectory: t, indices: rank(Int32Array.from(byClass.get(t)!)) }));
}

/**
 * rankBySignal's order for PreMemAcc from the view's own array, without computing every signal: the default
 * ranking stays as fast as the view was before signals existed. Unknown (not trained on, not scored) goes last.
 */
function byPreMemAccuracy(selected: Float64Array): (among: Int32Array) => Int32Array {
  const value = (i: number) => (Number.isNaN(selected[i]) ? Infinity : selected[i]);
  return (among) => among.sort((a, b) => value(a) - value(b) || a - b);
}
