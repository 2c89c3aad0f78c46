// TRL completion tables: GRPOTrainer (log_completions=True) and LogCompletionsCallback log a "completions" table of
// {step, prompt, completion, rewards…} to Weights & Biases; exported, it is a CSV file or W&B's table JSON
// ({"columns": [...], "data": [[...], ...]}, as in completions_<step>_<hash>.table.json), and some scripts keep it
// as JSON Lines. Each distinct step is a checkpoint; every completion of a prompt at a step is a sample. Rows name
// no example: each is placed on the dataset by its prompt text (prompt-match.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fieldText } from '../dataset/field-text';
import { type Dataset, InputError, type InputProblem, type Run } from '../model';
import { findCheckpointFiles } from './checkpoint-files';
import { ProblemLog } from './problem-log';
import { PromptMatchedRun, PromptMatcher } from './prompt-match';

const TABLE_FILE = /completions.*\.(csv|json|jsonl)$/i;

export async function isTrlCompletions(target: string): Promise<boolean> {
  return (await findCheckpointFiles(target, (name) => TABLE_FILE.test(name)).catch(() => [])).length > 0;
}

/** Rows of a table file as objects, with the 1-based line (CSV, JSON Lines) or row number (table JSON) of each. */
export async function readTableRows(file: string): Promise<{ row: Record<string, unknown>; line: number }[]> {
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  if (/\.csv$/i.test(file)) return csvRows(text, file);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && !/\.jsonl$/i.test(file)) {
    let table: { columns?: unknown; data?: unknown };
    try {
      table = JSON.parse(text);
    } catch (err) {
      throw new InputError(file, `not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(table.columns) || !Array.isArray(table.data)) throw new InputError(file, 'expected a W&B table: {"columns": [...], "data": [[...], ...]}');
    const columns = table.columns.map(String);
    return (table.data as unknown[]).map((values, i) => ({ row: Array.isArray(values) ? Object.fromEntries(columns.map((c, k) => [c, values[k]])) : {}, line: i + 1 }));
  }
  if (trimmed.startsWith('[')) {
    let rows: unknown;
    try {
      rows = JSON.parse(text);
    } catch (err) {
      throw new InputError(file, `not valid JSON: ${(err as Error).message}`);
    }
    return (rows as Record<string, unknown>[]).map((row, i) => ({ row, line: i + 1 }));
  }
  const out: { row: Record<string, unknown>; line: number }[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      out.push({ row: JSON.parse(l), line: i + 1 });
    } catch (err) {
      throw new InputError(file, `invalid JSON: ${(err as Error).message}`, i + 1);
    }
  });
  return out;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks; the first record is the header. */
function csvRows(text: string, file: string): { row: Record<string, unknown>; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') fields.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== '') records.push({ fields, line: recordLine });
      fields = [];
      field = '';
      recordLine = ++line;
    } else field += c;
  }
  if (quoted) throw new InputError(file, 'a quoted field is never closed', recordLine);
  if (field !== '' || fields.length) records.push({ fields: [...fields, field], line: recordLine });
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map(({ fields: values, line: at }) => ({ row: Object.fromEntries(header.fields.map((h, k) => [h.trim(), values[k]])), line: at }));
}

/** The step a file name or path names: completions_<step>_<hash>.table.json, else a checkpoint-like folder. */
function stepOfFile(file: string, fallback: number): number {
  const m = /completions[_-](\d+)/i.exec(path.basename(file));
  return m ? Number(m[1]) : Number.isNaN(fallback) ? 0 : fallback;
}

export async function readTrlCompletionsRun(target: string, dataset: Dataset | undefined): Promise<{ run: Run; problems: InputProblem[] }> {
  if (!dataset) throw new InputError(target, 'TRL completion tables carry no example ids: open them with the dataset the prompts came from (--dataset)');
  const files = await findCheckpointFiles(target, (name) => TABLE_FILE.test(name));
  if (files.length === 0) throw new InputError(target, 'no TRL completion tables (completions*.csv, completions*.table.json, completions*.jsonl)');
  const log = new ProblemLog();
  const matcher = await PromptMatcher.of(dataset);
  const run = new PromptMatchedRun(matcher, dataset.profile.task);
  for (const file of files) {
    const fileStep = stepOfFile(file.path, file.step);
    for (const { row, line } of await readTableRows(file.path)) {
      const problem = (kind: string, message: string) => log.add(kind, { file: file.path, line, field: kind, message, severity: 'error' });
      const prompt = fieldText(row, 'prompt', 'query');
      const completion = fieldText(row, 'completion', 'target');
      if (typeof prompt !== 'string') {
        problem('prompt', "missing 'prompt' column (the table TRL logs has step, prompt, completion)");
        continue;
      }
      if (typeof completion !== 'string') {
        problem('completion', "missing 'completion'");
        continue;
      }
      const stepValue = Number(row.step ?? row.global_step);
      const step = Number.isFinite(stepValue) && row.step !== '' ? stepValue : fileStep;
      const example = matcher.match(prompt);
      if (example === undefined) {
        problem('prompt', "no dataset example's query appears in this prompt; is this the dataset the prompts came from?");
        continue;
      }
      run.add(`step-${step}`, step, example, completion);
    }
  }
  if (run.size === 0 && log.problems.length) {
    const first = log.problems[0];
    throw new InputError(first.file, `no usable rows; first problem: ${first.message}`, first.line);
  }
  return { run: run.toRun(path.basename(path.resolve(target)).replace(/\.(csv|jsonl?)$/i, ''), 'trl-completions', target, dataset.size), problems: log.problems };
}
