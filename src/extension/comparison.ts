// "Differs from B": the examples whose comparison between the selected run and checkpoint (A) and a chosen run and
// checkpoint (B) flipped (docs/signals.md, Run comparison: the bucket, learned or first-memorized step differs).
// Computed once per view of the session and B; no VS Code API, so unit tests call it directly.
import { compareCheckpoints, flipped } from '../core/compare/compare-checkpoints';
import type { AnalysisSession, RunView } from '../core/session';

export interface CompareTarget {
  run: string;
  checkpoint: string;
}

const byView = new WeakMap<RunView, { key: string; differs: Uint8Array | undefined }>();

/** 1 per dataset example that differs from B; undefined when B is no longer among the session's runs. */
export function differsFrom(session: AnalysisSession, b: CompareTarget): Uint8Array | undefined {
  const view = session.view();
  if (!view) return undefined;
  const key = `${b.run}\u0000${b.checkpoint}`;
  const cached = byView.get(view);
  if (cached?.key === key) return cached.differs;
  const prepared = session.prepared.find((p) => p.run.id === b.run);
  const checkpoint = prepared?.run.checkpoints.findIndex((c) => c.id === b.checkpoint) ?? -1;
  let differs: Uint8Array | undefined;
  if (prepared && checkpoint >= 0) {
    const a = { prepared: session.prepared[session.selectedRun], checkpoint: session.selectedCheckpoint };
    const comparison = compareCheckpoints(a, { prepared, checkpoint }, session.thr, session.t);
    differs = new Uint8Array(session.dataset.size);
    for (const e of comparison.examples) if (flipped(e)) differs[e.index] = 1;
  }
  byView.set(view, { key, differs });
  return differs;
}

/** B, shared by the Fragile Examples view (which chooses it) and the dataset table (whose filter follows it). */
export const comparedWith = {
  target: undefined as CompareTarget | undefined,
  listeners: new Set<() => void>(),
  set(b: CompareTarget | undefined): void {
    this.target = b;
    for (const listener of this.listeners) listener();
  },
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  },
};

/** B as the CLI writes it: RUN:CHECKPOINT. */
export function compareTargetText(b: CompareTarget): string {
  return `${b.run}:${b.checkpoint}`;
}
