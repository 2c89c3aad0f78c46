// The dashboard panel's host side: one panel, rebuilt from the session after every change (p, t, selection, new
// results) and sent to the webview. Lifecycle, message checks and the ready handshake are WebviewPanelHost's.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { buildDashboard, buildHeatmap } from '../../core/dashboard/build';
import { type SweepCurve, clampThreshold, sweepCurve } from '../../core/dashboard/sweep';
import type { Calibration } from '../../core/metrics/calibrate';
import { calibrateInSlices } from '../../core/metrics/in-turns';
import type { PreparedRun } from '../../core/metrics/premem';
import type { AnalysisSession } from '../../core/session';
import { encodeHeatmap, type HostMessage, isWebviewMessage, type WebviewMessage } from '../../../webview/dashboard/protocol';
import type { PreMemServices } from '../services';
import { WebviewPanelHost } from '../webview-panel';
import { copyCsv, saveThreshold, savePng } from './exports';
import { exportReport } from './report';
import { SignalViews } from './signal-views';

export const DASHBOARD_VIEW_TYPE = 'premem.dashboard';

/** Marks a value as never sent, so the first model after (re)loading the webview carries everything. */
const NOT_SENT = Symbol('not sent');

export class DashboardPanel extends WebviewPanelHost<HostMessage, WebviewMessage> {
  private scheduled = false;
  /** The seq of the last setThreshold applied, repeated in every model message. */
  private answeredSeq = 0;
  private sentCalibration: Calibration | null | typeof NOT_SENT = NOT_SENT;
  private sentView: object | undefined | typeof NOT_SENT = NOT_SENT;
  private sentSession: AnalysisSession | undefined | typeof NOT_SENT = NOT_SENT;
  private heatmapKey = 0;
  private readonly signalViews = new SignalViews((m) => this.post(m));
  /** The sweep of a session whose p is fixed (it keeps no calibration), per set of runs: pending, then done. */
  private readonly sweeps = new WeakMap<PreparedRun[], Promise<Calibration | null>>();
  private readonly swept = new WeakMap<PreparedRun[], Calibration | null>();

  constructor(services: PreMemServices) {
    super(services, { viewType: DASHBOARD_VIEW_TYPE, name: 'dashboard', title: 'PreMem Dashboard', isWebviewMessage });
    this.subscriptions.push(services.onDidChange(() => this.schedule()), this.signalViews);
  }

  show(): void {
    this.reveal(vscode.ViewColumn.Active, false);
  }

  protected override showError(message: string): void {
    this.notice('error', message);
  }

  private notice(level: 'info' | 'error', text: string): void {
    this.post({ type: 'notice', level, text });
  }

  /** Coalesces bursts of changes (a slider drag, a refresh) into one rebuild. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.push();
    });
  }

  private push(): void {
    if (!this.live) return;
    const session = this.services.session;
    const resend = session !== this.sentSession;
    if (resend) {
      this.sentCalibration = NOT_SENT;
      this.sentView = NOT_SENT;
      this.sentSession = session;
    }
    if (!session) {
      this.post({
        type: 'empty',
        message: 'No dataset with runs is open. When the workspace has a premem.json, the dashboard fills in as soon as it has been read; otherwise open a training dataset with the logs of its runs.',
      });
      return;
    }
    const started = performance.now();
    const calibration = this.calibrationNow(session);
    const model = buildDashboard(session, calibration ?? null);
    const view = session.view();
    const heatmap = view !== this.sentView ? buildHeatmap(session) : undefined;
    const computeMs = performance.now() - started;
    let sweep: SweepCurve | null | undefined;
    if (calibration !== undefined && calibration !== this.sentCalibration) {
      sweep = sweepCurve(calibration);
      this.sentCalibration = calibration;
    }
    this.post({
      type: 'model',
      model,
      context: { dataset: path.basename(session.dataset.path), configFile: session.config.file ? path.basename(session.config.file) : null, computeMs },
      seq: this.answeredSeq,
      ...(sweep !== undefined ? { sweep } : {}),
    });
    if (heatmap) {
      const run = session.prepared[session.selectedRun].run;
      this.post({
        type: 'heatmap',
        heatmap: encodeHeatmap(heatmap, { key: ++this.heatmapKey, run: run.id, checkpointIds: run.checkpoints.map((c) => c.id), selectedCheckpoint: session.selectedCheckpoint }),
      });
      this.sentView = view;
    }
    this.signalViews.update(session, resend);
  }

  /**
   * The session's calibration, or (p fixed in premem.json) the sweep computed here once per set of runs;
   * undefined while that sweep is still running (in slices: half a second on a million examples), and the panel is
   * pushed again when it is done.
   */
  private calibrationNow(session: AnalysisSession): Calibration | null | undefined {
    if (session.calibration) return session.calibration;
    if (this.swept.has(session.prepared)) return this.swept.get(session.prepared);
    void this.sweepOf(session.prepared);
    return undefined;
  }

  private sweepOf(runs: PreparedRun[]): Promise<Calibration | null> {
    let sweep = this.sweeps.get(runs);
    if (!sweep) {
      sweep = calibrateInSlices(runs)
        .then(
          (c) => c ?? null,
          (err: unknown) => {
            this.services.log.error(`Dashboard: the threshold sweep failed: ${err instanceof Error ? err.message : String(err)}`);
            return null;
          },
        )
        .then((c) => {
          this.swept.set(runs, c);
          this.schedule();
          return c;
        });
      this.sweeps.set(runs, sweep);
    }
    return sweep;
  }

  protected override async handle(m: WebviewMessage): Promise<void> {
    const session = this.services.session;
    switch (m.type) {
      case 'ready':
        this.sentSession = NOT_SENT;
        this.push();
        return;
      case 'setThreshold': {
        const thr = clampThreshold(m.thr);
        this.answeredSeq = Math.max(this.answeredSeq, m.seq);
        if (session && thr !== undefined) session.setThreshold(thr);
        this.schedule(); // answers with the seq even when p did not change
        return;
      }
      case 'useCalibrated': {
        if (!session) return;
        const calibration = session.calibration ?? (await this.sweepOf(session.prepared));
        if (!calibration) {
          this.notice('error', 'p cannot be calibrated: it needs at least three checkpoints with a measured test accuracy.');
          return;
        }
        session.setThreshold(calibration.thr);
        return;
      }
      case 'select':
        session?.select(m.run, m.checkpoint);
        return;
      case 'saveP': {
        if (!session) return;
        const file = await saveThreshold(session);
        if (file) this.notice('info', `Saved p = ${session.p.toFixed(4)} to ${path.basename(file)}.`);
        return;
      }
      case 'openExample':
        if (!session || m.index >= session.dataset.size) return;
        await this.services.revealExample(m.index, { preserveFocus: true });
        await vscode.commands.executeCommand('premem.showExample', m.index);
        return;
      case 'exportRecollection':
        await vscode.commands.executeCommand('premem.exportRecollection');
        return;
      case 'openDataset':
        await vscode.commands.executeCommand('premem.openDatasetWithRuns');
        return;
      case 'exportReport': {
        const saved = await exportReport(this.services);
        if (saved) this.notice('info', `Saved ${vscode.workspace.asRelativePath(saved)}.`);
        return;
      }
      case 'exportPng': {
        const saved = await savePng(m.name, m.dataUrl);
        if (saved) this.notice('info', `Saved ${vscode.workspace.asRelativePath(saved)}.`);
        return;
      }
      case 'setOverlapShare':
        this.signalViews.setShare(m.share);
        return;
      case 'compareWith':
        this.signalViews.setCompareWith(m.b);
        return;
      case 'compareCell':
        this.signalViews.listCell(m.a, m.b);
        return;
      case 'dataMapCell':
        this.signalViews.listDataMapCell(m.q, m.x, m.y);
        return;
      case 'copyCsv':
        await copyCsv(m.csv);
        this.notice('info', `Copied ${m.rows.toLocaleString('en-US')} rows of ${m.name} as CSV.`);
        return;
    }
  }
}
