// Keeps the open session in step with the disk: records appended to PreMem run logs are read incrementally,
// other run-log changes and a changed dataset re-open the session quietly, a changed premem.json re-reads it,
// and a changed flag file is reloaded.
import { statSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, readConfig } from '../core/config';
import { flagFilePath } from '../core/flags/flag-store';
import { PREMEM_LOG_SUFFIX } from '../core/runlog/premem/find-and-load';
import type { AnalysisSession } from '../core/session';
import type { SessionManager } from './session-manager';
import { samePath } from './session-manager';

export const RUN_LOG_DEBOUNCE_MS = 300;
const REOPEN_DEBOUNCE_MS = 800;

/** Runs `action` once `delay` ms after the last call; calls during a running action queue one more run. */
export function debounced(delay: number, action: () => Promise<unknown>): { (): void; dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let again = false;
  const fire = () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = action()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          trigger();
        }
      });
  };
  const trigger = () => {
    clearTimeout(timer);
    timer = setTimeout(fire, delay);
  };
  return Object.assign(trigger, { dispose: () => clearTimeout(timer) });
}

export class SessionWatcher implements vscode.Disposable {
  private watchers: vscode.Disposable[] = [];
  private watchedFor: AnalysisSession | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly refreshRuns = debounced(RUN_LOG_DEBOUNCE_MS, () => this.readAppendedRecords());
  private readonly reopen = debounced(REOPEN_DEBOUNCE_MS, () => this.manager.reopen());
  private readonly reloadConfig = debounced(RUN_LOG_DEBOUNCE_MS, () => this.openChangedConfig());
  private pendingNewLogs = false;

  constructor(private readonly manager: SessionManager) {
    this.disposables.push(
      this.refreshRuns,
      this.reopen,
      this.reloadConfig,
      manager.onDidChangeSession((session) => this.watch(session)),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (!manager.isDatasetDocument(document)) return;
        manager.markDatasetStale();
        this.reopen();
      }),
      this.watchWorkspaceConfig(),
    );
    this.watch(manager.session);
  }

  private watch(session: AnalysisSession | undefined): void {
    if (session === this.watchedFor) return;
    const previousConfig = this.watchedFor?.config;
    this.watchedFor = session;
    const config = session?.config;
    // A re-open of the same inputs keeps the watchers (no event is lost between two sessions).
    if (config && previousConfig && sameInputs(config, previousConfig)) return;
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    if (!session || !config) return;
    for (const source of config.runs) this.watchPath(source.path, (uri, kind) => this.runLogChanged(uri, kind));
    this.watchPath(config.dataset, () => {
      this.manager.markDatasetStale();
      this.reopen();
    });
    this.watchPath(flagFilePath(config.dataset), () => void this.manager.flags?.reload());
    if (config.file) this.watchPath(config.file, () => this.reloadConfig());
  }

  /** A watcher on one file, or on everything under a folder; paths outside the workspace work too. */
  private watchPath(target: string, onEvent: (uri: vscode.Uri, kind: 'create' | 'change' | 'delete') => void): void {
    const pattern = isFolder(target)
      ? new vscode.RelativePattern(vscode.Uri.file(target), '**/*')
      : new vscode.RelativePattern(vscode.Uri.file(path.dirname(target)), path.basename(target));
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    watcher.onDidCreate((uri) => onEvent(uri, 'create'));
    watcher.onDidChange((uri) => onEvent(uri, 'change'));
    watcher.onDidDelete((uri) => onEvent(uri, 'delete'));
    this.watchers.push(watcher);
  }

  private runLogChanged(uri: vscode.Uri, kind: 'create' | 'change' | 'delete'): void {
    const file = uri.fsPath;
    this.manager.log.debug(`run log ${kind}: ${file}`);
    if (file.endsWith(PREMEM_LOG_SUFFIX) || (kind === 'change' && this.isKnownPreMemLog(file))) {
      if (kind === 'create') this.pendingNewLogs = true;
      this.refreshRuns();
    } else if (/\.(npy|json|jsonl)$/i.test(file)) {
      this.reopen();
    }
  }

  /** A file some run was read from as a PreMem log (a log need not carry the usual suffix). */
  private isKnownPreMemLog(file: string): boolean {
    return this.manager.session?.runs.some((r) => r.source.format === 'premem' && samePath(r.source.path, file)) ?? false;
  }

  private async readAppendedRecords(): Promise<void> {
    const newFiles = this.pendingNewLogs;
    this.pendingNewLogs = false;
    const changed = await this.manager.refreshRuns();
    // A log that did not exist when the session opened has no reader yet: only a re-open reads it.
    if (!changed && newFiles) this.reopen();
  }

  private async openChangedConfig(): Promise<void> {
    const file = this.manager.session?.config.file;
    if (!file) return this.openWorkspaceConfigIfAny();
    try {
      const config = await readConfig(file);
      await this.manager.open(config, { quiet: true });
    } catch (err) {
      this.manager.log.error((err as Error).message);
      void vscode.window.showErrorMessage(`PreMem: ${(err as Error).message}`);
    }
  }

  private async openWorkspaceConfigIfAny(): Promise<void> {
    if (!this.manager.session && !this.manager.loading) await this.manager.openWorkspaceConfig();
  }

  /**
   * A premem.json created in a workspace folder while no session is open opens it. So does a PreMem run log
   * created while none is open: a premem.json opened before its training wrote any log fails to open (its runs
   * are not there yet), and the first log is the moment to try again.
   */
  private watchWorkspaceConfig(): vscode.Disposable {
    const subscriptions: vscode.Disposable[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const config = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, CONFIG_FILE), false, true, true);
      config.onDidCreate(() => this.reloadConfig());
      const logs = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `**/*${PREMEM_LOG_SUFFIX}`), false, true, true);
      logs.onDidCreate(() => {
        if (!this.manager.session) this.reloadConfig();
      });
      subscriptions.push(config, logs);
    }
    return vscode.Disposable.from(...subscriptions);
  }

  dispose(): void {
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function isFolder(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false; // not there yet: watched as a file, created later
  }
}

function sameInputs(a: AnalysisSession['config'], b: AnalysisSession['config']): boolean {
  return (
    a.file === b.file &&
    a.dataset === b.dataset &&
    a.runs.length === b.runs.length &&
    a.runs.every((r, i) => r.path === b.runs[i].path)
  );
}
