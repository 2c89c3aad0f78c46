// Opening a dataset: "Open Dataset with Runs…" (pickers, run format detected, premem.json offered), showing the
// dataset in the text editor or, when too large for it, in the table editor, and sending large JSONL files that
// were opened as text to the table editor.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, type PreMemConfig, type RunSource, serializeConfig } from '../core/config';
import { fieldText } from '../core/dataset/field-text';
import { fieldChoices, readFirstRecord } from '../core/dataset/first-record';
import { findDatasetShards } from '../core/dataset/open';
import { type CustomProfileSpec, detectProfile } from '../core/dataset/profiles';
import { findLmEvalSampleFiles } from '../core/runlog/lm-eval';
import { writeFileAtomic } from '../core/fs-atomic';
import { DEFAULT_FRAGILE_T } from '../core/metrics/dynamics';
import { detectRunFormat } from '../core/runlog/load';
import { DATASET_TABLE_VIEW_TYPE } from './dataset-table/editor';
import { samePath, type SessionManager } from './session-manager';

/** VS Code never hands files over this size to extensions as documents (no TextDocument, no decorations). */
export const SYNC_LIMIT_BYTES = 50 * 1024 * 1024;
const DATASET_FILTERS = { 'Datasets (JSONL, Parquet, JSON)': ['jsonl', 'parquet', 'json'] };

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
  const info = await stat(file).catch(() => undefined);
  // A Hugging Face dataset folder shows in the table, opened on its first shard: the table takes the whole
  // dataset from the session on the folder.
  if (info?.isDirectory()) file = (await findDatasetShards(file)).files[0];
  const uri = vscode.Uri.file(file);
  const size = info?.isDirectory() ? 0 : (info?.size ?? 0);
  if (needsTable(file, size)) {
    await vscode.commands.executeCommand('vscode.openWith', uri, DATASET_TABLE_VIEW_TYPE, { preview: false, preserveFocus: options.preserveFocus });
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false, preserveFocus: options.preserveFocus, viewColumn: options.beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.One });
}

/** After a session opens: the example panel beside the dataset. */
export async function showExamplePanel(manager: SessionManager): Promise<void> {
  // Without runs there is nothing to show beyond the record itself, which the editor already shows.
  if (!manager.session?.runs.length) return;
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
  const dataset = await datasetOfPick(datasetPick[0].fsPath);
  const profile = await chooseProfile(manager, dataset);
  if (profile === undefined) return;
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
      const source: RunSource = { path: uri.fsPath, format: await detectRunFormat(uri.fsPath) };
      if (source.format === 'lm-eval') {
        const task = await chooseLmEvalTask(uri.fsPath);
        if (task === null) return;
        if (task !== undefined) source.task = task;
      }
      runs.push(source);
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
    profile,
    runs,
    p: 'calibrate',
    t: DEFAULT_FRAGILE_T,
    answerFiles: 'released',
    output: path.join(base, 'runs', 'scored.premem.jsonl'),
  };
  if (!(await manager.open(config, { show: true }))) return;
  await offerToSaveConfig(manager, config, base);
}

/** A picked shard of a Hugging Face dataset (train-00000-of-00002.parquet) stands for its split's folder. */
async function datasetOfPick(file: string): Promise<string> {
  const shard = /-\d{5}-of-(\d{5})\.parquet$/i.exec(file);
  if (!shard || Number(shard[1]) < 2) return file;
  const folder = path.dirname(file);
  const split = await findDatasetShards(folder).catch(() => undefined);
  return split?.files.includes(file) ? folder : file;
}

/**
 * 'auto' when the dataset's layout is detected (or its first record cannot be read: opening reports why); else
 * the mapping chosen from its fields, shown with example values: query, target (a field or a template), and an
 * optional answer field. Undefined when cancelled.
 */
export async function chooseProfile(manager: SessionManager, dataset: string): Promise<'auto' | CustomProfileSpec | undefined> {
  const record = await readFirstRecord(dataset).catch(() => undefined);
  if (!record) return 'auto';
  try {
    detectProfile(record);
    return 'auto';
  } catch (err) {
    manager.log.info(`${path.basename(dataset)}: ${(err as Error).message}`);
  }
  const fields = fieldChoices(record);
  if (fields.length < 2) return 'auto';
  const items = (exclude: string[] = []) => fields.filter((f) => !exclude.includes(f.path)).map((f) => ({ label: f.path, description: f.example }));
  const name = path.basename(dataset);
  const query = await vscode.window.showQuickPick(items(), {
    title: `PreMem: ${name} has no layout PreMem knows. Which field is the question (the query)?`,
    placeHolder: 'Fields of the first record, with their values',
    ignoreFocusOut: true,
  });
  if (!query) return undefined;
  const template = { label: '$(edit) Join fields with a template…', description: 'e.g. {chain}\\n#### {result}' };
  const targetPick = await vscode.window.showQuickPick([...items([query.label]), template], {
    title: `PreMem: which field is the target trace (what the model learns to write)?`,
    placeHolder: `query: ${query.label}`,
    ignoreFocusOut: true,
  });
  if (!targetPick) return undefined;
  let target = targetPick.label;
  if (targetPick === template) {
    const typed = await vscode.window.showInputBox({
      title: 'PreMem: the target trace as a template',
      prompt: 'Field names in braces, \\n for a line break; {field?} may be missing',
      value: fields.filter((f) => f.path !== query.label).slice(0, 2).map((f) => `{${f.path}}`).join('\\n#### '),
      ignoreFocusOut: true,
      validateInput: (value) => {
        const text = fieldText(record, unescapeTemplate(value), 'target');
        return typeof text === 'string' ? undefined : `the first record has no text at '${text.path}'`;
      },
    });
    if (typed === undefined) return undefined;
    target = unescapeTemplate(typed);
  }
  const none = { label: 'None: the target states its final answer', description: '' };
  const answer = await vscode.window.showQuickPick([none, ...items([query.label, target])], {
    title: 'PreMem: which field holds the final answer, if one does?',
    placeHolder: `query: ${query.label} · target: ${target.replaceAll('\n', '\\n')}`,
    ignoreFocusOut: true,
  });
  if (!answer) return undefined;
  const spec: CustomProfileSpec = { query: query.label, target };
  if (answer !== none) spec.answer = answer.label;
  manager.log.info(`${name}: mapped query '${spec.query}', target '${spec.target}'${spec.answer ? `, answer '${spec.answer}'` : ''}`);
  return spec;
}

const unescapeTemplate = (s: string) => s.replaceAll('\\n', '\n');

/**
 * The lm-eval task to read from a run folder holding several (a picker); undefined when it holds one, null when
 * the picker was dismissed.
 */
async function chooseLmEvalTask(run: string): Promise<string | undefined | null> {
  const files = await findLmEvalSampleFiles(run);
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.task, (counts.get(f.task) ?? 0) + 1);
  if (counts.size < 2) return undefined;
  const pick = await vscode.window.showQuickPick(
    [...counts].sort().map(([task, n]) => ({ label: task, description: `${n} samples file${n === 1 ? '' : 's'}` })),
    { title: `PreMem: ${path.basename(run)} holds samples of several lm-eval tasks. Which one scored this dataset?`, ignoreFocusOut: true },
  );
  return pick ? pick.label : null;
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
    for (const tab of e.opened) {
      if (!(tab.input instanceof vscode.TabInputText) || tab.input.uri.scheme !== 'file') continue;
      const uri = tab.input.uri;
      if (!/\.jsonl$/i.test(uri.fsPath) || routed.has(uri.fsPath)) continue;
      const size = (await stat(uri.fsPath).catch(() => undefined))?.size ?? 0;
      if (size <= largeFileThreshold()) continue;
      routed.add(uri.fsPath);
      manager.log.info(`${uri.fsPath} is ${(size / 2 ** 20).toFixed(0)} MB: opening it in the table editor`);
      await vscode.commands.executeCommand('vscode.openWith', uri, DATASET_TABLE_VIEW_TYPE, { viewColumn: tab.group.viewColumn, preview: false });
      await vscode.window.tabGroups.close(tab).then(undefined, () => undefined);
    }
  });
}
