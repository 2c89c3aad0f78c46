// The training-dynamics signals (docs/signals.md) of the session's selected run at its selected checkpoint,
// computed once per view of the session: the Fragile Examples view ranks by them, the hover and the example panel
// show them. The session makes a new view object whenever p, t, the selection or the runs change.
import type { AnalysisSession, RunView } from '../core/session';
import { exampleSignals, type ExampleSignals } from '../core/signals/example-signals';

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
