// Suspected wrong targets (docs/signals.md): an example the model never solved before it memorized it, whose k
// samples before memorization agree with each other on one final answer other than the target's, is more likely
// a bad label than a hard example (the model is confident, and consistently disagrees: confident learning's
// reading of a label issue). Needs sample answers in the logs (PreMem run logs, lm-eval samples).
import { exampleDynamics, Trajectory } from '../metrics/dynamics';
import { preMemAccuracy, type PreparedRun } from '../metrics/premem';
import { preparedUpTo } from './run-prefix';

export interface WrongTargetOptions {
  /** Least share of all k samples that must give the agreeing answer (default 0.75). */
  minAgreement?: number;
  /** Least number of samples giving it (default 2: one sample agrees with nobody). */
  minAgreeing?: number;
}

export const DEFAULT_MIN_AGREEMENT = 0.75;

export interface SuspectedWrongTarget {
  index: number;
  /** The normalised final answer most samples agree on, which the grader marks wrong against the target. */
  agreedAnswer: string;
  agreeing: number;
  samples: number;
  /** agreeing / samples. */
  agreement: number;
  /** The checkpoint whose samples were read: the last one before memorization with sample texts. */
  evidenceCheckpoint: string;
  evidenceStep: number;
  firstMemorizedCheckpoint: string;
  preMemAccuracy: number;
}

export interface WrongTargetReport {
  run: string;
  checkpoint: string;
  /** False when the run's logs hold no sample answers: nothing can be said. */
  samplesAvailable: boolean;
  /** False when they hold no target perplexity (lm-eval, LLaMA-Factory, TRL): no example is ever memorized. */
  perplexityAvailable: boolean;
  /** Trained examples memorized by the checkpoint without being solved before ("memorized directly"). */
  memorizedDirectly: number;
  /** Of those, the ones with samples at a checkpoint before memorization (the ones that could be judged). */
  judged: number;
  /** Highest agreement first, then dataset order. */
  suspected: SuspectedWrongTarget[];
}

/** The most common answer among the samples graded wrong, and how many give it; ties go to the first seen. */
export function agreedWrongAnswer(samples: readonly { answer: string | null; outcome: string }[]): { answer: string; count: number } | null {
  const counts = new Map<string, number>();
  let best: { answer: string; count: number } | null = null;
  for (const s of samples) {
    if (s.outcome !== 'wrong' || s.answer === null) continue;
    const count = (counts.get(s.answer) ?? 0) + 1;
    counts.set(s.answer, count);
    if (!best || count > best.count) best = { answer: s.answer, count };
  }
  return best;
}

export async function suspectedWrongTargets(prepared: PreparedRun, thr: number, m: number = prepared.run.checkpoints.length - 1, options: WrongTargetOptions = {}): Promise<WrongTargetReport> {
  const minAgreement = options.minAgreement ?? DEFAULT_MIN_AGREEMENT;
  const minAgreeing = options.minAgreeing ?? 2;
  if (!(minAgreement > 0 && minAgreement <= 1)) throw new RangeError(`the agreement must lie in (0, 1], got ${minAgreement}`);
  const upTo = preparedUpTo(prepared, m);
  const { run } = upTo;
  const { trajectory, firstMemorized } = exampleDynamics(upTo, thr);
  const pre = preMemAccuracy(upTo, thr)[m];
  const source = run.samples;
  const report: WrongTargetReport = { run: run.id, checkpoint: run.checkpoints[m].id, samplesAvailable: source !== undefined, perplexityAvailable: hasPerplexity(upTo), memorizedDirectly: 0, judged: 0, suspected: [] };
  for (const i of upTo.members) {
    if (trajectory[i] !== Trajectory.MemorizedDirectly) continue;
    report.memorizedDirectly++;
    if (!source) continue;
    let evidence = -1;
    for (let c = firstMemorized[i] - 1; c >= 0 && evidence < 0; c--) if (source.has(c, i)) evidence = c;
    if (evidence < 0) continue;
    const read = await source.read(evidence, i);
    if (!read || read.samples.length === 0) continue;
    report.judged++;
    const agreed = agreedWrongAnswer(read.samples);
    if (!agreed) continue;
    const agreement = agreed.count / read.samples.length;
    if (agreed.count < minAgreeing || agreement < minAgreement) continue;
    report.suspected.push({
      index: i,
      agreedAnswer: agreed.answer,
      agreeing: agreed.count,
      samples: read.samples.length,
      agreement,
      evidenceCheckpoint: run.checkpoints[evidence].id,
      evidenceStep: run.checkpoints[evidence].step,
      firstMemorizedCheckpoint: run.checkpoints[firstMemorized[i]].id,
      preMemAccuracy: pre[i],
    });
  }
  report.suspected.sort((a, b) => b.agreement - a.agreement || a.index - b.index);
  return report;
}

function hasPerplexity(prepared: PreparedRun): boolean {
  return prepared.run.checkpoints.some((c) => prepared.members.some((i) => !Number.isNaN(c.perplexity[i])));
}
