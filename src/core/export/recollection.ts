// The re-collection set of the method's data-curation loop (Algorithm 1, step 7): the training examples with
// PreMemAcc <= t at one checkpoint of one run, plus examples flagged by hand, minus those flagged "keep".
// New examples like these (rephrasings, fresh human data) are what the next round collects.
import path from 'node:path';
import { DEFAULT_FRAGILE_T, exampleDynamics, isFragile, TRAJECTORY_NAMES, type TrajectoryName } from '../metrics/dynamics';
import { preMemAccuracy, prepareRun, type PreparedRun } from '../metrics/premem';
import { pFromThreshold } from '../metrics/threshold';
import type { FlagStore, FlagState } from '../flags/flag-store';
import { type Dataset, InputError, type Run } from '../model';
import { defaultRunIndex } from '../default-run';
import { exampleSignals, rankBySignal, type SignalName } from '../signals/example-signals';
import { type ExportFormat, formatFromPath, openRowSink, type PreMemField } from './writers';

/** What the export needs of a flag store. */
export type FlagLookup = Pick<FlagStore, 'state' | 'all'>;

export interface RecollectionSelectionOptions {
  dataset: Dataset;
  runs: readonly (Run | PreparedRun)[];
  /** Default: the first run. */
  runId?: string;
  /** Default: the chosen run's last checkpoint. */
  checkpointId?: string;
  /** Memorization threshold in log-log form (thr = log log p). */
  thr: number;
  /** Fragile when PreMemAcc <= t (default DEFAULT_FRAGILE_T). */
  t?: number;
  /** Add flagged examples that are not fragile (never those flagged "keep"). */
  includeFlagged?: boolean;
  flags?: FlagLookup;
}

export interface RecollectionOptions extends RecollectionSelectionOptions {
  out: string;
  /** Default: from the extension of out. */
  format?: ExportFormat;
  /** Order of the rows: hardest first by this signal (docs/signals.md), each row noting its value; default dataset order. */
  rankBy?: SignalName;
}

export interface SelectedExample {
  index: number;
  preMemAccuracy: number | null;
  trajectory: TrajectoryName | null;
  flag: FlagState | null;
  /** Selected for PreMemAcc <= t (else only for its flag). */
  fragile: boolean;
}

export interface RecollectionSelection {
  run: string;
  checkpoint: string;
  p: number;
  thr: number;
  t: number;
  /** In dataset order. */
  examples: SelectedExample[];
  /** Selected for PreMemAcc <= t. */
  fragile: number;
  /** Selected only because flagged (include-flagged). */
  flagged: number;
  /** Fragile examples left out because they are flagged "keep". */
  kept: number;
  /** Examples of the run scored at the checkpoint (the candidates for "fragile"). */
  scored: number;
  /** Flags whose key is not in the dataset: not exported, still in the flag file. */
  orphanedFlags: number;
  datasetSize: number;
}

export interface RecollectionSummary extends Omit<RecollectionSelection, 'examples'> {
  out: string;
  format: ExportFormat;
  /** Examples written. */
  selected: number;
  /** selected / datasetSize. */
  share: number;
}

/** The default name of the exported set: `<dataset name without extension>.recollection.<extension>`. */
export function recollectionFileName(datasetPath: string, extension = 'jsonl'): string {
  const base = path.basename(datasetPath);
  const ext = path.extname(base);
  return `${ext ? base.slice(0, -ext.length) : base}.recollection.${extension}`;
}

/** A run or checkpoint id that is not there; the message lists the ones that are. */
export class SelectionError extends Error {}

export function selectRecollection(options: RecollectionSelectionOptions): RecollectionSelection {
  const { dataset, flags } = options;
  const t = options.t ?? DEFAULT_FRAGILE_T;
  if (!(t >= 0 && t <= 1)) throw new RangeError(`t must lie in [0, 1], got ${t}`);
  const prepared = pickRun(options.runs, options.runId);
  const { run } = prepared;
  const m = pickCheckpoint(run, options.checkpointId);
  checkAlignment(run, dataset);

  // Up to the chosen checkpoint only: neither PreMemAcc nor the trajectory may look at later checkpoints.
  const upTo: PreparedRun = {
    run: { ...run, checkpoints: run.checkpoints.slice(0, m + 1) },
    logLogPerplexity: prepared.logLogPerplexity.slice(0, m + 1),
    members: prepared.members,
  };
  const pre = preMemAccuracy(upTo, options.thr)[m];
  const { trajectory } = exampleDynamics(upTo, options.thr);
  const flagOf = (index: number) => flags?.state(dataset.keys[index]) ?? null;

  const chosen = new Map<number, SelectedExample>();
  let kept = 0;
  let scored = 0;
  for (const i of prepared.members) {
    if (Number.isNaN(pre[i])) continue;
    scored++;
    if (!isFragile(pre[i], t)) continue;
    const flag = flagOf(i);
    if (flag?.reason === 'keep') kept++;
    else chosen.set(i, { index: i, preMemAccuracy: pre[i], trajectory: TRAJECTORY_NAMES[trajectory[i]], flag, fragile: true });
  }
  const fragile = chosen.size;
  let orphanedFlags = 0;
  const isMember = memberTest(prepared);
  for (const flag of flags?.all() ?? []) {
    const i = dataset.keyToIndex.get(flag.key);
    if (i === undefined) orphanedFlags++;
    else if (options.includeFlagged && !chosen.has(i)) {
      if (flag.reason === 'keep') continue;
      const value = Number.isNaN(pre[i]) || !isMember(i) ? null : pre[i];
      chosen.set(i, { index: i, preMemAccuracy: value, trajectory: value === null ? null : TRAJECTORY_NAMES[trajectory[i]], flag, fragile: false });
    }
  }
  return {
    run: run.id,
    checkpoint: run.checkpoints[m].id,
    p: pFromThreshold(options.thr),
    thr: options.thr,
    t,
    examples: Array.from(chosen.values()).sort((a, b) => a.index - b.index),
    fragile,
    flagged: chosen.size - fragile,
    kept,
    scored,
    orphanedFlags,
    datasetSize: dataset.size,
  };
}

/** Selects the re-collection set and writes it to options.out (atomically). */
export async function exportRecollection(options: RecollectionOptions): Promise<RecollectionSummary> {
  const format = options.format ?? formatFromPath(options.out);
  if (!format) throw new SelectionError(`${options.out}: unknown output format; use a .jsonl, .csv or .parquet file name`);
  const { examples: chosen, ...selection } = selectRecollection(options);
  const { dataset } = options;
  const { examples, rankValue } = options.rankBy ? rankSelected(options, selection, chosen, options.rankBy) : { examples: chosen, rankValue: undefined };
  const sink = await openRowSink(options.out, format);
  try {
    // Records are re-read from the dataset file a batch at a time: a large set never sits in memory twice.
    const BATCH = 64;
    for (let start = 0; start < examples.length; start += BATCH) {
      const batch = examples.slice(start, start + BATCH);
      const records = await Promise.all(batch.map((e) => dataset.get(e.index)));
      for (let k = 0; k < batch.length; k++) {
        const e = batch[k];
        const example = records[k];
        const premem: PreMemField = {
          key: example.key,
          line: example.line,
          run: selection.run,
          checkpoint: selection.checkpoint,
          p: selection.p,
          t: selection.t,
          preMemAccuracy: e.preMemAccuracy,
          trajectory: e.trajectory,
          flag: e.flag && { reason: e.flag.reason, note: e.flag.note, author: e.flag.author, time: e.flag.time },
          ...(rankValue && { rankedBy: { signal: options.rankBy!, value: rankValue(e.index) } }),
        };
        await sink.add({ record: example.record, premem, query: example.query, target: example.target });
      }
    }
    await sink.finish();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  const selected = examples.length;
  return { ...selection, out: options.out, format, selected, share: dataset.size > 0 ? selected / dataset.size : 0 };
}

/** The selected examples hardest first by one signal at the selected checkpoint; unknown values last. */
function rankSelected(options: RecollectionOptions, selection: Omit<RecollectionSelection, 'examples'>, examples: SelectedExample[], signal: SignalName) {
  const prepared = pickRun(options.runs, selection.run);
  const signals = exampleSignals(prepared, options.thr, pickCheckpoint(prepared.run, selection.checkpoint));
  const byIndex = new Map(examples.map((e) => [e.index, e]));
  const order = rankBySignal(signals, signal, Int32Array.from(examples, (e) => e.index));
  const values = signals.values[signal];
  // JSON has no Infinity: "never learned" (first-learned step +Infinity) is written as null, like unknown.
  const rankValue = (i: number) => (Number.isFinite(values[i]) ? values[i] : null);
  return { examples: Array.from(order, (i) => byIndex.get(i)!), rankValue };
}

function pickRun(runs: readonly (Run | PreparedRun)[], runId: string | undefined): PreparedRun {
  if (runs.length === 0) throw new SelectionError('no runs to select from');
  const plain = runs.map((r) => ('logLogPerplexity' in r ? r.run : r));
  const ids = plain.map((r) => r.id);
  const at = runId === undefined ? defaultRunIndex(plain) : ids.indexOf(runId);
  if (at < 0) throw new SelectionError(`no run '${runId}'; the runs are: ${ids.join(', ')}`);
  const r = runs[at];
  return 'logLogPerplexity' in r ? r : prepareRun(r);
}

function pickCheckpoint(run: Run, checkpointId: string | undefined): number {
  if (run.checkpoints.length === 0) throw new SelectionError(`run '${run.id}' has no checkpoints`);
  if (checkpointId === undefined) return run.checkpoints.length - 1;
  const m = run.checkpoints.findIndex((c) => c.id === checkpointId);
  if (m < 0) throw new SelectionError(`run '${run.id}' has no checkpoint '${checkpointId}'; its checkpoints are: ${run.checkpoints.map((c) => c.id).join(', ')}`);
  return m;
}

/** The run's per-example arrays must be indexed by the dataset's examples, or every key would be wrong. */
function checkAlignment(run: Run, dataset: Dataset): void {
  if (run.numExamples !== dataset.size) {
    throw new InputError(dataset.path, `has ${dataset.size} examples, but run '${run.id}' (${run.source.path}) scores ${run.numExamples}: is it the dataset this run trained on?`);
  }
  // The paper's arrays are positional (row i is the i-th record): a skipped bad record shifts every later row.
  const error = run.source.format === 'paper' ? dataset.problems.find((p) => p.severity === 'error') : undefined;
  if (error) {
    throw new InputError(error.file, `${error.message}; run '${run.id}' matches examples by position, so a skipped record would shift every later one`, error.line, error.field);
  }
}

function memberTest(prepared: PreparedRun): (index: number) => boolean {
  if (!prepared.run.subset) return () => true;
  const mask = new Uint8Array(prepared.run.numExamples);
  for (const i of prepared.members) mask[i] = 1;
  return (index) => mask[index] === 1;
}
