// The Fragile Examples view: fragile examples of the selected run and checkpoint grouped by trajectory class,
// hardest first by the signal of premem.fragile.rankBy (PreMemAcc by default). Groups are paged (a few hundred rows at a time) and query previews are read from the
// dataset only for the rows the view asks for, so thousands of fragile examples stay fast.
import * as vscode from 'vscode';
import { openRecordSource } from '../../core/table/record-source';
import { textMatcher } from '../../core/table/text-match';
import { Trajectory, TRAJECTORY_LABELS, TRAJECTORY_NAMES } from '../../core/metrics/dynamics';
import { Bucket, type AnalysisSession } from '../../core/session';
import { isSignalName, type SignalName } from '../../core/signals/example-signals';
import { escapeMarkdown, fixed2, plural, preview, shortRunNames } from '../format';
import { selectedSignals } from '../selected-signals';
import type { SessionManager } from '../session-manager';
import { signalValueText } from '../signal-text';
import { trajectoryGroups } from './fragile-groups';
import { pickComparison, pickRanking, RANK_SETTING } from './fragile-pickers';
import { type Suspect, selectedSuspects, wrongTargetNote } from './suspects';
import { pickFlag } from '../flags/commands';
import { type CompareTarget, comparedWith, compareTargetText, differsFrom } from '../comparison';

export const PAGE_SIZE = 200;
const PREVIEW_CACHE_LIMIT = 5000;
/** The group of suspected wrong targets, beside the trajectory classes (which are 0 and up). */
const SUSPECTS = -1;

export interface GroupNode {
  kind: 'group';
  /** The trajectory class, or SUSPECTS. */
  trajectory: number;
  /** Example indices, hardest first by the ranking signal. */
  indices: Int32Array;
}
export interface ExampleNode {
  kind: 'example';
  /** The dataset index: commands run from the view's context menu receive this node. */
  index: number;
  trajectory: number;
}
export interface MoreNode {
  kind: 'more';
  group: GroupNode;
  remaining: number;
}
export type FragileNode = GroupNode | ExampleNode | MoreNode;

export interface FragileFilter {
  /** Flagged examples of any bucket instead of the fragile ones. */
  flaggedOnly: boolean;
  /** Only examples whose query contains this text (any case), with the match per dataset index. */
  text?: { text: string; matches: Uint8Array };
  /** Only examples that differ between the selected run and checkpoint (A) and this one (B). */
  differsFrom?: CompareTarget;
}

export class FragileTree implements vscode.TreeDataProvider<FragileNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<FragileNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<FragileNode>;
  private groups: GroupNode[] | undefined;
  private readonly shown = new Map<number, number>();
  private readonly previews = new Map<number, string>();
  private previewSession: AnalysisSession | undefined;
  /** The suspected wrong targets of one view of the session, by example, once judged. */
  private suspects: { view: object; byIndex: Map<number, Suspect> } | undefined;
  readonly filter: FragileFilter = { flaggedOnly: false };
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly manager: SessionManager) {
    this.view = vscode.window.createTreeView('premem.fragileExamples', { treeDataProvider: this, showCollapseAll: true });
    this.disposables = [
      this.view,
      this.changeEmitter,
      manager.onDidChange(() => this.refresh()),
      vscode.commands.registerCommand('premem.fragile.showMore', (node: MoreNode) => this.showMore(node)),
      vscode.commands.registerCommand('premem.fragile.rankBy', () => pickRanking(this.rankBy)),
      vscode.commands.registerCommand('premem.compareWith', () => this.compareWith()),
      vscode.commands.registerCommand('premem.fragile.flagWrongTarget', (node?: ExampleNode) => this.flagWrongTarget(node)),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`premem.${RANK_SETTING}`) && this.refresh()),
    ];
    this.refresh();
  }

  refresh(): void {
    this.groups = undefined;
    if (this.previewSession !== this.manager.session) {
      this.previews.clear();
      this.previewSession = this.manager.session;
    }
    this.updateTitle();
    this.changeEmitter.fire(undefined);
  }

  setFlaggedOnly(on: boolean): void {
    this.filter.flaggedOnly = on;
    void vscode.commands.executeCommand('setContext', 'premem.fragileFlaggedOnly', on);
    this.shown.clear();
    this.refresh();
  }

  /** Shows only examples whose query contains `text` (none: all); searching a large dataset shows progress. */
  async setTextFilter(text: string | undefined): Promise<void> {
    const session = this.manager.session;
    if (!text || !session) this.filter.text = undefined;
    else {
      const matches = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `PreMem: searching the dataset for "${text}"` },
        async () => {
          const source = await openRecordSource(session.dataset);
          try {
            return await source.search(textMatcher(text));
          } finally {
            await source.close();
          }
        },
      );
      this.filter.text = { text, matches };
    }
    this.shown.clear();
    this.refresh();
  }

  /** The signal the groups are ordered by (premem.fragile.rankBy; an unknown name falls back to PreMemAcc). */
  get rankBy(): SignalName {
    const name = vscode.workspace.getConfiguration('premem').get<string>(RANK_SETTING, 'preMemAccuracy');
    return isSignalName(name) ? name : 'preMemAccuracy';
  }

  /** "Compare With…": B picked, the view then shows only what differs from it. */
  private async compareWith(): Promise<void> {
    const session = this.manager.session;
    if (!session) {
      void vscode.window.showInformationMessage('PreMem: open a dataset with its runs first.');
      return;
    }
    const b = await pickComparison(session, this.filter.differsFrom);
    if (b !== null) this.setDiffersFrom(b);
  }

  /** Shows only the examples that differ from B (none: all). */
  setDiffersFrom(b: CompareTarget | undefined): void {
    this.filter.differsFrom = b;
    comparedWith.set(b);
    this.shown.clear();
    this.refresh();
  }

  /** The groups for the current session, selection and filter (computed once per change). */
  computeGroups(): GroupNode[] {
    if (this.groups) return this.groups;
    const session = this.manager.session;
    const view = session?.view();
    if (!session || !view) return (this.groups = []);
    let indices: Int32Array;
    if (this.filter.flaggedOnly) {
      const flagged: number[] = [];
      for (const key of this.manager.flags?.flaggedKeys() ?? []) {
        const i = session.dataset.keyToIndex.get(key);
        if (i !== undefined) flagged.push(i);
      }
      indices = Int32Array.from(flagged);
    } else indices = session.fragileExamples();
    const text = this.filter.text;
    const matches = text && text.matches.length === session.dataset.size ? text.matches : undefined;
    const differs = this.filter.differsFrom && differsFrom(session, this.filter.differsFrom);
    const keep = (i: number) => (!matches || matches[i] === 1) && (!differs || differs[i] === 1);
    if (matches || differs) indices = indices.filter(keep);
    this.groups = trajectoryGroups(session, indices, this.rankBy).map((g) => ({ kind: 'group', ...g }));
    if (!this.filter.flaggedOnly) {
      const suspects = this.suspectsOf(view);
      const shown = suspects && Array.from(suspects.keys()).filter(keep);
      if (shown?.length) this.groups.push({ kind: 'group', trajectory: SUSPECTS, indices: Int32Array.from(shown) });
    }
    return this.groups;
  }

  /** The judged suspects of this view; undefined while they are judged (in the background, never blocking). */
  private suspectsOf(view: object): Map<number, Suspect> | undefined {
    if (this.suspects?.view === view) return this.suspects.byIndex;
    const session = this.manager.session!;
    selectedSuspects(session).then(
      (list) => {
        if (session.view() !== view || this.suspects?.view === view) return;
        this.suspects = { view, byIndex: new Map(list.map((s) => [s.index, s])) };
        if (list.length) this.refresh();
      },
      (err: Error) => this.manager.log.warn(`suspected wrong targets cannot be judged: ${err.message}`),
    );
    return undefined;
  }

  /** "Flag as Wrong Target…": the flag flow with reason wrong-target and a note naming the agreeing answer. */
  private async flagWrongTarget(node: ExampleNode | undefined): Promise<void> {
    const suspect = node && this.suspects?.byIndex.get(node.index);
    if (!suspect) return;
    await pickFlag(this.manager, suspect.index, { reason: 'wrong-target', note: wrongTargetNote(suspect) });
  }

  getChildren(node?: FragileNode): FragileNode[] {
    if (!node) return this.computeGroups();
    if (node.kind !== 'group') return [];
    const limit = Math.min(node.indices.length, this.shown.get(node.trajectory) ?? PAGE_SIZE);
    const children: FragileNode[] = [];
    for (let k = 0; k < limit; k++) children.push({ kind: 'example', index: node.indices[k], trajectory: node.trajectory });
    if (limit < node.indices.length) children.push({ kind: 'more', group: node, remaining: node.indices.length - limit });
    return children;
  }

  getParent(node: FragileNode): FragileNode | undefined {
    if (node.kind === 'group') return undefined;
    const trajectory = node.kind === 'more' ? node.group.trajectory : node.trajectory;
    return this.computeGroups().find((g) => g.trajectory === trajectory);
  }

  async getTreeItem(node: FragileNode): Promise<vscode.TreeItem> {
    const session = this.manager.session;
    if (node.kind === 'group' && node.trajectory === SUSPECTS) {
      const item = new vscode.TreeItem(`Suspected wrong targets (${node.indices.length.toLocaleString('en-US')})`, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = 'group:suspects';
      item.iconPath = new vscode.ThemeIcon('warning');
      item.contextValue = 'group';
      item.tooltip =
        'Memorized without being solved before, while the samples before memorization agree on another answer than the target’s: ' +
        'more likely a wrong label than a hard example. Check each one.';
      return item;
    }
    if (node.kind === 'group') {
      const label = TRAJECTORY_LABELS[TRAJECTORY_NAMES[node.trajectory]];
      const item = new vscode.TreeItem(`${label} (${node.indices.length.toLocaleString('en-US')})`, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `group:${node.trajectory}`;
      const selected = session?.view()?.preMem[session.selectedCheckpoint];
      let sum = 0;
      if (selected) for (const i of node.indices) sum += selected[i];
      item.description = selected && node.indices.length ? `mean ${fixed2(sum / node.indices.length)}` : undefined;
      item.contextValue = 'group';
      item.tooltip = GROUP_HELP[node.trajectory];
      return item;
    }
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(`Show more… (${node.remaining.toLocaleString('en-US')} more)`, vscode.TreeItemCollapsibleState.None);
      item.id = `more:${node.group.trajectory}`;
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.command = { command: 'premem.fragile.showMore', title: 'Show more', arguments: [node] };
      return item;
    }
    const view = session?.view();
    const item = new vscode.TreeItem(await this.preview(node.index), vscode.TreeItemCollapsibleState.None);
    item.id = `example:${node.trajectory}:${node.index}`;
    if (!session || !view) return item;
    const flag = this.manager.flags?.state(session.dataset.keys[node.index]);
    const preMem = view.preMem[session.selectedCheckpoint]?.[node.index] ?? NaN;
    const rankBy = this.rankBy;
    const rankValue = rankBy === 'preMemAccuracy' ? '' : ` · ${rankBy} ${signalValueText(rankBy, selectedSignals(session)!.values[rankBy][node.index])}`;
    item.description = `${fixed2(preMem)}${rankValue} · line ${session.dataset.lines[node.index]}`;
    const suspect = node.trajectory === SUSPECTS ? this.suspects?.byIndex.get(node.index) : undefined;
    if (suspect) item.description = `samples say ${suspect.agreedAnswer} (${suspect.agreeing}/${suspect.samples}) · target ${suspect.targetAnswer ?? '—'} · line ${session.dataset.lines[node.index]}`;
    const color = new vscode.ThemeColor(view.buckets[node.index] === Bucket.Fragile ? 'premem.fragile' : view.buckets[node.index] === Bucket.AtRisk ? 'premem.atRisk' : 'premem.robust');
    item.iconPath = flag ? new vscode.ThemeIcon('flag', color) : new vscode.ThemeIcon('circle-filled', color);
    item.contextValue = `example${flag ? ' flagged' : ''}${suspect ? ' suspect' : ''}`;
    item.command = { command: 'premem.revealExample', title: 'Reveal example', arguments: [node.index] };
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`PreMemAcc **${fixed2(preMem)}** · line ${session.dataset.lines[node.index]}`);
    if (suspect) tooltip.appendMarkdown(` · ${escapeMarkdown(wrongTargetNote(suspect))}`);
    if (flag) tooltip.appendMarkdown(` · flagged: ${escapeMarkdown(flag.reason)}${flag.note ? ` — ${escapeMarkdown(flag.note)}` : ''}`);
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(this.previews.get(node.index) ?? '');
    item.tooltip = tooltip;
    return item;
  }

  private async preview(index: number): Promise<string> {
    const cached = this.previews.get(index);
    if (cached !== undefined) return cached;
    const session = this.manager.session;
    if (!session) return `example ${index + 1}`;
    let text: string;
    try {
      text = preview((await session.dataset.get(index)).query, 60);
    } catch {
      text = `example ${index + 1} (cannot be read: the dataset changed on disk)`;
    }
    if (this.previews.size >= PREVIEW_CACHE_LIMIT) this.previews.delete(this.previews.keys().next().value!);
    this.previews.set(index, text);
    return text;
  }

  private showMore(node: MoreNode): void {
    const group = node.group;
    this.shown.set(group.trajectory, (this.shown.get(group.trajectory) ?? PAGE_SIZE) + PAGE_SIZE);
    this.changeEmitter.fire(group);
  }

  private updateTitle(): void {
    const session = this.manager.session;
    const run = session?.runs[session.selectedRun];
    if (!session || !run) {
      this.view.description = undefined;
      this.view.badge = undefined;
      this.view.message = undefined;
      return;
    }
    const name = shortRunNames(session.runs.map((r) => r.id))[session.selectedRun];
    const total = this.computeGroups().reduce((s, g) => s + (g.trajectory === SUSPECTS ? 0 : g.indices.length), 0);
    const text = this.filter.text ? ` · "${this.filter.text.text}"` : '';
    const rank = (this.rankBy === 'preMemAccuracy' ? '' : ` · by ${this.rankBy}`) + (this.filter.differsFrom ? ` · differs from ${compareTargetText(this.filter.differsFrom)}` : '');
    this.view.description = `${name} · ${run.checkpoints[session.selectedCheckpoint]?.id ?? ''}${this.filter.flaggedOnly ? ' · flagged' : ` · t ≤ ${session.t}`}${text}${rank}`;
    this.view.badge = this.filter.flaggedOnly ? undefined : { value: total, tooltip: `${plural(total, 'fragile example')}` };
    const b = this.filter.differsFrom;
    this.view.message = this.filter.flaggedOnly
      ? `Flagged examples (${total.toLocaleString('en-US')}), any bucket. Filter again to show the fragile ones.`
      : b && !differsFrom(session, b)
        ? `${compareTargetText(b)} is not among the runs any more: every example is shown. Compare with another.`
        : total === 0
        ? 'No fragile examples at this checkpoint.'
        : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

const GROUP_HELP: Record<number, string> = {
  [Trajectory.Unscored]: 'Not scored at any checkpoint.',
  [Trajectory.NeverLearned]: 'Never answered correctly and never memorized.',
  [Trajectory.MemorizedDirectly]: 'Went from incorrect straight to reproducing the target trace: memorized without learning to solve it.',
  [Trajectory.GeneralizedThenMemorized]: 'Solved with its own reasoning first, memorized later.',
  [Trajectory.Generalized]: 'Solved with its own reasoning and never memorized.',
};
