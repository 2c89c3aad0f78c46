// premem.exportRecollection: writes the re-collection set (fragile examples of the selected run and checkpoint at the
// session's p and t, optionally with flagged ones, never those flagged "keep") to a JSONL, CSV or Parquet file.
import path from 'node:path';
import * as vscode from 'vscode';
import { exportRecollection, recollectionFileName, type RecollectionSummary, selectRecollection } from '../../core/export/recollection';
import type { ExportFormat } from '../../core/export/writers';
import { DATASET_TABLE_VIEW_TYPE } from '../dataset-table/editor';
import type { PreMemServices } from '../services';

export function registerExportCommand(services: PreMemServices): vscode.Disposable {
  return vscode.commands.registerCommand('premem.exportRecollection', async () => {
    try {
      await exportCommand(services);
    } catch (err) {
      void vscode.window.showErrorMessage(`PreMem: export failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

/** The formats offered, each with the extension its file name gets by default. */
const FORMATS: (vscode.QuickPickItem & { format: ExportFormat; extension: string })[] = [
  { label: 'JSON Lines', description: '.jsonl · the original records plus a "premem" field', format: 'jsonl', extension: 'jsonl' },
  { label: 'CSV', description: '.csv · one row per example, for spreadsheets', format: 'csv', extension: 'csv' },
  { label: 'Parquet', description: '.parquet · columnar, for pandas, Polars, Hugging Face datasets', format: 'parquet', extension: 'parquet' },
];

async function exportCommand(services: PreMemServices): Promise<void> {
  const session = services.session;
  if (!session || session.runs.length === 0) {
    void vscode.window.showInformationMessage('PreMem: open a dataset with its runs first.');
    return;
  }
  const run = session.runs[session.selectedRun];
  const checkpoint = run.checkpoints[session.selectedCheckpoint];
  const base = { dataset: session.dataset, runs: session.prepared, runId: run.id, checkpointId: checkpoint.id, thr: session.thr, t: session.t, flags: services.flags };

  const format = await vscode.window.showQuickPick(FORMATS, { title: 'PreMem: export the re-collection set as', placeHolder: 'File format' });
  if (!format) return;
  const datasetPath = session.dataset.path;
  const out = await vscode.window.showSaveDialog({
    title: `Export the re-collection set (run ${run.id}, ${checkpoint.id}, t = ${session.t})`,
    defaultUri: vscode.Uri.file(path.join(path.dirname(datasetPath), recollectionFileName(datasetPath, format.extension))),
    filters: { [format.label]: [format.extension] },
    saveLabel: 'Export',
  });
  if (!out) return;

  const preview = selectRecollection({ ...base, includeFlagged: true });
  const options = [
    { label: 'Fragile and flagged examples', description: `${preview.fragile} fragile + ${preview.flagged} flagged`, includeFlagged: true },
    { label: 'Fragile examples only', description: `${preview.fragile} with PreMemAcc ≤ ${session.t}`, includeFlagged: false },
  ];
  const choice = await vscode.window.showQuickPick(options, {
    title: 'Include flagged examples?',
    placeHolder: preview.kept > 0 ? `${preview.kept} flagged "keep" are left out either way` : 'Examples flagged "keep" are never exported',
  });
  if (!choice) return;

  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `PreMem: writing ${path.basename(out.fsPath)}` },
    () => exportRecollection({ ...base, includeFlagged: choice.includeFlagged, out: out.fsPath, format: format.format }),
  );
  services.log.info(
    `exported ${summary.selected} examples (${summary.fragile} fragile, ${summary.flagged} flagged, ${summary.kept} kept) ` +
      `of run ${summary.run} at ${summary.checkpoint}, p = ${summary.p}, t = ${summary.t} to ${summary.out}`,
  );
  const action = await vscode.window.showInformationMessage(summaryMessage(summary), 'Open');
  if (action === 'Open') await openExport(out, summary);
}

export function summaryMessage(summary: RecollectionSummary): string {
  const share = (summary.share * 100).toFixed(1);
  let text = `PreMem: ${summary.selected} example${summary.selected === 1 ? '' : 's'} (${share}% of the dataset) written to ${path.basename(summary.out)}`;
  if (summary.kept > 0) text += `; ${summary.kept} flagged "keep" left out`;
  if (summary.orphanedFlags > 0) text += `; ${summary.orphanedFlags} flag${summary.orphanedFlags === 1 ? '' : 's'} of records no longer in the dataset skipped`;
  return text + '.';
}

async function openExport(uri: vscode.Uri, summary: RecollectionSummary): Promise<void> {
  if (summary.format !== 'parquet') {
    await vscode.commands.executeCommand('vscode.open', uri);
    return;
  }
  // Parquet is binary: the dataset table reads it.
  try {
    await vscode.commands.executeCommand('vscode.openWith', uri, DATASET_TABLE_VIEW_TYPE);
  } catch {
    await vscode.commands.executeCommand('revealFileInOS', uri);
  }
}
