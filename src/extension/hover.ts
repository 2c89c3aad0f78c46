// Hover over a dataset record: its trajectory across the selected run's checkpoints, its class and flag, and
// links to the samples and to flagging. Text from files (run and checkpoint ids, flag notes) is escaped; the
// links may run only the commands listed in enabledCommands.
import * as vscode from 'vscode';
import { TRAJECTORY_LABELS } from '../core/metrics/dynamics';
import type { ExampleReport } from '../core/session';
import type { FlagState } from '../core/flags/flag-store';
import { escapeMarkdown, fixed2, perplexityText } from './format';
import { selectedSignalLines } from './selected-signals';
import type { SessionManager } from './session-manager';
import type { SignalLine } from './signal-text';

const LINK_COMMANDS = ['premem.showExample', 'premem.flagExample', 'premem.unflagExample'];

export function registerHover(manager: SessionManager): vscode.Disposable {
  return vscode.languages.registerHoverProvider(
    { scheme: 'file' },
    {
      provideHover(document, position) {
        const session = manager.session;
        if (!session || !manager.isDatasetDocument(document)) return undefined;
        const index = manager.indexAtLine(document, position.line);
        if (index === undefined) return undefined;
        const report = session.example(index);
        if (!report) return undefined;
        const flag = manager.flags?.state(session.dataset.keys[index]);
        const signals = selectedSignalLines(session, index);
        return new vscode.Hover(hoverMarkdown(report, session.selectedCheckpoint, flag, signals), document.lineAt(position.line).range);
      },
    },
  );
}

export function hoverMarkdown(report: ExampleReport, selectedCheckpoint: number, flag: FlagState | undefined, signals: readonly SignalLine[] = []): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  md.isTrusted = { enabledCommands: LINK_COMMANDS };
  md.supportHtml = false;
  md.appendMarkdown(`**PreMem** · example ${report.index + 1} · run \`${report.run.replace(/`/g, "'")}\`\n\n`);
  if (!report.member) md.appendMarkdown(`*Not in this run’s training subset: its numbers do not count in the run’s means.*\n\n`);
  md.appendMarkdown('| checkpoint | accuracy | perplexity | masked acc. | PreMemAcc | category |\n|:--|--:|--:|--:|--:|:--|\n');
  report.checkpoints.forEach((c, m) => {
    const id = escapeMarkdown(c.id);
    const cells = [
      m === selectedCheckpoint ? `**${id}**` : id,
      fixed2(c.accuracy),
      perplexityText(c.perplexity),
      fixed2(c.maskedAccuracy),
      m === selectedCheckpoint ? `**${fixed2(c.preMemAccuracy)}**` : fixed2(c.preMemAccuracy),
      c.category,
    ];
    md.appendMarkdown(`| ${cells.join(' | ')} |\n`);
  });
  md.appendMarkdown(`\n**${TRAJECTORY_LABELS[report.trajectory]}**`);
  md.appendMarkdown(report.firstMemorized ? ` · first memorized at ${escapeMarkdown(report.firstMemorized)}` : ' · never memorized');
  if (report.forgetting > 0) md.appendMarkdown(` · forgotten ${report.forgetting}×`);
  md.appendMarkdown(` · ${report.bucket}\n\n`);
  // Forgetting events are in the line above already ("forgotten n×").
  const shown = signals.filter((s) => s.label !== 'forgetting events');
  if (shown.length) md.appendMarkdown(`${shown.map((s) => `${s.label} ${escapeMarkdown(s.value)}`).join(' · ')}\n\n`);
  if (flag) {
    md.appendMarkdown(`$(flag) Flagged for re-collection: ${escapeMarkdown(flag.reason)}`);
    if (flag.note) md.appendMarkdown(` — ${escapeMarkdown(flag.note)}`);
    md.appendMarkdown(` (${escapeMarkdown(flag.author)})\n\n`);
  }
  const link = (command: string, title: string) => `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([report.index]))})`;
  const links = [link('premem.showExample', '$(diff) Show samples diff')];
  links.push(flag ? link('premem.unflagExample', '$(close) Unflag') : link('premem.flagExample', '$(flag) Flag for re-collection'));
  md.appendMarkdown(links.join(' · '));
  return md;
}
