// Prints input problems (bad records, torn lines) the way compilers do: file:line: message.
import { InputError, type InputProblem } from '../core/model';

export function formatProblems(problems: InputProblem[], limit = 20): string {
  const shown = problems.slice(0, limit).map((p) => `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.severity}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
  if (problems.length > limit) shown.push(`… and ${problems.length - limit} more`);
  return shown.join('\n');
}

/**
 * A --runs path that yields no run at all is not a run log (a dataset, random bytes): one line that says so and
 * names its first problem, instead of every line's problem and an empty table.
 */
export function requireRuns(loaded: { runs: unknown[]; problems: InputProblem[] }, runsPath: string): void {
  if (loaded.runs.length > 0) return;
  const first = loaded.problems[0];
  const why = first ? `; ${first.line !== undefined ? `line ${first.line}: ` : ''}${first.message}${loaded.problems.length > 1 ? ` (and ${loaded.problems.length - 1} more problems)` : ''}` : '';
  throw new InputError(runsPath, `not a run log: no runs found${why}`);
}
