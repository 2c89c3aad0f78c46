// lm-evaluation-harness sample logs as runs: a path (a samples file or a folder of checkpoint folders) is one run;
// list several runs in premem.json to compare them.
import type { Dataset, InputProblem, Run } from '../model';
import { readLmEvalRun } from './lm-eval';

export { isLmEvalDir } from './lm-eval';

export async function loadLmEvalRuns(target: string, dataset?: Dataset, lmEvalTask?: string): Promise<{ runs: Run[]; problems: InputProblem[] }> {
  const { run, problems } = await readLmEvalRun(target, { dataset, task: dataset?.profile.task, lmEvalTask });
  return { runs: [run], problems };
}
