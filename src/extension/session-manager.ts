// Owns the open analysis session and everything the views share about it (PreMemServices): opening with a
// progress notification, reporting input problems, the flags, the example under the cursor, and where each
// example's record sits in the dataset editor.
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, type PreMemConfig, readConfig } from '../core/config';
import { FlagStore } from '../core/flags/flag-store';
import { defaultAuthor } from '../core/flags/flag-events';
import type { InputProblem } from '../core/model';
import { defaultRunIndex } from '../core/default-run';
import { AnalysisSession } from '../core/session';
import { describeProblem, mismatchedRunsMessage, plural, problemsHeadline } from './format';
import { indexAtIndexedLine, indexOfRecordText } from './line-map';
import { type DatasetViewOptions, openDatasetFile, openDatasetView, showExamplePanel } from './open-dataset';
import type { PreMemServices } from './services';

const ACTIVE_CONTEXT = 'premem.active';
const SELECTION_STATE = 'premem.selection';

interface RememberedSelection {
  dataset: string;
  run: string;
  checkpoint: string;
}

export interface OpenOptions {
  /** Progress in the status bar instead of a notification (re-reading after a change on disk). */
  quiet?: boolean;
  /** Keep p, t and the selected run/checkpoint of the session being replaced. */
  keepState?: boolean;
  /** Show the dataset while it is indexed, and the example panel once the session is open. */
  show?: boolean;
}

export class SessionManager implements PreMemServices, vscode.Disposable {
  private current: AnalysisSession | undefined;
  private flagStore: FlagStore | undefined;
  private example: number | undefined;
  private opening: AbortController | undefined;
  private openingConfig: PreMemConfig | undefined;
  /** The dataset file changed on disk since it was indexed; lines are matched by content until re-indexed. */
  private datasetStale = false;
  private sessionSubscriptions: (() => void)[] = [];
  private cachedAuthor: string | undefined;
  /** When the open that has not shown marks yet began (for the "opening to marks visible" timing). */
  private marksPendingSince: number | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly exampleEmitter = new vscode.EventEmitter<number | undefined>();
  private readonly sessionEmitter = new vscode.EventEmitter<AnalysisSession | undefined>();
  private readonly loadingEmitter = new vscode.EventEmitter<boolean>();
  private readonly disposables: vscode.Disposable[] = [];

  readonly onDidChange = this.changeEmitter.event;
  readonly onDidChangeCurrentExample = this.exampleEmitter.event;
  /** Fires when a session is opened, replaced or closed (the config and its paths may differ). */
  readonly onDidChangeSession = this.sessionEmitter.event;
  readonly onDidChangeLoading = this.loadingEmitter.event;

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changeEmitter,
      this.exampleEmitter,
      this.sessionEmitter,
      this.loadingEmitter,
      vscode.window.onDidChangeTextEditorSelection((e) => this.followCursor(e.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.followCursor(editor)),
    );
  }

  get session(): AnalysisSession | undefined {
    return this.current;
  }

  get flags(): FlagStore | undefined {
    return this.flagStore;
  }

  get currentExample(): number | undefined {
    return this.example;
  }

  get loading(): boolean {
    return this.opening !== undefined;
  }

  get openingDataset(): string | undefined {
    return this.openingConfig?.dataset;
  }

  /**
   * Opens the premem.json of the first workspace folder that has one: true when opened, false when no folder has
   * one (or it failed, said), 'waiting' when none of the runs it names is written yet.
   */
  async openWorkspaceConfig(options: OpenOptions = {}): Promise<boolean | 'waiting'> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const file = path.join(folder.uri.fsPath, CONFIG_FILE);
      if (!(await stat(file).catch(() => undefined))?.isFile()) continue;
      let config: PreMemConfig;
      try {
        config = await readConfig(file);
      } catch (err) {
        this.reportFailure(err, file);
        return false;
      }
      if (await noRunLogYet(config)) {
        // Before a training job writes its first log, the runs premem.json names are not there: nothing to open,
        // and nothing wrong. The first run log to appear opens it (SessionWatcher).
        this.log.info(`${file}: no run log at ${config.runs.map((r) => r.path).join(', ')} yet; it opens when one appears`);
        vscode.window.setStatusBarMessage('PreMem: waiting for the first run log', 30_000);
        return 'waiting';
      }
      return this.open(config, options);
    }
    return false;
  }

  /**
   * Indexes the dataset and reads the runs in the background (cancellable progress), then makes the result the
   * open session. Input problems go to the log with file:line and are summarised in one warning.
   */
  async open(config: PreMemConfig, options: OpenOptions = {}): Promise<boolean> {
    this.opening?.abort();
    const controller = new AbortController();
    this.opening = controller;
    this.openingConfig = config;
    this.loadingEmitter.fire(true);
    const started = performance.now();
    const title = `PreMem: opening ${path.basename(config.dataset)}`;
    // The editor opens the file while the index is built, so the marks appear as soon as the session is ready.
    const shown = options.show
      ? openDatasetFile(this, config.dataset).then(
          () => this.log.info(`dataset shown in the editor ${(performance.now() - started).toFixed(0)} ms after opening began`),
          (err: Error) => this.log.warn(`cannot show ${config.dataset}: ${err.message}`),
        )
      : undefined;
    try {
      const session = await vscode.window.withProgress(
        { location: options.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title, cancellable: !options.quiet },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let reported = 0;
          return AnalysisSession.open(
            config,
            (message, fraction) => {
              const increment = fraction === undefined ? undefined : Math.max(0, fraction - reported) * 100;
              if (fraction !== undefined) reported = Math.max(reported, fraction);
              progress.report({ message, increment });
            },
            controller.signal,
          );
        },
      );
      if (controller.signal.aborted) {
        await session.close();
        return false;
      }
      const flags = await FlagStore.open(config.dataset).catch((err: Error) => {
        this.log.error(`flags of ${config.dataset} cannot be read: ${err.message}`);
        return undefined;
      });
      this.restoreState(session, options.keepState ? this.current : undefined);
      const loadedMs = performance.now() - started;
      this.marksPendingSince = started;
      await this.install(session, flags);
      this.log.info(
        `opened ${config.dataset}: ${plural(session.dataset.size, 'example')}, ${plural(session.runs.length, 'run')}, ` +
          `${plural(session.runs.reduce((s, r) => s + r.checkpoints.length, 0), 'checkpoint')} in ${loadedMs.toFixed(0)} ms`,
      );
      this.reportMismatchedRuns(session);
      this.reportProblems([...session.problems, ...(flags?.problems ?? [])]);
      if (shown) {
        await shown;
        await showExamplePanel(this);
      }
      return true;
    } catch (err) {
      if (controller.signal.aborted) {
        this.log.info(`opening ${config.dataset} was cancelled`);
        return false;
      }
      this.reportFailure(err, config.file || config.dataset);
      return false;
    } finally {
      if (this.opening === controller) {
        this.opening = undefined;
        this.openingConfig = undefined;
        this.loadingEmitter.fire(false);
      }
    }
  }

  /** Reads the open session's inputs again (the dataset or a run log was replaced on disk). */
  async reopen(options: OpenOptions = { quiet: true, keepState: true }): Promise<boolean> {
    const config = this.current?.config;
    if (!config) return false;
    if (config.file) {
      try {
        return await this.open(await readConfig(config.file), options);
      } catch (err) {
        this.reportFailure(err, config.file);
        return false;
      }
    }
    return this.open(config, options);
  }

  /** Picks up records appended to PreMem run logs; true when anything changed. */
  async refreshRuns(): Promise<boolean> {
    const session = this.current;
    if (!session) return false;
    const started = performance.now();
    const changed = await session.refresh();
    if (changed) this.log.info(`run logs re-read in ${(performance.now() - started).toFixed(0)} ms`);
    return changed;
  }

  async close(): Promise<void> {
    this.opening?.abort();
    const old = this.current;
    if (!old) return;
    this.current = undefined;
    this.flagStore = undefined;
    this.unsubscribe();
    this.setExample(undefined);
    await vscode.commands.executeCommand('setContext', ACTIVE_CONTEXT, false);
    this.sessionEmitter.fire(undefined);
    this.changeEmitter.fire();
    await old.close();
  }

  /** Called by the marks after decorating: logs how long the last open took until marks were on screen. */
  noteMarksVisible(count: number): void {
    if (this.marksPendingSince === undefined || count === 0) return;
    this.log.info(`marks visible ${(performance.now() - this.marksPendingSince).toFixed(0)} ms after opening began`);
    this.marksPendingSince = undefined;
  }

  /** Marks the dataset's line index as outdated until the next re-index (a save or a change on disk). */
  markDatasetStale(): void {
    if (this.datasetStale || !this.current) return;
    this.datasetStale = true;
    this.changeEmitter.fire();
  }

  // --- where examples are in the dataset editor ---------------------------------------------------------

  datasetUri(): vscode.Uri | undefined {
    return this.current && vscode.Uri.file(this.current.dataset.path);
  }

  isDatasetDocument(document: vscode.TextDocument): boolean {
    return !!this.current && document.uri.scheme === 'file' && samePath(document.uri.fsPath, this.current.dataset.path);
  }

  /** Whether line numbers in the document still are those the dataset was indexed with. */
  linesMatchIndex(document: vscode.TextDocument): boolean {
    return !this.datasetStale && !document.isDirty;
  }

  /** The example on a 0-based line of the dataset document; by key when the document was edited since indexing. */
  indexAtLine(document: vscode.TextDocument, line0: number): number | undefined {
    const session = this.current;
    if (!session || line0 < 0 || line0 >= document.lineCount) return undefined;
    if (this.linesMatchIndex(document)) return indexAtIndexedLine(session.dataset, line0);
    return indexOfRecordText(session.dataset, document.lineAt(line0).text);
  }

  /** The dataset editor: the active one when it shows the dataset, else a visible one. */
  datasetEditor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active && this.isDatasetDocument(active.document)) return active;
    return vscode.window.visibleTextEditors.find((e) => this.isDatasetDocument(e.document));
  }

  async revealExample(index: number, options: DatasetViewOptions = {}): Promise<void> {
    const session = this.current;
    if (!session || index < 0 || index >= session.dataset.size) return;
    this.setExample(index);
    let editor = this.datasetEditor();
    editor ??= await openDatasetView(this, options);
    if (!editor) return; // shown in the table editor, which follows currentExample
    let line0 = session.dataset.lines[index] - 1;
    if (!this.linesMatchIndex(editor.document)) line0 = findLineByContent(this, editor.document, index) ?? line0;
    line0 = Math.min(line0, editor.document.lineCount - 1);
    const position = new vscode.Position(line0, 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    if (!options.preserveFocus) await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
  }

  async author(): Promise<string> {
    const configured = vscode.workspace.getConfiguration('premem').get<string>('author', '').trim();
    if (configured) return configured;
    this.cachedAuthor ??= (await gitUserName(this.current?.config.file ? path.dirname(this.current.config.file) : undefined)) || defaultAuthor();
    return this.cachedAuthor;
  }

  dispose(): void {
    this.opening?.abort();
    this.unsubscribe();
    void this.current?.close();
    this.current = undefined;
    for (const d of this.disposables) d.dispose();
  }

  // --- internals ----------------------------------------------------------------------------------------

  private async install(session: AnalysisSession, flags: FlagStore | undefined): Promise<void> {
    const old = this.current;
    this.unsubscribe();
    this.current = session;
    this.flagStore = flags;
    this.datasetStale = false;
    this.sessionSubscriptions.push(
      session.onDidChange(() => {
        this.rememberSelection();
        this.changeEmitter.fire();
      }).dispose,
    );
    if (flags) this.sessionSubscriptions.push(flags.onChange(() => this.changeEmitter.fire()));
    if (this.example !== undefined && this.example >= session.dataset.size) this.setExample(undefined);
    await vscode.commands.executeCommand('setContext', ACTIVE_CONTEXT, true);
    this.sessionEmitter.fire(session);
    this.changeEmitter.fire();
    const editor = this.datasetEditor();
    if (editor) this.followCursor(editor);
    if (old && old !== session) await old.close();
  }

  private unsubscribe(): void {
    for (const off of this.sessionSubscriptions) off();
    this.sessionSubscriptions = [];
  }

  /** Carries p, t and the selection over from the session being replaced, else from the last visit. */
  private restoreState(session: AnalysisSession, previous: AnalysisSession | undefined): void {
    const runs = session.runs;
    const find = (runId: string, checkpointId: string) => {
      const r = runs.findIndex((run) => run.id === runId);
      const c = r >= 0 ? runs[r].checkpoints.findIndex((ck) => ck.id === checkpointId) : -1;
      return r >= 0 ? { r, c: c >= 0 ? c : undefined } : undefined;
    };
    if (previous) {
      session.setThreshold(previous.thr);
      session.setT(previous.t);
      const prevRun = previous.runs[previous.selectedRun];
      const at = prevRun && find(prevRun.id, prevRun.checkpoints[previous.selectedCheckpoint]?.id ?? '');
      if (at) return session.select(at.r, at.c);
    }
    const remembered = this.context.workspaceState.get<RememberedSelection>(SELECTION_STATE);
    if (remembered && samePath(remembered.dataset, session.dataset.path)) {
      const at = find(remembered.run, remembered.checkpoint);
      if (at) return session.select(at.r, at.c);
    }
    const best = defaultRunIndex(runs);
    if (best >= 0) session.select(best);
  }

  private rememberSelection(): void {
    const session = this.current;
    const run = session?.runs[session.selectedRun];
    const checkpoint = run?.checkpoints[session!.selectedCheckpoint];
    if (!session || !run || !checkpoint) return;
    const state: RememberedSelection = { dataset: session.dataset.path, run: run.id, checkpoint: checkpoint.id };
    void this.context.workspaceState.update(SELECTION_STATE, state);
  }

  private followCursor(editor: vscode.TextEditor): void {
    if (!this.current || !this.isDatasetDocument(editor.document) || editor !== vscode.window.activeTextEditor) return;
    const index = this.indexAtLine(editor.document, editor.selection.active.line);
    if (index !== undefined) this.setExample(index);
  }

  private setExample(index: number | undefined): void {
    if (index === this.example) return;
    this.example = index;
    this.exampleEmitter.fire(index);
  }

  private reportMismatchedRuns(session: AnalysisSession): void {
    const mismatched = session.mismatchedRuns();
    if (mismatched.length === 0) return;
    const dataset = session.dataset.path;
    const message = mismatchedRunsMessage(vscode.workspace.asRelativePath(dataset), mismatched, session.dataset.problems);
    this.log.error(message);
    void vscode.window.showErrorMessage(`PreMem: ${message}`, 'Open Dataset', 'Show Log').then(async (choice) => {
      if (choice === 'Show Log') this.log.show(true);
      else if (choice) await vscode.window.showTextDocument(vscode.Uri.file(dataset));
    });
  }

  private reportProblems(problems: InputProblem[]): void {
    if (problems.length === 0) return;
    for (const p of problems) (p.severity === 'error' ? this.log.error : this.log.warn).call(this.log, describeProblem(p));
    const headline = problemsHeadline(problems, (file) => vscode.workspace.asRelativePath(file));
    void vscode.window.showWarningMessage(`PreMem: ${headline}`, 'Show Log').then((choice) => {
      if (choice) this.log.show(true);
    });
  }

  private reportFailure(err: unknown, file: string): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log.error(message);
    if (!(err instanceof Error && err.name === 'InputError')) this.log.error((err as Error)?.stack ?? '');
    const actions = path.basename(file) === CONFIG_FILE ? ['Open premem.json', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(`PreMem: ${message}`, ...actions).then(async (choice) => {
      if (choice === 'Show Log') this.log.show(true);
      else if (choice) await vscode.window.showTextDocument(vscode.Uri.file(file));
    });
  }
}

/**
 * Whether no run path of a premem.json holds anything yet: each is missing or an empty folder (a training job makes
 * its folder, then writes its log). False for a config without runs.
 */
async function noRunLogYet(config: PreMemConfig): Promise<boolean> {
  const empty = await Promise.all(config.runs.map((r) => readdir(r.path).then((entries) => entries.length === 0, (err: NodeJS.ErrnoException) => err.code === 'ENOENT')));
  return empty.length > 0 && empty.every(Boolean);
}

/** Where a record is in an edited document: its indexed line if it still holds it, else a search by key. */
function findLineByContent(manager: SessionManager, document: vscode.TextDocument, index: number): number | undefined {
  const guess = manager.session!.dataset.lines[index] - 1;
  if (guess < document.lineCount && manager.indexAtLine(document, guess) === index) return guess;
  for (let d = 1; d < document.lineCount; d++) {
    for (const line of [guess - d, guess + d]) {
      if (line >= 0 && line < document.lineCount && manager.indexAtLine(document, line) === index) return line;
    }
    if (guess - d < 0 && guess + d >= document.lineCount) break;
  }
  return undefined;
}

export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => path.resolve(p);
  return process.platform === 'win32' || process.platform === 'darwin' ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}

function gitUserName(cwd: string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.name'], { cwd, timeout: 2000 }, (err, stdout) => resolve(err ? undefined : stdout.trim() || undefined));
  });
}
