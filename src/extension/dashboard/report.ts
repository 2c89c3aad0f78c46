// premem.exportReport: the shareable HTML report (src/core/report) of the session as the dashboard shows it, written
// where the user chooses, then offered to open in the browser.
import path from 'node:path';
import * as vscode from 'vscode';
import { reportFileName, sessionReportOptions } from '../../core/dashboard/report-options';
import { writeFileAtomic } from '../../core/fs-atomic';
import { calibrateInSlices } from '../../core/metrics/in-turns';
import { buildReportData } from '../../core/report/report-data';
import { renderReport } from '../../core/report/report-html';
import type { PreMemServices } from '../services';

/** Asks where to save and writes the report; the file written, or undefined when cancelled or nothing is open. */
export async function exportReport(services: PreMemServices): Promise<vscode.Uri | undefined> {
  const session = services.session;
  if (!session || session.runs.length === 0) {
    void vscode.window.showInformationMessage('PreMem: open a dataset with its runs first.');
    return undefined;
  }
  const run = session.runs[session.selectedRun];
  const checkpoint = run.checkpoints[session.selectedCheckpoint];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(session.dataset.path));
  const target = await vscode.window.showSaveDialog({
    title: `Export the PreMem report (run ${run.id}, ${checkpoint.id})`,
    defaultUri: vscode.Uri.joinPath(folder, reportFileName(session.dataset.path, run.id, checkpoint.id)),
    filters: { HTML: ['html'] },
    saveLabel: 'Export',
  });
  if (!target) return undefined;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `PreMem: writing ${path.basename(target.fsPath)}` }, async () => {
    const sweep = session.calibration ? null : ((await calibrateInSlices(session.prepared)) ?? null);
    const data = await buildReportData(session.prepared, session.dataset, sessionReportOptions(session, sweep));
    await writeFileAtomic(target.fsPath, renderReport(data));
  });
  services.log.info(`report on run ${run.id} at ${checkpoint.id} written to ${target.fsPath}`);
  // Not awaited: the caller reports the file at once; the offer stays until dismissed.
  void vscode.window.showInformationMessage(`PreMem: report written to ${path.basename(target.fsPath)}.`, 'Open in Browser').then((action) => {
    if (action) void vscode.env.openExternal(target);
  });
  return target;
}

export function registerExportReport(services: PreMemServices): vscode.Disposable {
  return vscode.commands.registerCommand('premem.exportReport', async () => {
    try {
      await exportReport(services);
    } catch (err) {
      void vscode.window.showErrorMessage(`PreMem: the report could not be written: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}
