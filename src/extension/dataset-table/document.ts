// The dataset behind a table editor: the open session's dataset when it is the same file (already indexed,
// with scores), else the file indexed here without scores. Loading runs in the background with progress and
// is redone when the file or the session changes. While a session is being opened on the same file, the table
// waits for it instead of indexing the file a second time.
import path from 'node:path';
import * as vscode from 'vscode';
import { openDataset } from '../../core/dataset/open';
import { FlagStore } from '../../core/flags/flag-store';
import type { Dataset } from '../../core/model';
import type { AnalysisSession } from '../../core/session';
import { openRecordSource, type RecordSource } from '../../core/table/record-source';
import { describeProblem, plural } from '../format';
import type { PreMemServices } from '../services';

export interface LoadedTable {
  dataset: Dataset;
  source: RecordSource;
  /** The session whose dataset this is; undefined when the file was indexed here. */
  session: AnalysisSession | undefined;
  /** Flags of a dataset indexed here (read only); the session's come from services.flags. */
  ownFlags: FlagStore | undefined;
  /** Skipped records and other warnings in one line; '' when none. */
  notice: string;
}

export type TableDocumentState =
  | { kind: 'loading'; message: string; fraction: number | null }
  | { kind: 'ready'; table: LoadedTable }
  | { kind: 'failed'; message: string };

/**
 * Whether a session's dataset is this table's file: the same file, or a folder (a Hugging Face dataset's
 * shards) that holds it.
 */
export function datasetHolds(dataset: string, file: string): boolean {
  if (samePath(dataset, file)) return true;
  const parent = path.dirname(path.resolve(file));
  for (let dir = parent; ; dir = path.dirname(dir)) {
    if (samePath(dir, dataset)) return /\.parquet$/i.test(file);
    if (path.dirname(dir) === dir) return false;
  }
}

/** Whether two file paths name the same file (case-insensitively where the file system is). */
export function samePath(a: string, b: string): boolean {
  const x = path.resolve(a);
  const y = path.resolve(b);
  return process.platform === 'win32' || process.platform === 'darwin' ? x.toLowerCase() === y.toLowerCase() : x === y;
}

export class TableDocument implements vscode.CustomDocument {
  private current: TableDocumentState = { kind: 'loading', message: 'Indexing…', fraction: 0 };
  private loading: AbortController | undefined;
  /** The session whose dataset the running load uses (undefined: it indexes the file itself). */
  private loadingSession: AnalysisSession | undefined;
  /** Waiting for the session being opened on this file to lend its dataset. */
  private waitingForSession = false;
  private readonly stateEmitter = new vscode.EventEmitter<TableDocumentState>();
  private readonly disposables: vscode.Disposable[] = [this.stateEmitter];
  private reloadTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    readonly uri: vscode.Uri,
    private readonly services: PreMemServices,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)));
    // A session's dataset is re-read by the session (the table follows it through onDidChange).
    const changedOnDisk = () => {
      if (this.table && !this.table.session) this.scheduleReload();
    };
    this.disposables.push(
      watcher,
      watcher.onDidChange(changedOnDisk),
      watcher.onDidCreate(changedOnDisk),
      watcher.onDidDelete(changedOnDisk),
      services.onDidChange(() => this.followSession()),
      services.onDidChangeLoading(() => this.followSession()),
    );
    void this.load();
  }

  get state(): TableDocumentState {
    return this.current;
  }

  get table(): LoadedTable | undefined {
    return this.current.kind === 'ready' ? this.current.table : undefined;
  }

  /** The open session, when its dataset is this file. */
  matchingSession(): AnalysisSession | undefined {
    const session = this.services.session;
    return session && datasetHolds(session.dataset.path, this.uri.fsPath) ? session : undefined;
  }

  /** Whether the session being opened is on this file. */
  private sessionOpeningOnFile(): boolean {
    const opening = this.services.openingDataset;
    return opening !== undefined && datasetHolds(opening, this.uri.fsPath);
  }

  /** Indexes again (the file changed, or the session that lent its dataset went away). */
  reload(): void {
    void this.load();
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    // Writers append in bursts; wait for a quiet moment.
    this.reloadTimer = setTimeout(() => this.reload(), 1000);
  }

  /**
   * Swaps to the session's dataset when a session on this file opens (also while indexing on our own: the
   * session may finish first), back to our own when it closes.
   */
  private followSession(): void {
    const session = this.matchingSession();
    if (this.waitingForSession) {
      // Opened (the session's dataset), or failed, cancelled or replaced by another (index on our own).
      if (session || !this.sessionOpeningOnFile()) this.reload();
      return;
    }
    if (this.loading) {
      if (session !== this.loadingSession) this.reload();
      return;
    }
    const table = this.table;
    if (table ? (table.session ? session?.dataset !== table.dataset : session !== undefined) : session !== undefined) this.reload();
  }

  private setState(state: TableDocumentState): void {
    if (this.disposed) return;
    const old = this.current;
    this.current = state;
    this.stateEmitter.fire(state);
    if (old.kind === 'ready') void closeTable(old.table);
  }

  private async load(): Promise<void> {
    this.loading?.abort();
    const session = this.matchingSession();
    this.waitingForSession = !session && this.sessionOpeningOnFile();
    if (this.waitingForSession) {
      this.loading = undefined;
      this.setState({ kind: 'loading', message: 'Indexing with the runs…', fraction: null });
      return;
    }
    const controller = new AbortController();
    this.loading = controller;
    const { signal } = controller;
    const file = this.uri.fsPath;
    let lastReport = 0;
    const progress = (fraction: number) => {
      const now = Date.now();
      if (now - lastReport < 100 && fraction < 1) return;
      lastReport = now;
      if (this.loading === controller) this.setState({ kind: 'loading', message: `Indexing… ${Math.floor(fraction * 100)}%`, fraction });
    };
    this.setState({ kind: 'loading', message: 'Indexing…', fraction: 0 });
    const started = performance.now();
    let dataset: Dataset | undefined;
    let source: RecordSource | undefined;
    let ownFlags: FlagStore | undefined;
    this.loadingSession = session;
    try {
      if (session) {
        dataset = session.dataset;
        source = await openRecordSource(dataset, { signal, onProgress: progress });
      } else {
        this.services.log.info(`table: indexing ${file} on its own (no session on it)`);
        dataset = await openDataset(file, 'auto', { signal, onProgress: (done, total) => progress(total ? (0.8 * done) / total : 0) });
        source = await openRecordSource(dataset, { signal, onProgress: (f) => progress(0.8 + 0.2 * f) });
        ownFlags = await FlagStore.open(file).catch((err: Error) => {
          this.services.log.warn(`flags of ${file} cannot be read: ${err.message}`);
          return undefined;
        });
        for (const p of dataset.problems) this.services.log.warn(describeProblem(p));
      }
      signal.throwIfAborted();
      this.services.log.info(`table: ${file} indexed in ${(performance.now() - started).toFixed(0)} ms, ${plural(dataset.size, 'record')}${session ? ' (the session\'s dataset)' : ''}`);
      const table: LoadedTable = { dataset, source, session, ownFlags, notice: session ? '' : problemNotice(dataset) };
      if (this.loading !== controller || this.disposed) return void closeTable(table);
      this.setState({ kind: 'ready', table });
    } catch (err) {
      await source?.close();
      if (dataset && !session) await dataset.close().catch(() => undefined);
      if (signal.aborted || this.loading !== controller) return;
      const message = (err as Error).message;
      this.services.log.error(`table: ${message}`);
      this.setState({ kind: 'failed', message });
    } finally {
      if (this.loading === controller) this.loading = undefined;
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reloadTimer);
    this.loading?.abort();
    const table = this.table;
    if (table) void closeTable(table);
    for (const d of this.disposables) d.dispose();
  }
}

/** Closes what the table opened itself; a session's dataset stays open for the session. */
async function closeTable(table: LoadedTable): Promise<void> {
  await table.source.close().catch(() => undefined);
  if (!table.session) await table.dataset.close().catch(() => undefined);
}

function problemNotice(dataset: Dataset): string {
  const errors = dataset.problems.filter((p) => p.severity === 'error');
  if (errors.length === 0) return '';
  const first = errors[0];
  return `${plural(errors.length, 'line')} skipped (first: line ${first.line ?? '?'}: ${first.message}); details in the PreMem output.`;
}
