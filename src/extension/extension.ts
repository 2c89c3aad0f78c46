// Entry point: builds the shared services, the marks, hover, status bar, views, commands and watchers, and opens
// the workspace's premem.json in the background. Panels, the table editor and scoring plug in through
// register…(services).
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDashboard } from './dashboard/register';
import { registerDatasetTable } from './dataset-table/register';
import { DatasetDecorations } from './decorations';
import { registerExamplePanel } from './example/register';
import { registerExportCommand } from './export/command';
import { registerFlagCommands } from './flags/commands';
import { registerHover } from './hover';
import { routeLargeFiles } from './open-dataset';
import { SessionManager } from './session-manager';
import { registerScoring } from './scoring/register';
import { RunStatusBar } from './status-bar';
import { FragileTree } from './trees/fragile-tree';
import { RunsTree } from './trees/runs-tree';
import { SessionWatcher } from './watch';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('PreMem', { log: true });
  const manager = new SessionManager(context, log);
  const fragileTree = new FragileTree(manager);
  context.subscriptions.push(
    log,
    manager,
    new DatasetDecorations(manager, context.extensionUri),
    registerHover(manager),
    new RunStatusBar(manager),
    fragileTree,
    new RunsTree(manager),
    ...registerCommands(manager, fragileTree),
    new SessionWatcher(manager),
    routeLargeFiles(manager),
    ...registerDatasetTable(manager),
    ...registerExamplePanel(manager),
    ...registerFlagCommands(manager),
    registerExportCommand(manager),
    ...registerDashboard(manager),
    ...registerScoring(manager),
  );
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  // In the background: activation returns at once and the editor stays responsive while indexing.
  void manager.openWorkspaceConfig({ show: true });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
