// The dashboard's views of the training dynamics (docs/signals.md) of the selected run at the selected checkpoint
// (A): the data map, the signals' overlaps with PreMemAcc, and the comparison with a chosen run and checkpoint B.
// They are computed once per view of the session (run, checkpoint, p, t, new results), a moment after the last
// change, so that a slider drag over a million examples never waits on them.
import { type CheckpointComparison, compareCheckpoints, scatterGrid } from '../../core/compare/compare-checkpoints';
import { scatterPoints } from '../../core/dashboard/comparison-scatter';
import { dataMapAxes, dataMapCellExamples, dataMaps, type DataMapQ } from '../../core/dashboard/data-map';
import { OverlapIndex } from '../../core/dashboard/overlap-index';
import { exampleSignals, type ExampleSignals } from '../../core/signals/example-signals';
import { type AnalysisSession, bucketOf, type RunView } from '../../core/session';
import { COMPARISON_BINS, COMPARISON_CELL_MAX, type HostMessage } from '../../../webview/dashboard/protocol';

/** Quiet time after a change before the signals are recomputed. */
const SETTLE_MS = 150;
/** The share x of the overlaps until the webview asks for another (as `premem compare`'s --overlap default). */
const DEFAULT_OVERLAP_SHARE = 0.2;

export class SignalViews {
  private sentView: RunView | undefined;
  private current: { view: RunView; signals: ExampleSignals; overlaps: OverlapIndex } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private key = 0;
  private share = DEFAULT_OVERLAP_SHARE;
  private overlapsScheduled = false;
  /** B as indices into the session's runs and that run's checkpoints; null: no comparison. */
  private compareWith: { run: number; checkpoint: number } | null = null;
  private comparison: CheckpointComparison | undefined;
  private session: AnalysisSession | undefined;

  constructor(private readonly post: (m: HostMessage) => void) {}

  /** After each rebuild of the dashboard: recomputes when the view changed (or `resend`: the webview reloaded). */
  update(session: AnalysisSession | undefined, resend = false): void {
    const view = session?.view();
    if (resend) this.sentView = undefined;
    this.session = session;
    if (!session || !view || view === this.sentView) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      // Changed again while waiting: the later update recomputes.
      if (session.view() !== view) return;
      this.sentView = view;
      this.compute(session, view);
    }, SETTLE_MS);
  }

  /**
   * A new share x: the overlaps of the current signals are sent again, once for a burst of moves (a slider drag
   * queues messages while one is computed; the latest share wins).
   */
  setShare(share: number): void {
    this.share = share;
    if (this.overlapsScheduled) return;
    this.overlapsScheduled = true;
    setImmediate(() => {
      this.overlapsScheduled = false;
      if (this.current && this.current.view === this.sentView) this.postOverlaps(this.current.signals, this.current.overlaps);
    });
  }

  private postOverlaps(signals: ExampleSignals, overlaps: OverlapIndex): void {
    this.post({ type: 'overlaps', overlaps: { run: signals.run, checkpoint: signals.checkpoint, share: this.share, rows: overlaps.overlaps(this.share) } });
  }

  private compute(session: AnalysisSession, view: RunView): void {
    const prepared = session.prepared[session.selectedRun];
    const checkpoint = session.selectedCheckpoint;
    const signals = exampleSignals(prepared, session.thr, checkpoint);
    const overlaps = new OverlapIndex(signals);
    this.current = { view, signals, overlaps };
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
    this.postOverlaps(signals, overlaps);
    this.postComparison(session);
  }

  /** A new B (null: none): compared and sent at once. */
  setCompareWith(b: { run: number; checkpoint: number } | null): void {
    this.compareWith = b;
    if (this.session && this.sentView) this.postComparison(this.session);
  }

  /** Lists the examples of one cell of the A-vs-B grid of the comparison sent last. */
  listCell(a: number, b: number): void {
    const c = this.comparison;
    if (!c) return;
    const bin = (x: number) => Math.min(COMPARISON_BINS - 1, Math.floor(x * COMPARISON_BINS)); // scatterGrid's bins
    const examples = c.examples.filter((e) => bin(e.preMemA) === a && bin(e.preMemB) === b);
    this.post({
      type: 'comparisonCell',
      cell: { a, b, total: examples.length, examples: examples.slice(0, COMPARISON_CELL_MAX).map((e) => ({ index: e.index, preMemA: e.preMemA, preMemB: e.preMemB })) },
    });
  }

  private postComparison(session: AnalysisSession): void {
    this.comparison = undefined;
    const b = this.compareWith;
    const prepared = session.prepared[b?.run ?? -1];
    if (!b || !prepared || b.checkpoint >= prepared.run.checkpoints.length) {
      this.post({ type: 'comparison', comparison: null });
      return;
    }
    const a = { prepared: session.prepared[session.selectedRun], checkpoint: session.selectedCheckpoint };
    const c = compareCheckpoints(a, { prepared, checkpoint: b.checkpoint }, session.thr, session.t);
    this.comparison = c;
    const points = scatterPoints(c.preMemA, c.preMemB);
    this.post({
      type: 'comparison',
      comparison: {
        a: c.a,
        b: c.b,
        compared: c.compared,
        counts: c.counts,
        grid: scatterGrid(c.preMemA, c.preMemB, COMPARISON_BINS),
        example: points.example.buffer,
        preMemA: points.a.buffer,
        preMemB: points.b.buffer,
      },
    });
  }

  /** Lists the examples of one cell of the data map of q sent last. */
  listDataMapCell(q: DataMapQ, x: number, y: number): void {
    const current = this.current;
    if (!current) return;
    const { values } = current.signals;
    const inCell = dataMapCellExamples(current.signals, q, x, y);
    const { confidence, variability } = dataMapAxes(values, q);
    this.post({
      type: 'dataMapCell',
      cell: {
        q,
        x,
        y,
        total: inCell.length,
        examples: inCell.slice(0, COMPARISON_CELL_MAX).map((index) => ({ index, confidence: confidence[index], variability: variability[index], preMem: values.preMemAccuracy[index] })),
      },
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
