// What the example panel shows of one example, gathered from the session: the record, its numbers in the selected
// run, its flag, and (for comparisons) its numbers in any run at any checkpoint. Everything is plain data that
// survives JSON (non-finite numbers become null).
import type { FlagStore } from '../../core/flags/flag-store';
import { referenceAnswer } from '../../core/grading';
import { CATEGORY_NAMES, exampleDynamics } from '../../core/metrics/dynamics';
import { preMemAccuracy } from '../../core/metrics/premem';
import { preparedForExample } from '../../core/signals/run-prefix';
import type { AnalysisSession } from '../../core/session';
import type { CheckpointNumbers, ExampleView, FlagView } from '../../../webview/example/protocol';
import { selectedSignalLines } from '../selected-signals';

const finite = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

export async function exampleView(session: AnalysisSession, flags: FlagStore | undefined, index: number): Promise<ExampleView | undefined> {
  const report = session.example(index);
  if (!report) return undefined;
  const record = await session.dataset.get(index);
  const run = session.runs[session.selectedRun];
  const task = session.dataset.profile.task;
  return {
    index,
    key: record.key,
    line: record.line,
    query: record.query,
    target: record.target,
    targetAnswer: referenceAnswer(task, record),
    task,
    run: session.selectedRun,
    runId: run.id,
    selectedCheckpoint: session.selectedCheckpoint,
    preMemAccuracy: finite(report.preMemAccuracy),
    bucket: report.bucket,
    trajectory: report.trajectory,
    firstMemorized: report.firstMemorized,
    member: report.member,
    checkpoints: report.checkpoints.map((c, m) => ({
      id: c.id,
      step: finite(c.step),
      accuracy: finite(c.accuracy),
      perplexity: finite(c.perplexity),
      maskedAccuracy: finite(c.maskedAccuracy),
      preMemAccuracy: finite(c.preMemAccuracy),
      category: c.category,
      samples: c.samples,
      hasTexts: run.samples?.has(m, index) ?? false,
    })),
    signals: selectedSignalLines(session, index),
    runs: session.runs.map((r, i) => ({ index: i, id: r.id, checkpoints: r.checkpoints.map((c) => ({ id: c.id, step: finite(c.step) })) })),
    flag: flagView(flags, record.key),
    canFlag: flags !== undefined,
    p: session.p,
    t: session.t,
  };
}

export function flagView(flags: FlagStore | undefined, key: string): FlagView | null {
  const state = flags?.state(key);
  return state ? { reason: state.reason, note: state.note, author: state.author, time: state.time } : null;
}

/**
 * One example's numbers in any run at one checkpoint, computed by the same code as the dataset-wide arrays but
 * over a one-example view of the run, so a comparison costs a few operations whatever the dataset size.
 */
export function checkpointNumbers(session: AnalysisSession, run: number, checkpoint: number, index: number): CheckpointNumbers | null {
  const prepared = session.prepared[run];
  if (!prepared || checkpoint >= prepared.run.checkpoints.length || index >= prepared.run.numExamples) return null;
  const one = preparedForExample(prepared, index);
  const pre = preMemAccuracy(one, session.thr);
  const { category } = exampleDynamics(one, session.thr);
  const c = prepared.run.checkpoints[checkpoint];
  const accuracy = finite(c.accuracy[index]);
  return {
    id: c.id,
    step: finite(c.step),
    accuracy,
    perplexity: finite(c.perplexity[index]),
    maskedAccuracy: accuracy === null ? null : one.logLogPerplexity[checkpoint][0] >= session.thr ? accuracy : 0,
    preMemAccuracy: finite(pre[checkpoint][0]),
    category: CATEGORY_NAMES[category[checkpoint][0]],
    samples: c.sampleCount[index],
    hasTexts: prepared.run.samples?.has(checkpoint, index) ?? false,
  };
}
