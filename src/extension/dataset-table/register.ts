// Registers the dataset table editor and "PreMem: Open Dataset in Table View".
import { extname } from 'node:path';
import * as vscode from 'vscode';
import type { PreMemServices } from '../services';
import { DATASET_TABLE_VIEW_TYPE } from './editor';
import { DatasetTableProvider } from './provider';

const DATASET_EXTENSIONS = new Set(['.jsonl', '.ndjson', '.jsonlines', '.json', '.parquet', '.pq']);

export function registerDatasetTable(services: PreMemServices): vscode.Disposable[] {
  return [
    vscode.window.registerCustomEditorProvider(DATASET_TABLE_VIEW_TYPE, new DatasetTableProvider(services), {
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand('premem.openLargeDataset', (target?: unknown) => openLargeDataset(services, target)),
  ];
}

/**
 * Opens a dataset in the table: the file passed in (a Uri from the explorer, or a path), else the active
 * editor's file when it is a dataset, else the open session's dataset, else one picked in a dialog.
 */
async function openLargeDataset(services: PreMemServices, target: unknown): Promise<void> {
  const uri = targetUri(target) ?? activeDatasetUri() ?? sessionDatasetUri(services) ?? (await pickDataset());
  if (!uri) return;
  await vscode.commands.executeCommand('vscode.openWith', uri, DATASET_TABLE_VIEW_TYPE, { preview: false });
}

function targetUri(target: unknown): vscode.Uri | undefined {
  if (target instanceof vscode.Uri) return target;
  if (typeof target === 'string' && target) return /^[a-z][\w+.-]+:\/\//i.test(target) ? vscode.Uri.parse(target) : vscode.Uri.file(target);
  return undefined;
}

function activeDatasetUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  return uri?.scheme === 'file' && DATASET_EXTENSIONS.has(extname(uri.fsPath).toLowerCase()) ? uri : undefined;
}

function sessionDatasetUri(services: PreMemServices): vscode.Uri | undefined {
  const file = services.session?.dataset.path;
  return file ? vscode.Uri.file(file) : undefined;
}

async function pickDataset(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'PreMem: open a dataset in the table view',
    openLabel: 'Open in Table',
    canSelectMany: false,
    filters: { 'Datasets (JSONL, Parquet, JSON)': ['jsonl', 'ndjson', 'jsonlines', 'json', 'parquet', 'pq'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}
