// The training-dynamics signals (docs/signals.md) of the session's selected run at its selected checkpoint,
// computed once per view of the session: the Fragile Examples view ranks by them, the hover and the example panel
// show them. The session makes a new view object whenever p, t, the selection or the runs change.
import type { Run } from '../core/model';
import type { AnalysisSession, RunView } from '../core/session';
import { exampleSignals, type ExampleSignals } from '../core/signals/example-signals';
import { preparedForExample } from '../core/signals/run-prefix';
import { type SignalLine, signalLines } from './signal-text';

const byView = new WeakMap<RunView, ExampleSignals>();

export function selectedSignals(session: AnalysisSession): ExampleSignals | undefined {
  const view = session.view();
  if (!view) return undefined;
  let signals = byView.get(view);
  if (!signals) {
    signals = exampleSignals(session.prepared[session.selectedRun], session.thr, session.selectedCheckpoint);
    byView.set(view, signals);
  }
  return signals;
}

/**
 * One example's signal lines for the hover and the example panel. They come from the view's signals when these
 * were computed (the Fragile Examples view ranks by them); otherwise from the run cut down to the example, so
 * that a hover on a million-example dataset does not wait a second for every example's signals.
 */
export function selectedSignalLines(session: AnalysisSession, index: number): SignalLine[] {
  const view = session.view();
  if (!view) return [];
  const run: Run = session.runs[session.selectedRun];
  const all = byView.get(view);
  if (all) return signalLines(all, run, index);
  const one = exampleSignals(preparedForExample(session.prepared[session.selectedRun], index), session.thr, session.selectedCheckpoint);
  return signalLines(one, run, 0);
}
