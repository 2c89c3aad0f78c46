// The Runs and Checkpoints view: every run with its checkpoints and their numbers (train accuracy, mean
// PreMemAcc, measured test accuracy); clicking a checkpoint makes the marks show it.
import * as vscode from 'vscode';
import type { RunFormat } from '../../core/model';
import { escapeMarkdown, fixed2, percent, plural, shortRunNames } from '../format';
import type { SessionManager } from '../session-manager';

export interface RunNode {
  kind: 'run';
  run: number;
}
export interface CheckpointNode {
  kind: 'checkpoint';
  run: number;
  checkpoint: number;
}
export type RunsNode = RunNode | CheckpointNode;

/** Logs that hold samples but no perplexity of the target: their PreMemAcc is plain accuracy. */
const ACCURACY_ONLY = new Set<RunFormat>(['lm-eval', 'llamafactory', 'trl-completions']);

export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<RunsNode>;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly manager: SessionManager) {
    this.view = vscode.window.createTreeView('premem.runs', { treeDataProvider: this, showCollapseAll: true });
    this.disposables = [this.view, this.changeEmitter, manager.onDidChange(() => this.refresh())];
    this.refresh();
  }

  refresh(): void {
    const session = this.manager.session;
    this.view.description = session ? `p = ${session.p.toFixed(4)} · R² ${fixed2(session.summary().fit.r2)}` : undefined;
    this.changeEmitter.fire(undefined);
  }

  getChildren(node?: RunsNode): RunsNode[] {
    const session = this.manager.session;
    if (!session) return [];
    if (!node) return session.runs.map((_, run) => ({ kind: 'run', run }));
    if (node.kind === 'checkpoint') return [];
    return session.runs[node.run].checkpoints.map((_, checkpoint) => ({ kind: 'checkpoint', run: node.run, checkpoint }));
  }

  getParent(node: RunsNode): RunsNode | undefined {
    return node.kind === 'checkpoint' ? { kind: 'run', run: node.run } : undefined;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const session = this.manager.session!;
    const summary = session.summary().runs[node.run];
    const selectedRun = node.run === session.selectedRun;
    if (node.kind === 'run') {
      const run = session.runs[node.run];
      const label = shortRunNames(session.runs.map((r) => r.id))[node.run];
      const item = new vscode.TreeItem(label, selectedRun ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `run:${run.id}`;
      const last = summary.checkpoints[summary.checkpoints.length - 1];
      item.description = `${plural(run.checkpoints.length, 'checkpoint')} · ${run.subset ? `${plural(summary.members, 'example')} of ${summary.examples.toLocaleString('en-US')}` : plural(summary.examples, 'example')}`;
      item.iconPath = new vscode.ThemeIcon(selectedRun ? 'pass-filled' : 'circle-large-outline');
      item.contextValue = 'run';
      const tip = new vscode.MarkdownString();
      tip.appendMarkdown(`**${escapeMarkdown(run.id)}**  \n${escapeMarkdown(run.source.format)}: ${escapeMarkdown(vscode.workspace.asRelativePath(run.source.path))}`);
      if (last) tip.appendMarkdown(`  \nlast checkpoint: PreMemAcc ${fixed2(last.preMemAccuracy)}, test ${percent(last.testAccuracy)}`);
      if (ACCURACY_ONLY.has(run.source.format)) {
        item.description += ' · accuracy only';
        tip.appendMarkdown('  \naccuracy only: this log holds no perplexity of the target, so PreMemAcc equals accuracy (score the checkpoints with PreMem for perplexity)');
      }
      item.tooltip = tip;
      return item;
    }
    const c = summary.checkpoints[node.checkpoint];
    const selected = selectedRun && node.checkpoint === session.selectedCheckpoint;
    const item = new vscode.TreeItem(c.id, vscode.TreeItemCollapsibleState.None);
    item.id = `checkpoint:${summary.id}:${c.id}`;
    item.description = `train ${fixed2(c.trainAccuracy)} · PreMem ${fixed2(c.preMemAccuracy)} · test ${fixed2(c.testAccuracy)}`;
    item.iconPath = new vscode.ThemeIcon(selected ? 'circle-filled' : 'circle-outline');
    item.contextValue = 'checkpoint';
    item.command = { command: 'premem.selectRun', title: 'Show this checkpoint', arguments: [node.run, node.checkpoint] };
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${escapeMarkdown(c.id)}** · step ${c.step}${c.epoch !== undefined ? ` · epoch ${c.epoch}` : ''}\n\n`);
    tip.appendMarkdown(`train accuracy ${fixed2(c.trainAccuracy)}  \nmean PreMemAcc ${fixed2(c.preMemAccuracy)} (predicted test accuracy)  \n`);
    tip.appendMarkdown(`measured test accuracy ${fixed2(c.testAccuracy)}${c.testPerplexity !== null ? `, test perplexity ${c.testPerplexity.toFixed(3)}` : ''}  \n`);
    tip.appendMarkdown(`${plural(c.scored, 'example')} scored`);
    item.tooltip = tip;
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
