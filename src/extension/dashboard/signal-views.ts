// The dashboard's views of the training-dynamics signals (docs/signals.md) of the selected run at the selected
// checkpoint: the data map. The signals are computed once per view of the session (run, checkpoint, p, t, new
// results), a moment after the last change, so that a slider drag over a million examples never waits on them.
import { dataMaps } from '../../core/dashboard/data-map';
import { exampleSignals, type ExampleSignals } from '../../core/signals/example-signals';
import { type AnalysisSession, bucketOf, type RunView } from '../../core/session';
import type { HostMessage } from '../../../webview/dashboard/protocol';

/** Quiet time after a change before the signals are recomputed. */
const SETTLE_MS = 150;

export class SignalViews {
  private sentView: RunView | undefined;
  private current: { view: RunView; signals: ExampleSignals } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private key = 0;

  constructor(private readonly post: (m: HostMessage) => void) {}

  /** After each rebuild of the dashboard: recomputes when the view changed (or `resend`: the webview reloaded). */
  update(session: AnalysisSession | undefined, resend = false): void {
    const view = session?.view();
    if (resend) this.sentView = undefined;
    if (!session || !view || view === this.sentView) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      // Changed again while waiting: the later update recomputes.
      if (session.view() !== view) return;
      this.sentView = view;
      this.compute(session, view);
    }, SETTLE_MS);
  }

  private compute(session: AnalysisSession, view: RunView): void {
    const prepared = session.prepared[session.selectedRun];
    const checkpoint = session.selectedCheckpoint;
    const signals = this.current?.view === view ? this.current.signals : exampleSignals(prepared, session.thr, checkpoint);
    this.current = { view, signals };
    const t = session.t;
    const maps = dataMaps(signals, (a) => bucketOf(a, t));
    this.post({
      type: 'dataMap',
      dataMap: {
        key: ++this.key,
        run: signals.run,
        checkpoint: signals.checkpoint,
        bins: maps.accuracy.bins,
        accuracy: maps.accuracy.counts.buffer,
        placedAccuracy: maps.accuracy.placed,
        perplexity: maps.perplexity ? maps.perplexity.counts.buffer : null,
        placedPerplexity: maps.perplexity?.placed ?? 0,
      },
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
