// LLaMA-Factory predictions: `llamafactory-cli train --do_predict` writes generated_predictions.jsonl into its
// output folder, one line per test record: {"prompt": the templated prompt, "predict": the generation, "label":
// the target} (versions before 0.9 wrote no prompt). One file per checkpoint folder makes a run. The lines carry
// no ids: each is placed on the dataset by its prompt (and label) text; see prompt-match.ts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Dataset, InputError, type InputProblem, type Run } from '../model';
import { findCheckpointFiles } from './checkpoint-files';
import { PromptMatchedRun, PromptMatcher } from './prompt-match';
import { ProblemLog } from './problem-log';

export const PREDICTIONS_FILE = 'generated_predictions.jsonl';

export async function isLlamaFactoryRun(target: string): Promise<boolean> {
  return (await findCheckpointFiles(target, (name) => name === PREDICTIONS_FILE).catch(() => [])).length > 0;
}

export async function readLlamaFactoryRun(target: string, dataset: Dataset | undefined): Promise<{ run: Run; problems: InputProblem[] }> {
  if (!dataset) throw new InputError(target, 'LLaMA-Factory predictions carry no example ids: open them with the dataset they were made from (--dataset)');
  const files = await findCheckpointFiles(target, (name) => name === PREDICTIONS_FILE);
  if (files.length === 0) throw new InputError(target, `no ${PREDICTIONS_FILE} files (written by llamafactory-cli with do_predict)`);
  const log = new ProblemLog();
  const matcher = await PromptMatcher.of(dataset);
  const run = new PromptMatchedRun(matcher, dataset.profile.task);
  for (const [f, file] of files.entries()) {
    const lines = (await readFile(file.path, 'utf8')).split('\n');
    const step = Number.isNaN(file.step) ? f : file.step;
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      const problem = (message: string, field?: string) => log.add(field ?? 'json', { file: file.path, line: i + 1, message, severity: 'error', ...(field ? { field } : {}) });
      let rec: { prompt?: unknown; predict?: unknown; label?: unknown };
      try {
        rec = JSON.parse(text);
      } catch (err) {
        return problem(`invalid JSON: ${(err as Error).message}`);
      }
      if (typeof rec?.predict !== 'string') return problem("missing 'predict' (the generated text)", 'predict');
      const prompt = typeof rec.prompt === 'string' ? rec.prompt : undefined;
      const label = typeof rec.label === 'string' ? rec.label : undefined;
      const example = matcher.match(prompt, label);
      if (example === undefined) return problem("no dataset example's query appears in this prompt; is this the dataset it was made from?", 'prompt');
      run.add(file.checkpoint, step, example, rec.predict);
    });
  }
  return { run: run.toRun(path.basename(path.resolve(target)), 'llamafactory', target, dataset.size), problems: log.problems };
}
