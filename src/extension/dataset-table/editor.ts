// One table editor (webview panel) on a TableDocument: its own filter and sort, answering the webview's
// requests for row windows, and following the session (scores, flags, the current example).
import * as vscode from 'vscode';
import { DEFAULT_QUERY, TableModel, type TableFlags, type TableScores, type ViewQuery } from '../../core/table/table-model';
import type { AnalysisSession } from '../../core/session';
import { comparedWith, compareTargetText, differsFrom } from '../comparison';
import { type HostMessage, isWebviewMessage, type WebviewMessage } from '../../../webview/dataset-table/protocol';
import type { PreMemServices } from '../services';
import { WebviewPanelHost } from '../webview-panel';
import type { LoadedTable, TableDocument, TableDocumentState } from './document';

export const DATASET_TABLE_VIEW_TYPE = 'premem.datasetTable';

/** Characters of query and target sent for the detail pane. */
const DETAIL_LIMIT = 20_000;

export class TableEditor extends WebviewPanelHost<HostMessage, WebviewMessage> {
  private model: TableModel | undefined;
  private table: LoadedTable | undefined;
  private viewId = 0;
  private query: ViewQuery = DEFAULT_QUERY;
  private filtering: AbortController | undefined;

  constructor(
    private readonly document: TableDocument,
    panel: vscode.WebviewPanel,
    services: PreMemServices,
  ) {
    super(services, { viewType: DATASET_TABLE_VIEW_TYPE, name: 'dataset-table', title: 'PreMem Dataset', isWebviewMessage });
    this.attach(panel);
    this.subscriptions.push(
      document.onDidChangeState((state) => this.show(state)),
      services.onDidChange(() => this.sessionChanged()),
      comparedWith.onDidChange(() => this.sessionChanged()),
      services.onDidChangeCurrentExample((index) => this.followExample(index)),
    );
  }

  protected override showError(message: string): void {
    this.post({ type: 'notice', message });
  }

  protected override async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (m.query) this.query = m.query;
        this.model = undefined;
        this.table = undefined;
        this.show(this.document.state);
        return;
      case 'rows': {
        const model = this.model;
        if (!model || m.viewId !== this.viewId) return;
        const viewId = this.viewId;
        const rows = await model.window(m.start, m.end);
        if (model === this.model && viewId === this.viewId) this.post({ type: 'rows', viewId, start: Math.max(0, m.start), rows });
        return;
      }
      case 'query':
        await this.runQuery(m.query, m.focus ?? undefined);
        return;
      case 'cancel':
        this.filtering?.abort(new Error('cancelled'));
        return;
      case 'select':
        await this.select(m.viewId, m.row, m.open);
        return;
      case 'gotoLine':
        this.gotoLine(m.line);
        return;
    }
  }

  /** Follows the document: progress while it loads, a fresh model (and the same filter) once it is ready. */
  private show(state: TableDocumentState): void {
    if (!this.live) return;
    if (state.kind === 'loading') {
      this.model = undefined;
      this.post({ type: 'loading', message: state.message, fraction: state.fraction });
    } else if (state.kind === 'failed') {
      this.model = undefined;
      this.post({ type: 'failed', message: state.message });
    } else if (state.table !== this.table || !this.model) {
      this.table = state.table;
      this.model = new TableModel(state.table.dataset, state.table.source, scoresOf(state.table.session), this.flagsOf(state.table));
      void this.runQuery(this.query);
    }
  }

  private flagsOf(table: LoadedTable): TableFlags | undefined {
    return table.session ? this.services.flags : table.ownFlags;
  }

  /**
   * Filters and sorts; the text filter reports progress and can be cancelled, leaving the previous view.
   * `focus`: an example to keep in sight (the selected one) when the new view still shows it.
   */
  private async runQuery(query: ViewQuery, focus?: number): Promise<void> {
    const model = this.model;
    if (!model) return;
    this.filtering?.abort(new Error('superseded'));
    const controller = new AbortController();
    this.filtering = controller;
    let lastReport = 0;
    const scanning = query.text !== '' && query.text !== model.query.text;
    if (scanning) this.post({ type: 'busy', message: 'Filtering… 0%', fraction: 0 });
    try {
      await model.apply(query, {
        signal: controller.signal,
        onProgress: (fraction) => {
          const now = Date.now();
          if (now - lastReport < 100) return;
          lastReport = now;
          this.post({ type: 'busy', message: `Filtering… ${Math.floor(fraction * 100)}%`, fraction });
        },
      });
    } catch (err) {
      if (this.filtering === controller) this.filtering = undefined;
      if (!controller.signal.aborted) {
        this.services.log.error(`table: filter failed: ${(err as Error).message}`);
        this.post({ type: 'idle', message: `Filter failed: ${(err as Error).message}` });
      } else if ((controller.signal.reason as Error)?.message === 'cancelled') {
        this.post({ type: 'idle', message: 'Filter cancelled.' });
        this.postView(model);
      }
      return;
    }
    if (this.filtering === controller) this.filtering = undefined;
    if (model !== this.model) return;
    this.query = query;
    if (scanning) this.post({ type: 'idle', message: '' });
    this.postView(model);
    const row = focus === undefined ? -1 : model.rowOf(focus);
    if (row >= 0) this.post({ type: 'reveal', viewId: this.viewId, row });
  }

  private postView(model: TableModel): void {
    this.viewId++;
    this.post({
      type: 'view',
      viewId: this.viewId,
      rowCount: model.rowCount,
      datasetSize: model.dataset.size,
      query: model.query,
      scored: model.scored,
      scoreLabel: model.scoreLabel,
      compareLabel: model.compareLabel,
      hasFlags: model.hasFlags,
      notice: this.table?.notice ?? '',
    });
  }

  private async select(viewId: number, row: number, open: boolean): Promise<void> {
    const model = this.model;
    if (!model || viewId !== this.viewId || row >= model.rowCount) return;
    const index = model.indexAt(row);
    if (open && this.table?.session && this.table.session === this.services.session) {
      await this.services.revealExample(index, { preserveFocus: true, beside: true });
      await vscode.commands.executeCommand('premem.showExample', index);
    }
    try {
      const example = await model.dataset.get(index);
      const cut = (s: string) => (s.length > DETAIL_LIMIT ? s.slice(0, DETAIL_LIMIT) : s);
      this.post({
        type: 'detail',
        detail: {
          index,
          line: example.line,
          key: example.key,
          query: cut(example.query),
          target: cut(example.target),
          truncated: example.query.length > DETAIL_LIMIT || example.target.length > DETAIL_LIMIT,
        },
      });
    } catch (err) {
      this.post({ type: 'notice', message: (err as Error).message });
    }
  }

  private gotoLine(line: number): void {
    const model = this.model;
    if (!model) return;
    const found = model.exampleAtLine(line);
    if (!found) return;
    const foundLine = model.dataset.lines[found.index];
    const row = model.rowOf(found.index);
    if (row < 0) {
      this.post({ type: 'notice', message: `Line ${foundLine.toLocaleString('en-US')} is hidden by the filter.` });
      return;
    }
    if (!found.exact) this.post({ type: 'notice', message: `Line ${line.toLocaleString('en-US')} holds no record; showing line ${foundLine.toLocaleString('en-US')}.` });
    this.post({ type: 'reveal', viewId: this.viewId, row });
  }

  /** New scores or flags: re-sort and re-filter with the same query (text matches are kept). */
  private sessionChanged(): void {
    const model = this.model;
    const table = this.table;
    if (!model || !table?.session || table.session !== this.services.session) return;
    model.setScores(scoresOf(table.session));
    model.setFlags(this.services.flags);
    void this.runQuery(this.query);
  }

  private followExample(index: number | undefined): void {
    const model = this.model;
    if (index === undefined || !model || !this.live || !this.table?.session || this.table.session !== this.services.session) return;
    const row = model.rowOf(index);
    if (row >= 0) this.post({ type: 'reveal', viewId: this.viewId, row });
  }

  override dispose(): void {
    this.filtering?.abort(new Error('closed'));
    super.dispose();
  }
}

/** PreMemAcc, trajectory and bucket per example at the session's selected run and checkpoint. */
export function scoresOf(session: AnalysisSession | undefined): TableScores | undefined {
  const view = session?.view();
  if (!session || !view) return undefined;
  const checkpoint = view.run.checkpoints[session.selectedCheckpoint];
  const preMem = view.preMem[session.selectedCheckpoint];
  if (!checkpoint || !preMem || preMem.length !== session.dataset.size) return undefined;
  const b = comparedWith.target;
  const mask = b && differsFrom(session, b);
  const differs = b && mask ? { mask, label: compareTargetText(b) } : undefined;
  return { preMem, trajectory: view.dynamics.trajectory, buckets: view.buckets, label: `${view.run.id} · ${checkpoint.id}`, differs };
}
