// Suspected wrong targets (docs/signals.md) of the selected run at the selected checkpoint, for the Fragile
// Examples view. Judging them reads sample texts from the run logs, so it runs asynchronously, once per view of the
// session, and the view shows the group when it is done. No VS Code API here: unit tests call it directly.
import { referenceAnswer } from '../../core/grading';
import type { AnalysisSession, RunView } from '../../core/session';
import { suspectedWrongTargets, type SuspectedWrongTarget } from '../../core/signals/wrong-targets';

export interface Suspect extends SuspectedWrongTarget {
  /** The dataset's answer field, else the target trace's final answer; null when neither parses. */
  targetAnswer: string | null;
}

const byView = new WeakMap<RunView, Promise<Suspect[]>>();

/** Highest agreement first; empty when the run's logs hold no sample answers. Rejects if the logs cannot be read. */
export function selectedSuspects(session: AnalysisSession): Promise<Suspect[]> {
  const view = session.view();
  if (!view) return Promise.resolve([]);
  let suspects = byView.get(view);
  if (!suspects) {
    suspects = judge(session);
    byView.set(view, suspects);
  }
  return suspects;
}

async function judge(session: AnalysisSession): Promise<Suspect[]> {
  const prepared = session.prepared[session.selectedRun];
  if (!prepared.run.samples) return [];
  const report = await suspectedWrongTargets(prepared, session.thr, session.selectedCheckpoint);
  const task = session.dataset.profile.task;
  const suspects: Suspect[] = [];
  for (const s of report.suspected) suspects.push({ ...s, targetAnswer: referenceAnswer(task, await session.dataset.get(s.index)) });
  return suspects;
}

/** The note a "wrong-target" flag starts with: what the samples agree on, against the target's answer. */
export function wrongTargetNote(s: Suspect): string {
  return (
    `${s.agreeing} of ${s.samples} samples at ${s.evidenceCheckpoint} (before memorization at ${s.firstMemorizedCheckpoint}) ` +
    `agree on ${s.agreedAnswer}; the target's answer is ${s.targetAnswer ?? 'unknown'}`
  );
}
