// Small text helpers shared by the marks, hovers, trees and the status bar.
import type { InputProblem } from '../core/model';
import { plural, shortRunNames } from '../../webview/shared/format';

export { plural, shortRunNames };

/** A number as 0.62; an em dash for unknown. */
export function fixed2(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(2);
}

/** A fraction as 62%; an em dash for unknown. */
export function percent(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : `${Math.round(x * 100)}%`;
}

/** A perplexity with enough digits to compare it with p (which sits near 1.1). */
export function perplexityText(x: number | null): string {
  if (x === null || Number.isNaN(x)) return '—';
  return x < 10 ? x.toFixed(4) : x.toPrecision(5);
}

/** One line of text, collapsed and cut to `max` characters. */
export function preview(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/** file:line (field): message, the form the log and notifications use. */
export function describeProblem(p: InputProblem, file: string = p.file): string {
  return `${file}${p.line !== undefined ? `:${p.line}` : ''}${p.field ? ` (${p.field})` : ''}: ${p.message}`;
}

/**
 * What happened to the input, for the notification: bad records skipped and warnings about records that were kept
 * (duplicates keyed '#2', …) are counted apart, and the first skipped record (else the first warning) is quoted.
 */
export function problemsHeadline(problems: readonly InputProblem[], relative: (file: string) => string = (f) => f): string {
  const skipped = problems.filter((p) => p.skipped).length;
  const kept = problems.length - skipped;
  const parts: string[] = [];
  if (skipped) parts.push(`${plural(skipped, 'bad record')} skipped`);
  if (kept) parts.push(skipped ? plural(kept, 'warning') : `${plural(kept, 'warning')}, no record skipped`);
  const first = problems.find((p) => p.skipped) ?? problems[0];
  return `${parts.join(', ')}. ${describeProblem(first, relative(first.file))}${problems.length > 1 ? ' …' : ''}`;
}

/**
 * The error shown when runs stop matching the dataset (an edit changed its records, so scores taken on the old
 * version no longer fit): which runs, how many records, and the dataset's first skipped record, which is often
 * the edit itself.
 */
export function mismatchedRunsMessage(dataset: string, mismatched: readonly { run: string; refused: number }[], datasetProblems: readonly InputProblem[]): string {
  const names = mismatched.slice(0, 3).map((m) => m.run).join(', ') + (mismatched.length > 3 ? ` and ${mismatched.length - 3} more` : '');
  const refused = mismatched.reduce((sum, m) => sum + m.refused, 0);
  const skipped = datasetProblems.find((p) => p.skipped);
  const why = skipped
    ? `${dataset} changed since they were scored (line ${skipped.line} is skipped now: ${skipped.message})`
    : `the records of ${dataset} changed since they were scored`;
  return (
    `${mismatched.length === 1 ? 'Run' : `${mismatched.length} runs:`} ${names} no longer ${mismatched.length === 1 ? 'matches' : 'match'} the dataset: ` +
    `${why}, so ${plural(refused, 'scores record')} ${refused === 1 ? 'is' : 'are'} not shown. Undo the change, or score the runs again.`
  );
}

/** Markdown with every character that could start markup escaped; for text from files (ids, notes, queries). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}
