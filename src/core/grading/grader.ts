// The interface every task's grader implements; index.ts picks one per GradingTask.

export interface Grader {
  /** The normalised final answer of a model sample; null when the text holds none. */
  extract(text: string): string | null;
  /** The normalised final answer of a target trace; null when the trace holds none. */
  extractTarget(target: string): string | null;
  /** The normalised form of a final answer stated alone (a dataset's answer field); null when it holds none. */
  normalise(answer: string): string | null;
  /** Whether two normalised answers (as returned by extract / extractTarget) are the same answer. */
  equivalent(answer: string, targetAnswer: string): boolean;
}
