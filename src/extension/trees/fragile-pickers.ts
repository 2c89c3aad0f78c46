// The quick picks of the Fragile Examples view's title: "Rank By…" (which signal orders the groups) and
// "Compare With…" (run and checkpoint B, whose differences the view and the dataset table can keep).
import * as vscode from 'vscode';
import type { AnalysisSession } from '../../core/session';
import { SIGNAL_NAMES, SIGNALS, type SignalName } from '../../core/signals/example-signals';
import { type CompareTarget, compareTargetText } from '../comparison';
import { shortRunNames } from '../format';

/** The setting under `premem.` that names the ranking signal. */
export const RANK_SETTING = 'fragile.rankBy';

/** A quick pick of the signals; the choice is stored in premem.fragile.rankBy (the view follows the setting). */
export async function pickRanking(current: SignalName): Promise<void> {
  const items = SIGNAL_NAMES.map((name) => ({
    label: SIGNALS[name].label,
    description: `${name}${name === current ? ' · now' : ''}`,
    detail: SIGNALS[name].hardestFirst === 'ascending' ? 'lowest first' : 'highest first',
    name,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'PreMem: rank Fragile Examples by', placeHolder: 'hardest first, as premem export --rank-by orders the set' });
  if (!picked) return;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('premem').update(RANK_SETTING, picked.name, target);
}

/** B: any run and checkpoint but the selected one (A); undefined to stop comparing, null when cancelled. */
export async function pickComparison(session: AnalysisSession, current: CompareTarget | undefined): Promise<CompareTarget | undefined | null> {
  const names = shortRunNames(session.runs.map((r) => r.id));
  const items: (vscode.QuickPickItem & { target?: CompareTarget })[] = [];
  if (current) items.push({ label: '$(clear-all) Stop comparing', description: `now ${compareTargetText(current)}` });
  session.runs.forEach((run, r) =>
    run.checkpoints.forEach((c, m) => {
      if (r === session.selectedRun && m === session.selectedCheckpoint) return;
      items.push({ label: `${names[r]} · ${c.id}`, description: `${run.id} · step ${c.step}`, target: { run: run.id, checkpoint: c.id } });
    }),
  );
  const a = session.runs[session.selectedRun];
  const picked = await vscode.window.showQuickPick(items, {
    title: `PreMem: compare ${a ? `${names[session.selectedRun]} · ${a.checkpoints[session.selectedCheckpoint]?.id}` : 'the selection'} (A) with B`,
    placeHolder: 'run and checkpoint B; the Fragile Examples view then shows the examples that differ',
    matchOnDescription: true,
  });
  return picked ? picked.target : null;
}
