// Opening a dataset: "Open Dataset with Runs…" (pickers, run format detected, premem.json offered), showing the
// dataset in the text editor or, when too large for it, in the table editor, and sending large JSONL files that
// were opened as text to the table editor.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, type PreMemConfig, serializeConfig } from '../core/config';
import { writeFileAtomic } from '../core/fs-atomic';
import { DEFAULT_FRAGILE_T } from '../core/metrics/dynamics';
import { detectRunFormat } from '../core/runlog/load';
import { samePath, type SessionManager } from './session-manager';

/** VS Code never hands files over this size to extensions as documents (no TextDocument, no decorations). */
export const SYNC_LIMIT_BYTES = 50 * 1024 * 1024;
export const TABLE_VIEW_TYPE = 'premem.datasetTable';
const DATASET_FILTERS = { 'Datasets (JSONL, Parquet, JSON)': ['jsonl', 'parquet', 'json'] };

/** Whether the table editor was registered by this build (set at activation). */
let tableEditorAvailable = false;
export function setTableEditorAvailable(available: boolean): void {
  tableEditorAvailable = available;
}

/** Size above which a dataset opens in the table editor: the setting, never above the sync limit. */
export function largeFileThreshold(): number {
  const mb = vscode.workspace.getConfiguration('premem').get<number>('largeFileThresholdMB', 20);
  return Math.min(SYNC_LIMIT_BYTES, Math.max(1, mb) * 1024 * 1024);
}

export function needsTable(file: string, size: number): boolean {
  return size > largeFileThreshold() || /\.parquet$/i.test(file);
}

/**
 * Shows the open session's dataset: the text editor for JSONL under the size threshold, else the table editor.
 * Returns the text editor, or undefined when the table (or nothing) shows it.
 */
export async function openDatasetView(manager: SessionManager, options: DatasetViewOptions = {}): Promise<vscode.TextEditor | undefined> {
  const session = manager.session;
  return session ? openDatasetFile(manager, session.dataset.path, options) : undefined;
}

/** `beside`: in the group beside the active one (asked from the table, whose group it would cover otherwise). */
export interface DatasetViewOptions {
  preserveFocus?: boolean;
  beside?: boolean;
}

/** Shows a dataset file (also before its session is ready: the editor opens while indexing runs). */
export async function openDatasetFile(manager: SessionManager, file: string, options: DatasetViewOptions = {}): Promise<vscode.TextEditor | undefined> {
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'file' && samePath(e.document.uri.fsPath, file));
  if (visible) return visible;
  const uri = vscode.Uri.file(file);
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  if (needsTable(file, size)) {
    if (!tableEditorAvailable) {
      manager.log.warn(`${file} (${(size / 2 ** 20).toFixed(0)} MB) is too large for the text editor, and the table editor is not available`);
      return undefined;
    }
    await vscode.commands.executeCommand('vscode.openWith', uri, TABLE_VIEW_TYPE, { preview: false, preserveFocus: options.preserveFocus });
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false, preserveFocus: options.preserveFocus, viewColumn: options.beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.One });
}

/** After a session opens: the example panel beside the dataset, when the panel is installed. */
export async function showExamplePanel(manager: SessionManager): Promise<void> {
  // Without runs there is nothing to show beyond the record itself, which the editor already shows.
  if (!manager.session?.runs.length || !(await vscode.commands.getCommands(true)).includes('premem.showExample')) return;
  const editor = manager.datasetEditor();
  const index = manager.currentExample ?? (editor ? manager.indexAtLine(editor.document, editor.selection.active.line) : undefined) ?? 0;
  await vscode.commands.executeCommand('premem.showExample', index);
}

/** "PreMem: Open Dataset with Runs…": asks for the dataset and the runs, opens them, offers to save premem.json. */
export async function openDatasetWithRuns(manager: SessionManager): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  const datasetPick = await vscode.window.showOpenDialog({
    title: 'PreMem: the training dataset',
    openLabel: 'Use as Dataset',
    canSelectMany: false,
    filters: DATASET_FILTERS,
    defaultUri: folder?.uri,
  });
  if (!datasetPick?.[0]) return;
  const dataset = datasetPick[0].fsPath;
  const runsPick = await vscode.window.showOpenDialog({
    title: 'PreMem: the run logs (a folder, or PreMem / lm-eval log files)',
    openLabel: 'Use as Runs',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: true,
    defaultUri: vscode.Uri.file(path.dirname(dataset)),
  });
  if (!runsPick?.length) return;
  const runs: PreMemConfig['runs'] = [];
  for (const uri of runsPick) {
    try {
      runs.push({ path: uri.fsPath, format: await detectRunFormat(uri.fsPath) });
    } catch (err) {
      manager.log.error((err as Error).message);
      void vscode.window.showErrorMessage(`PreMem: ${(err as Error).message}`);
      return;
    }
  }
  const base = folder?.uri.fsPath ?? path.dirname(dataset);
  const config: PreMemConfig = {
    file: '',
    dataset,
    profile: 'auto',
    runs,
    p: 'calibrate',
    t: DEFAULT_FRAGILE_T,
    answerFiles: 'released',
    output: path.join(base, 'runs', 'scored.premem.jsonl'),
  };
  if (!(await manager.open(config, { show: true }))) return;
  await offerToSaveConfig(manager, config, base);
}

async function offerToSaveConfig(manager: SessionManager, config: PreMemConfig, base: string): Promise<void> {
  const target = path.join(base, CONFIG_FILE);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  const save = exists ? `Replace ${CONFIG_FILE}` : `Save ${CONFIG_FILE}`;
  const choice = await vscode.window.showInformationMessage(
    `PreMem: save the dataset and runs as ${CONFIG_FILE}, so this workspace opens them by itself?`,
    save,
    'Not Now',
  );
  if (choice !== save) return;
  const text = serializeConfig(config, target);
  try {
    await writeFileAtomic(target, text);
    manager.log.info(`wrote ${target}`);
  } catch (err) {
    void vscode.window.showErrorMessage(`PreMem: cannot write ${target}: ${(err as Error).message}`);
  }
}

/**
 * A JSONL file over the threshold opened as text (from the explorer, say) is reopened in the table editor once;
 * reopening it as text afterwards is left alone.
 */
export function routeLargeFiles(manager: SessionManager): vscode.Disposable {
  const routed = new Set<string>();
  return vscode.window.tabGroups.onDidChangeTabs(async (e) => {
    if (!tableEditorAvailable) return;
    for (const tab of e.opened) {
      if (!(tab.input instanceof vscode.TabInputText) || tab.input.uri.scheme !== 'file') continue;
      const uri = tab.input.uri;
      if (!/\.jsonl$/i.test(uri.fsPath) || routed.has(uri.fsPath)) continue;
      const size = (await stat(uri.fsPath).catch(() => undefined))?.size ?? 0;
      if (size <= largeFileThreshold()) continue;
      routed.add(uri.fsPath);
      manager.log.info(`${uri.fsPath} is ${(size / 2 ** 20).toFixed(0)} MB: opening it in the table editor`);
      await vscode.commands.executeCommand('vscode.openWith', uri, TABLE_VIEW_TYPE, { viewColumn: tab.group.viewColumn, preview: false });
      await vscode.window.tabGroups.close(tab).then(undefined, () => undefined);
    }
  });
}
