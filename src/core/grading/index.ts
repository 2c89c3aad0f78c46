// Answer grading: a sample is correct when its final answer equals the target's, wrong when it differs,
// and unparseable when it states none. One grader per task; callers grading k samples against one target
// extract the target's answer once (targetAnswer) and call gradeAgainst per sample.
import type { GradeResult, GradingTask } from '../model';
import type { Grader } from './grader';
import { generalGrader } from './general';
import { gsm8kGrader } from './gsm8k';
import { mathGrader } from './math';

export type { Grader } from './grader';

export const graders: Record<GradingTask, Grader> = {
  gsm8k: gsm8kGrader,
  math: mathGrader,
  general: generalGrader,
};

/** The normalised final answer of a model sample; null when it states none. */
export function extractAnswer(task: GradingTask, text: string): string | null {
  return graders[task].extract(text);
}

/** The normalised final answer of a target trace; null when it holds none. */
export function targetAnswer(task: GradingTask, target: string): string | null {
  return graders[task].extractTarget(target);
}

/**
 * The reference answer of an example: its answer field when the dataset has one (normalised as an answer
 * stated alone), else the final answer of its target trace.
 */
export function referenceAnswer(task: GradingTask, example: { target: string; answer?: string }): string | null {
  return example.answer !== undefined ? graders[task].normalise(example.answer) : targetAnswer(task, example.target);
}

/**
 * Grades one sample against a target answer already extracted by targetAnswer(). A sample with an answer
 * is wrong against a target without one: there is nothing it could match.
 */
export function gradeAgainst(task: GradingTask, targetAnswerNormalised: string | null, sample: string): GradeResult {
  const grader = graders[task];
  const answer = grader.extract(sample);
  const outcome =
    answer === null
      ? 'unparseable'
      : targetAnswerNormalised !== null && grader.equivalent(answer, targetAnswerNormalised)
        ? 'correct'
        : 'wrong';
  return { outcome, answer, targetAnswer: targetAnswerNormalised };
}

export function grade(task: GradingTask, target: string, sample: string): GradeResult {
  return gradeAgainst(task, targetAnswer(task, target), sample);
}
