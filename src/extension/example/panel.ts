// The example panel: one webview beside the dataset editor that follows the example under the cursor and shows its
// numbers per checkpoint and its samples diffed against the target. Lifecycle, message checks and the ready
// handshake are WebviewPanelHost's; this file says what is shown.
import * as vscode from 'vscode';
import { type HostMessage, isWebviewMessage, type WebviewMessage } from '../../../webview/example/protocol';
import { flagExample, unflagExample } from '../flags/commands';
import type { PreMemServices } from '../services';
import { WebviewPanelHost } from '../webview-panel';
import { checkpointNumbers, exampleView, flagView } from './example-data';
import { SampleLoader } from './sample-loader';

export const EXAMPLE_VIEW_TYPE = 'premem.example';

/** Cursor moves fire in bursts; the panel catches up once they settle. */
const FOLLOW_DELAY_MS = 60;

export class ExamplePanel extends WebviewPanelHost<HostMessage, WebviewMessage> {
  private readonly samples = new SampleLoader();
  /** The example shown, or to be shown once the webview is ready. */
  private index: number | undefined;
  private renderSeq = 0;
  private renderTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(services: PreMemServices) {
    super(services, { viewType: EXAMPLE_VIEW_TYPE, name: 'example', title: 'PreMem Example', isWebviewMessage });
    this.subscriptions.push(
      services.onDidChangeCurrentExample((index) => {
        if (!this.panel || index === undefined || index === this.index) return;
        this.index = index;
        this.scheduleRender();
      }),
      services.onDidChange(() => {
        this.samples.clear();
        if (this.panel) this.scheduleRender();
      }),
      { dispose: () => clearTimeout(this.renderTimer) },
    );
  }

  /** Shows the panel (creating it beside the editor, without taking focus) on `index`, else the current example. */
  show(index?: number): void {
    this.index = index ?? this.services.currentExample ?? this.index;
    this.reveal(vscode.ViewColumn.Beside, true);
    this.scheduleRender(0);
  }

  /** A restored webview's saved state says which example it showed. */
  protected override restoreState(state: unknown): void {
    const saved = typeof state === 'object' && state !== null ? (state as { index?: unknown }).index : undefined;
    if (this.index === undefined && typeof saved === 'number' && Number.isInteger(saved) && saved >= 0) this.index = saved;
  }

  protected override showError(message: string): void {
    this.post({ type: 'error', message });
  }

  private scheduleRender(delay = FOLLOW_DELAY_MS): void {
    clearTimeout(this.renderTimer);
    this.renderTimer = setTimeout(() => void this.render(), delay);
  }

  private async render(): Promise<void> {
    if (!this.live) return;
    const seq = ++this.renderSeq;
    const { session, flags } = this.services;
    if (!session) {
      this.post({ type: 'empty', message: 'Open a training dataset with the logs of its runs to see its examples here.', canOpen: true });
      return;
    }
    if (this.index === undefined || this.index >= session.dataset.size) {
      this.post({ type: 'empty', message: 'Put the cursor on a record of the dataset to see its samples here.', canOpen: false });
      return;
    }
    try {
      const view = await exampleView(session, flags, this.index);
      if (seq !== this.renderSeq) return;
      if (!view) {
        this.post({ type: 'empty', message: 'No run is loaded for this dataset.', canOpen: false });
        return;
      }
      if (this.panel) this.panel.title = `PreMem Example ${view.index + 1}`;
      this.post({ type: 'example', example: view });
    } catch (err) {
      if (seq === this.renderSeq) this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  protected override async handle(m: WebviewMessage): Promise<void> {
    const { session } = this.services;
    const inRange = (index: number) => session !== undefined && index < session.dataset.size;
    switch (m.type) {
      case 'ready':
        return this.render();
      case 'requestSamples': {
        if (!session || !inRange(m.index)) return;
        const payload = await this.samples.load(session, m.run, m.checkpoint, m.index);
        return this.post({ type: 'samples', index: m.index, run: m.run, checkpoint: m.checkpoint, payload });
      }
      case 'compare':
        if (!session || !inRange(m.index)) return;
        return this.post({ type: 'comparison', index: m.index, run: m.run, checkpoint: m.checkpoint, numbers: checkpointNumbers(session, m.run, m.checkpoint, m.index) });
      case 'flag':
        if (!inRange(m.index)) return;
        await flagExample(this.services, m.index, m.reason, m.note);
        return this.postFlag(m.index);
      case 'unflag':
        if (!inRange(m.index)) return;
        await unflagExample(this.services, m.index);
        return this.postFlag(m.index);
      case 'reveal':
        if (inRange(m.index)) await this.services.revealExample(m.index, { preserveFocus: false });
        return;
      case 'selectRun':
        await vscode.commands.executeCommand('premem.selectRun');
        return;
      case 'openDataset':
        await vscode.commands.executeCommand('premem.openDatasetWithRuns');
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'premem');
        return;
    }
  }

  private postFlag(index: number): void {
    const { session, flags } = this.services;
    if (session) this.post({ type: 'flag', index, flag: flagView(flags, session.dataset.keys[index]) });
  }
}
