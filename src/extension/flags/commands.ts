// premem.flagExample / premem.unflagExample, from the command palette (the example under the cursor), a hover link
// or the fragile-examples tree (an index argument), and the functions the example panel calls for its own flag form.
// Flags go through the FlagStore only; its change callback makes the session manager fire onDidChange.
import * as vscode from 'vscode';
import { FLAG_REASONS, type FlagReason } from '../../core/flags/flag-events';
import type { FlagState } from '../../core/flags/flag-store';
import { exampleIndexFromArgument } from '../example-argument';
import type { PreMemServices } from '../services';

export const REASON_DESCRIPTIONS: Record<FlagReason, string> = {
  fragile: 'Only memorized: collect more examples like it',
  'wrong-target': 'The target trace or its answer is wrong',
  'ambiguous-question': 'The question is ambiguous or lacks information',
  duplicate: 'Repeats another example',
  keep: 'Never export it, even when fragile',
  other: 'Say why in the note',
};

export async function flagExample(services: PreMemServices, index: number, reason: FlagReason, note: string): Promise<FlagState | undefined> {
  const { session, flags } = services;
  if (!session || !flags) throw new Error('no dataset with flags is open');
  const example = await session.dataset.get(index);
  await flags.flag(example.key, { reason, note, author: await services.author(), line: example.line, query: example.query });
  return flags.state(example.key);
}

export async function unflagExample(services: PreMemServices, index: number): Promise<void> {
  const { session, flags } = services;
  if (!session || !flags) throw new Error('no dataset with flags is open');
  const key = session.dataset.keys[index];
  if (flags.state(key)) await flags.unflag(key, await services.author());
}

export function registerFlagCommands(services: PreMemServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('premem.flagExample', (arg?: unknown) => guarded(() => flagCommand(services, arg))),
    vscode.commands.registerCommand('premem.unflagExample', (arg?: unknown) => guarded(() => unflagCommand(services, arg))),
  ];
}

async function flagCommand(services: PreMemServices, arg: unknown): Promise<void> {
  const index = requireExample(services, arg);
  if (index !== undefined) await pickFlag(services, index);
}

/**
 * The flag flow: a reason, then a note. `proposed` (from a view that knows why, e.g. a suspected wrong target)
 * puts its reason first and fills in its note; the user still confirms both.
 */
export async function pickFlag(services: PreMemServices, index: number, proposed?: { reason: FlagReason; note: string }): Promise<void> {
  if (!services.session || !services.flags) return;
  const current = services.flags.state(services.session.dataset.keys[index]);
  const fragile = services.session.example(index)?.bucket === 'fragile';
  let order: FlagReason[] = fragile ? [...FLAG_REASONS] : [...FLAG_REASONS.filter((r) => r !== 'fragile'), 'fragile'];
  if (proposed) order = [proposed.reason, ...order.filter((r) => r !== proposed.reason)];
  const items = order.map((reason) => ({ label: reason, description: REASON_DESCRIPTIONS[reason], picked: reason === (proposed?.reason ?? current?.reason), reason }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Flag example ${index + 1} for re-collection`,
    placeHolder: current ? `Flagged "${current.reason}" by ${current.author}; pick a new reason` : 'Why is this example flagged?',
  });
  if (!picked) return;
  const note = await vscode.window.showInputBox({
    title: `Flag example ${index + 1}: ${picked.reason}`,
    prompt: 'A note for whoever collects its replacements (optional)',
    value: proposed && picked.reason === proposed.reason ? proposed.note : (current?.note ?? ''),
  });
  if (note === undefined) return;
  await flagExample(services, index, picked.reason, note);
  vscode.window.setStatusBarMessage(`PreMem: example ${index + 1} flagged "${picked.reason}"`, 4000);
}

async function unflagCommand(services: PreMemServices, arg: unknown): Promise<void> {
  const index = requireExample(services, arg);
  if (index === undefined) return;
  if (!services.flags!.state(services.session!.dataset.keys[index])) {
    void vscode.window.showInformationMessage(`PreMem: example ${index + 1} is not flagged.`);
    return;
  }
  await unflagExample(services, index);
  vscode.window.setStatusBarMessage(`PreMem: example ${index + 1} unflagged`, 4000);
}

function requireExample(services: PreMemServices, arg: unknown): number | undefined {
  if (!services.session) {
    void vscode.window.showInformationMessage('PreMem: open a dataset with its runs first.');
    return undefined;
  }
  if (!services.flags) {
    void vscode.window.showErrorMessage('PreMem: the flags of this dataset cannot be read (see the PreMem output).');
    return undefined;
  }
  const index = exampleIndexFromArgument(services, arg);
  if (index === undefined) void vscode.window.showInformationMessage('PreMem: put the cursor on a record of the dataset to flag it.');
  return index;
}

async function guarded(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    void vscode.window.showErrorMessage(`PreMem: ${err instanceof Error ? err.message : String(err)}`);
  }
}
