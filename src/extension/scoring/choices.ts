// The questions of "Score Run on GPU Endpoint…": which run id, which checkpoints, which examples.
import path from 'node:path';
import * as vscode from 'vscode';
import type { CheckpointTarget } from '../../core/scoring/config';
import type { AnalysisSession } from '../../core/session';
import { plural } from '../format';
import { indexOfRecordText, indicesInLines } from '../line-map';
import type { PreMemServices } from '../services';

export interface ExampleChoice {
  /** What the progress and messages call it: "all 7,473 examples", "12 fragile examples". */
  label: string;
  /** Example keys to score, in dataset order; 'all' for every example. */
  keys: 'all' | string[];
}

export interface ScoringChoices {
  run: string;
  checkpoints: string[];
  examples: ExampleChoice;
}

const NEW_RUN = Symbol('new run');

/** Asks the three questions; undefined when one is dismissed. */
export async function askScoringChoices(
  services: PreMemServices,
  session: AnalysisSession,
  checkpoints: readonly CheckpointTarget[],
  output: string,
): Promise<ScoringChoices | undefined> {
  const run = await askRun(session, output);
  if (run === undefined) return undefined;
  const picked = await askCheckpoints(session, run, checkpoints);
  if (!picked) return undefined;
  const examples = await askExamples(services, session);
  if (!examples) return undefined;
  return { run, checkpoints: picked, examples };
}

async function askRun(session: AnalysisSession, output: string): Promise<string | undefined> {
  type RunPick = vscode.QuickPickItem & { run: string | typeof NEW_RUN };
  const premem = session.runs.filter((r) => r.source.format === 'premem');
  const inOutput = (file: string) => path.resolve(file) === path.resolve(output);
  const picks: RunPick[] = [
    { run: NEW_RUN, label: '$(add) New run…', detail: `Its records are appended to ${vscode.workspace.asRelativePath(output)}` },
    ...premem
      .slice()
      .sort((a, b) => Number(inOutput(b.source.path)) - Number(inOutput(a.source.path)))
      .map((r) => ({
        run: r.id,
        label: r.id,
        description: `${plural(r.checkpoints.length, 'checkpoint')} · ${vscode.workspace.asRelativePath(r.source.path)}`,
        detail: inOutput(r.source.path) ? 'Continue: examples already in the log are skipped' : undefined,
      })),
  ];
  const pick = await vscode.window.showQuickPick(picks, {
    title: 'PreMem: score which run?',
    placeHolder: 'A new run id, or a PreMem run to continue or extend',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  if (pick.run !== NEW_RUN) return pick.run;
  const taken = new Set(session.runs.filter((r) => r.source.format !== 'premem').map((r) => r.id));
  const existing = new Set(premem.map((r) => r.id));
  let suggestion = 'scored';
  for (let n = 2; existing.has(suggestion) || taken.has(suggestion); n++) suggestion = `scored-${n}`;
  const name = await vscode.window.showInputBox({
    title: 'PreMem: new run id',
    prompt: 'The run id written in every record, e.g. the model and fine-tuning setup',
    value: suggestion,
    ignoreFocusOut: true,
    validateInput: (value) => {
      const id = value.trim();
      if (id === '') return 'The run id must not be empty';
      if (taken.has(id)) return `'${id}' is a run read from another format; choose another id`;
      return undefined;
    },
  });
  return name?.trim() || undefined;
}

async function askCheckpoints(session: AnalysisSession, run: string, checkpoints: readonly CheckpointTarget[]): Promise<string[] | undefined> {
  if (checkpoints.length === 1) return [checkpoints[0].id];
  const scored = new Map(session.runs.find((r) => r.id === run)?.checkpoints.map((c) => [c.id, c]) ?? []);
  const picks = checkpoints.map((c) => {
    const have = scored.get(c.id);
    let count = 0;
    if (have) for (let i = 0; i < have.sampleCount.length; i++) if (have.sampleCount[i] > 0 || !Number.isNaN(have.perplexity[i])) count++;
    return {
      id: c.id,
      label: c.id,
      description: `${c.model === c.id ? '' : `model ${c.model} · `}step ${c.step}${have ? ` · ${plural(count, 'example')} scored` : ''}`,
      detail: c.endpoints.join(', '),
      picked: true,
    };
  });
  const picked = await vscode.window.showQuickPick(picks, {
    title: `PreMem: checkpoints of ${run}`,
    placeHolder: 'The checkpoints of premem.json\'s "scoring" section to score',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked || picked.length === 0) return undefined;
  const chosen = new Set(picked.map((p) => p.id));
  return checkpoints.filter((c) => chosen.has(c.id)).map((c) => c.id);
}

async function askExamples(services: PreMemServices, session: AnalysisSession): Promise<ExampleChoice | undefined> {
  const { dataset } = session;
  const keysOf = (indices: Iterable<number>) => [...new Set(indices)].sort((a, b) => a - b).map((i) => dataset.keys[i]);
  type ExamplePick = vscode.QuickPickItem & { choice: ExampleChoice };
  const picks: ExamplePick[] = [
    { label: 'All examples', description: plural(dataset.size, 'example'), choice: { label: `all ${plural(dataset.size, 'example')}`, keys: 'all' } },
  ];
  const fragile = session.fragileExamples();
  const run = session.runs[session.selectedRun];
  if (fragile.length > 0 && run) {
    const at = `${run.id} / ${run.checkpoints[session.selectedCheckpoint]?.id ?? ''}`;
    picks.push({
      label: 'Fragile examples',
      description: `${plural(fragile.length, 'example')} with PreMemAcc ≤ ${session.t} at ${at}`,
      choice: { label: plural(fragile.length, 'fragile example'), keys: keysOf(fragile) },
    });
  }
  const flagged = services.flags?.recollectionIndices(dataset) ?? [];
  if (flagged.length > 0) {
    picks.push({
      label: 'Flagged examples',
      description: plural(flagged.length, 'example') + ' flagged for re-collection',
      choice: { label: plural(flagged.length, 'flagged example'), keys: keysOf(flagged) },
    });
  }
  const selected = selectedExamples(services, session);
  if (selected.length > 0) {
    picks.push({
      label: 'Selected examples',
      description: `${plural(selected.length, 'example')} in the editor's selection`,
      choice: { label: plural(selected.length, 'selected example'), keys: keysOf(selected) },
    });
  }
  const pick = await vscode.window.showQuickPick(picks, { title: 'PreMem: score which examples?', ignoreFocusOut: true });
  return pick?.choice;
}

/** Examples on the lines selected in the dataset editor, else the example under the cursor or in the table. */
function selectedExamples(services: PreMemServices, session: AnalysisSession): number[] {
  const editor = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].find(
    (e) => e?.document.uri.scheme === 'file' && path.resolve(e.document.uri.fsPath) === path.resolve(session.dataset.path),
  );
  if (!editor) return services.currentExample === undefined ? [] : [services.currentExample];
  const out: number[] = [];
  const edited = editor.document.isDirty;
  for (const s of editor.selections) {
    // A selection ending at column 0 of a line does not include that line.
    const last = s.end.line > s.start.line && s.end.character === 0 ? s.end.line - 1 : s.end.line;
    if (!edited) {
      const { first, end } = indicesInLines(session.dataset, s.start.line, last);
      for (let i = first; i < end; i++) out.push(i);
    } else {
      for (let line = s.start.line; line <= last; line++) {
        const i = indexOfRecordText(session.dataset, editor.document.lineAt(line).text);
        if (i !== undefined) out.push(i);
      }
    }
  }
  return out;
}
