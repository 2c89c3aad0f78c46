// The commands of the extension's core: choosing the run and checkpoint, moving between fragile examples,
// thresholds, annotations, refresh, the fragile filter, and revealing an example.
import * as vscode from 'vscode';
import { Bucket, type AnalysisSession } from '../core/session';
import { fixed2, percent, plural, shortRunNames } from './format';
import { lowerBound } from '../core/sorted-search';
import { openDatasetView, openDatasetWithRuns } from './open-dataset';
import type { SessionManager } from './session-manager';
import type { FragileTree } from './trees/fragile-tree';

export function registerCommands(manager: SessionManager, fragileTree: FragileTree): vscode.Disposable[] {
  const command = (id: string, run: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, run);
  return [
    command('premem.openDatasetWithRuns', () => openDatasetWithRuns(manager)),
    command('premem.selectRun', (run?: unknown, checkpoint?: unknown) => selectRun(manager, run, checkpoint)),
    command('premem.nextFragile', () => moveToFragile(manager, 1)),
    command('premem.previousFragile', () => moveToFragile(manager, -1)),
    command('premem.toggleAnnotations', async () => {
      const config = vscode.workspace.getConfiguration('premem');
      await config.update('annotations.enabled', !config.get<boolean>('annotations.enabled', true), vscode.ConfigurationTarget.Global);
    }),
    command('premem.refresh', async () => {
      if (manager.session) await manager.reopen({ keepState: true });
      else if (!(await manager.openWorkspaceConfig({ show: true }))) await openDatasetWithRuns(manager);
    }),
    command('premem.setThreshold', () => setThreshold(manager)),
    command('premem.calibrate', () => calibrate(manager)),
    command('premem.filterFragile', () => filterFragile(manager, fragileTree)),
    command('premem.revealExample', (index: unknown) => revealExample(manager, index)),
  ];
}

function requireSession(manager: SessionManager): AnalysisSession | undefined {
  if (!manager.session) {
    void vscode.window.showInformationMessage('PreMem: no dataset is open. Open one with its runs first.', 'Open Dataset with Runs…').then((choice) => {
      if (choice) void vscode.commands.executeCommand('premem.openDatasetWithRuns');
    });
  }
  return manager.session;
}

/** Picks a run, then one of its checkpoints; with numeric arguments (from the Runs view) selects directly. */
async function selectRun(manager: SessionManager, runArg?: unknown, checkpointArg?: unknown): Promise<void> {
  const session = requireSession(manager);
  if (!session) return;
  if (typeof runArg === 'number') {
    session.select(runArg, typeof checkpointArg === 'number' ? checkpointArg : undefined);
    return;
  }
  const summary = session.summary();
  const names = shortRunNames(session.runs.map((r) => r.id));
  type RunPick = vscode.QuickPickItem & { run: number };
  const runPicks: RunPick[] = summary.runs.map((r, run) => {
    const last = r.checkpoints[r.checkpoints.length - 1];
    return {
      run,
      label: `${run === session.selectedRun ? '$(pass-filled) ' : ''}${names[run]}`,
      description: last ? `last: PreMemAcc ${fixed2(last.preMemAccuracy)} · test ${percent(last.testAccuracy)}` : 'no checkpoints',
      detail: `${r.id} · ${plural(r.checkpoints.length, 'checkpoint')}${r.members !== r.examples ? ` · trained on ${plural(r.members, 'example')}` : ''}`,
    };
  });
  const runPick = await pickFrom(runPicks, runPicks[session.selectedRun], { title: 'PreMem: run', placeholder: 'Which run should the marks show?', matchOnDetail: true });
  if (!runPick) return;
  type CheckpointPick = vscode.QuickPickItem & { checkpoint: number };
  const checkpointPicks: CheckpointPick[] = summary.runs[runPick.run].checkpoints.map((c, checkpoint) => ({
    checkpoint,
    label: `${runPick.run === session.selectedRun && checkpoint === session.selectedCheckpoint ? '$(pass-filled) ' : ''}${c.id}`,
    description: `PreMemAcc ${fixed2(c.preMemAccuracy)} · test ${percent(c.testAccuracy)} · train ${fixed2(c.trainAccuracy)}`,
    detail: `step ${c.step}${c.epoch !== undefined ? ` · epoch ${c.epoch}` : ''}`,
  }));
  // The picker starts on the checkpoint shown now, or on the run's last one.
  const current = runPick.run === session.selectedRun ? checkpointPicks[session.selectedCheckpoint] : undefined;
  const checkpointPick =
    checkpointPicks.length === 1
      ? checkpointPicks[0]
      : await pickFrom(checkpointPicks, current ?? checkpointPicks[checkpointPicks.length - 1], { title: `PreMem: checkpoint of ${names[runPick.run]}`, placeholder: 'Which checkpoint?' });
  if (!checkpointPick) return;
  session.select(runPick.run, checkpointPick.checkpoint);
}

/** A quick pick that starts with `active` highlighted (showQuickPick always starts on the first item). */
function pickFrom<T extends vscode.QuickPickItem>(items: T[], active: T | undefined, options: { title: string; placeholder: string; matchOnDetail?: boolean }): Promise<T | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  Object.assign(pick, options);
  pick.items = items;
  if (active) pick.activeItems = [active];
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0] ?? pick.activeItems[0]);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/** Moves the cursor to the next (or previous) fragile record of the dataset editor, wrapping around. */
async function moveToFragile(manager: SessionManager, direction: 1 | -1): Promise<void> {
  const session = requireSession(manager);
  const view = session?.view();
  if (!session || !view) return;
  const isFragile = (i: number) => view.buckets[i] === Bucket.Fragile && view.member[i] === 1;
  const editor = manager.datasetEditor() ?? (await openDatasetView(manager));
  if (!editor) {
    // Shown in the table editor: step through examples in dataset order from the current one.
    const n = view.buckets.length;
    const from = manager.currentExample ?? (direction > 0 ? -1 : 0);
    for (let step = 1; step <= n; step++) {
      const i = (((from + direction * step) % n) + n) % n;
      if (isFragile(i)) return manager.revealExample(i);
    }
    void vscode.window.showInformationMessage('PreMem: no fragile examples at this checkpoint.');
    return;
  }
  const document = editor.document;
  const cursor = editor.selection.active.line;
  let target: number | undefined;
  if (manager.linesMatchIndex(document)) {
    const lines = session.dataset.lines;
    const n = lines.length;
    // Start just after (or before) the cursor's record, whether or not the cursor is on one.
    let k = direction > 0 ? lowerBound(lines, cursor + 2) : lowerBound(lines, cursor + 1) - 1;
    for (let step = 0; step < n; step++, k += direction) {
      const i = ((k % n) + n) % n;
      if (isFragile(i)) {
        target = lines[i] - 1;
        break;
      }
    }
  } else {
    const count = document.lineCount;
    for (let step = 1; step <= count; step++) {
      const line = (((cursor + direction * step) % count) + count) % count;
      const i = manager.indexAtLine(document, line);
      if (i !== undefined && isFragile(i)) {
        target = line;
        break;
      }
    }
  }
  if (target === undefined) {
    void vscode.window.showInformationMessage('PreMem: no fragile examples at this checkpoint.');
    return;
  }
  const position = new vscode.Position(target, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  if (vscode.window.activeTextEditor !== editor) await vscode.window.showTextDocument(document, editor.viewColumn);
}

async function setThreshold(manager: SessionManager): Promise<void> {
  const session = requireSession(manager);
  if (!session) return;
  const value = await vscode.window.showInputBox({
    title: 'PreMem: memorization threshold p',
    prompt: `An example counts as memorized at a checkpoint when the perplexity of its target trace is under p. GSM8K: 1.1055; MATH: 1.2004. Now ${session.p.toFixed(4)}.`,
    value: session.p.toFixed(4),
    validateInput: (text) => {
      const p = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(p)) return 'Enter a number, such as 1.1055.';
      if (p <= 1) return 'p is a perplexity threshold and must be above 1.';
      if (p > 100) return 'p above 100 would count almost every example as memorized.';
      return undefined;
    },
  });
  if (value === undefined) return;
  session.setP(Number(value.trim()));
  manager.log.info(`p set to ${session.p.toFixed(4)}`);
}

async function calibrate(manager: SessionManager): Promise<void> {
  const session = requireSession(manager);
  if (!session) return;
  const started = performance.now();
  const ok = await session.recalibrate();
  manager.log.info(`calibration took ${(performance.now() - started).toFixed(0)} ms`);
  if (!ok || !session.calibration) {
    void vscode.window.showWarningMessage('PreMem: calibration needs measured test accuracy on at least 3 checkpoints; p is unchanged.');
    return;
  }
  const c = session.calibration;
  const loo = c.leaveOneRunOut ? `; leave-one-run-out error ${(c.leaveOneRunOut.mae * 100).toFixed(1)} points` : '';
  void vscode.window.showInformationMessage(`PreMem: calibrated p = ${c.p.toFixed(4)} (R² ${c.r2.toFixed(3)} against test accuracy${loo}).`);
}

async function filterFragile(manager: SessionManager, tree: FragileTree): Promise<void> {
  if (!requireSession(manager)) return;
  type Choice = vscode.QuickPickItem & { action: 'run' | 'flagged' | 'fragile' | 'text' | 'no-text' | 'compare' | 'no-compare' };
  const choices: Choice[] = [
    { action: 'text', label: '$(search) Query contains…', description: tree.filter.text ? `now "${tree.filter.text.text}"` : 'only examples whose question has this text' },
    ...(tree.filter.text ? [{ action: 'no-text' as const, label: '$(clear-all) Any query', description: 'drop the text filter' }] : []),
    { action: 'compare', label: '$(git-compare) Differs from…', description: 'only examples that differ from another run or checkpoint (B)' },
    ...(tree.filter.differsFrom ? [{ action: 'no-compare' as const, label: '$(clear-all) Not only differing', description: 'stop comparing with B' }] : []),
    { action: 'run', label: '$(versions) Run and checkpoint…', description: 'which run and checkpoint the view and the marks show' },
    tree.filter.flaggedOnly
      ? { action: 'fragile', label: '$(circle-filled) Fragile examples', description: 'show the fragile examples again' }
      : { action: 'flagged', label: '$(flag) Flagged only', description: 'flagged examples of any bucket' },
  ];
  const choice = await vscode.window.showQuickPick(choices, { title: 'PreMem: filter Fragile Examples' });
  if (!choice) return;
  if (choice.action === 'run') await vscode.commands.executeCommand('premem.selectRun');
  else if (choice.action === 'compare') await vscode.commands.executeCommand('premem.compareWith');
  else if (choice.action === 'no-compare') tree.setDiffersFrom(undefined);
  else if (choice.action === 'text') {
    const text = await vscode.window.showInputBox({ title: 'PreMem: examples whose query contains', value: tree.filter.text?.text, placeHolder: 'text (any case)' });
    if (text !== undefined) await tree.setTextFilter(text.trim() || undefined);
  } else if (choice.action === 'no-text') await tree.setTextFilter(undefined);
  else tree.setFlaggedOnly(choice.action === 'flagged');
}

/** From the Fragile Examples view: reveal the record and show it in the example panel. */
async function revealExample(manager: SessionManager, indexArg: unknown): Promise<void> {
  const index = typeof indexArg === 'number' ? indexArg : (indexArg as { index?: unknown } | undefined)?.index;
  if (typeof index !== 'number') return;
  await manager.revealExample(index, { preserveFocus: true });
  await vscode.commands.executeCommand('premem.showExample', index);
}
