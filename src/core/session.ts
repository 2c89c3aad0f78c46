// A dataset opened next to its runs: the state behind every view of the extension (marks, hovers, trees, panels).
// It owns the loaded runs, the thresholds and the selected run/checkpoint, and derives per-example arrays once per
// change, so that scrolling and hovering are lookups.
import { type AnalysisResult, summarize } from './analysis';
import type { PreMemConfig } from './config';
import { openDataset } from './dataset/open';
import type { Calibration } from './metrics/calibrate';
import { calibrateInSlices, prepareRunInTurns } from './metrics/in-turns';
import { type ExampleDynamics, exampleDynamics, isFragile, TRAJECTORY_NAMES, type TrajectoryName, CATEGORY_NAMES, type CategoryName } from './metrics/dynamics';
import { preMemAccuracy, type PreparedRun } from './metrics/premem';
import { DEFAULT_THRESHOLD, pFromThreshold, thresholdFromP } from './metrics/threshold';
import type { Dataset, InputProblem, Run } from './model';
import { loadRuns } from './runlog/load';
import type { PreMemLogReader } from './runlog/premem/log-reader';

import { Bucket, BUCKET_NAMES, type BucketName } from './buckets';

export { Bucket, BUCKET_NAMES, type BucketName };

/** Examples within this margin above t are "at risk". */
export const AT_RISK_MARGIN = 0.15;

export interface SessionProgress {
  (message: string, fraction?: number): void;
}

export interface ExampleCheckpointReport {
  id: string;
  step: number;
  accuracy: number | null;
  perplexity: number | null;
  maskedAccuracy: number | null;
  preMemAccuracy: number | null;
  category: CategoryName;
  samples: number;
}

export interface ExampleReport {
  index: number;
  run: string;
  preMemAccuracy: number | null;
  bucket: BucketName;
  trajectory: TrajectoryName;
  firstMemorized: string | null;
  forgetting: number;
  member: boolean;
  checkpoints: ExampleCheckpointReport[];
}

/** Per-example arrays for the selected run at the current threshold. */
export interface RunView {
  run: Run;
  preMem: Float64Array[];
  dynamics: ExampleDynamics;
  /** Bucket per example at the selected checkpoint. */
  buckets: Uint8Array;
  /** Whether the run trained on the example. */
  member: Uint8Array;
}

type Listener = () => void;

export class AnalysisSession {
  private readonly listeners = new Set<Listener>();
  private cachedView: RunView | undefined;
  private cachedSummary: Pick<AnalysisResult, 'fit' | 'runs'> | undefined;
  prepared: PreparedRun[];
  calibration: Calibration | null = null;
  thr: number;
  t: number;
  selectedRun = 0;
  selectedCheckpoint: number;
  // While the newest checkpoint is selected (as at opening), checkpoints a training job appends are selected as
  // they arrive; a user who picks an earlier one stays there.
  private followsNewest = true;

  private constructor(
    readonly config: PreMemConfig,
    readonly dataset: Dataset,
    prepared: PreparedRun[],
    calibration: Calibration | null,
    readonly problems: InputProblem[],
    private readonly readers: { path: string; reader: PreMemLogReader }[],
  ) {
    this.prepared = prepared;
    this.t = config.t;
    this.calibration = calibration;
    if (config.p === 'calibrate') this.thr = calibration?.thr ?? DEFAULT_THRESHOLD[dataset.profile.task];
    else this.thr = thresholdFromP(config.p);
    this.selectedCheckpoint = Math.max(0, (prepared[0]?.run.checkpoints.length ?? 1) - 1);
  }

  static async open(config: PreMemConfig, progress: SessionProgress = () => {}, signal?: AbortSignal): Promise<AnalysisSession> {
    progress(`Indexing ${config.dataset}`, 0);
    const dataset = await openDataset(config.dataset, config.profile, {
      signal,
      onProgress: (done: number, total: number) => progress('Indexing the dataset', total ? (0.5 * done) / total : undefined),
    });
    const runs: Run[] = [];
    const problems: InputProblem[] = [...dataset.problems];
    const readers: { path: string; reader: PreMemLogReader }[] = [];
    for (const [i, source] of config.runs.entries()) {
      signal?.throwIfAborted();
      const share = 0.5 / Math.max(1, config.runs.length);
      progress(`Reading runs: ${source.path}`, 0.5 + share * i);
      const loaded = await loadRuns(source.path, {
        format: source.format,
        dataset,
        answerFiles: config.answerFiles,
        lmEvalTask: source.task,
        onProgress: (done, total) => progress(`Reading runs: ${source.path}`, 0.5 + share * (i + (total ? done / total : 0))),
      });
      for (const run of loaded.runs) {
        if (run.numExamples !== dataset.size) {
          problems.push({
            file: source.path,
            message: `run ${run.id} has ${run.numExamples} examples but the dataset has ${dataset.size}; it is not shown`,
            severity: 'error',
          });
        } else runs.push(run);
      }
      problems.push(...loaded.problems);
      if (loaded.reader) readers.push({ path: source.path, reader: loaded.reader });
    }
    // Preparing and calibrating take long on large runs: turns of the event loop in between keep a caller on an
    // event loop (the extension host) responsive.
    const prepared: PreparedRun[] = [];
    for (const run of runs) {
      signal?.throwIfAborted();
      prepared.push(await prepareRunInTurns(run));
    }
    let calibration: Calibration | null = null;
    if (config.p === 'calibrate') {
      progress('Calibrating p', 1);
      calibration = (await calibrateInSlices(prepared)) ?? null;
    }
    return new AnalysisSession(config, dataset, prepared, calibration, problems, readers);
  }

  get runs(): Run[] {
    return this.prepared.map((p) => p.run);
  }

  get p(): number {
    return pFromThreshold(this.thr);
  }

  /**
   * Runs of PreMem logs that no longer match the dataset: some of their scores records were taken on another
   * version of it (an edit changed its records), and are not shown.
   */
  mismatchedRuns(): { run: string; refused: number }[] {
    return this.readers.flatMap(({ reader }) => reader.mismatchedRuns());
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    this.cachedView = undefined;
    this.cachedSummary = undefined;
    for (const l of this.listeners) l();
  }

  setThreshold(thr: number): void {
    if (thr === this.thr) return;
    this.thr = thr;
    this.changed();
  }

  setP(p: number): void {
    this.setThreshold(thresholdFromP(p));
  }

  setT(t: number): void {
    if (t === this.t) return;
    this.t = t;
    this.changed();
  }

  select(run: number, checkpoint?: number): void {
    if (run < 0 || run >= this.prepared.length) return;
    const last = this.prepared[run].run.checkpoints.length - 1;
    const c = Math.max(0, Math.min(checkpoint ?? last, last)); // 0 for a run without checkpoints yet
    if (run === this.selectedRun && c === this.selectedCheckpoint) return;
    this.selectedRun = run;
    this.selectedCheckpoint = c;
    this.followsNewest = c >= last;
    this.changed();
  }

  /**
   * Reads what scoring or training jobs appended to PreMem logs; true when anything changed. Only the runs the
   * new records touched are prepared again (readers hand back an untouched run as the same object), with turns
   * of the event loop in between as when opening.
   */
  async refresh(): Promise<boolean> {
    let changed = false;
    for (const { reader } of this.readers) if ((await reader.readMore()).changed) changed = true;
    if (!changed) return false;
    const fresh = new Map<string, Run>();
    for (const { reader } of this.readers) for (const r of reader.runs()) fresh.set(`${r.source.path}\u0000${r.id}`, r);
    const seen = new Set<string>();
    const prepared: PreparedRun[] = [];
    for (const p of this.prepared) {
      const key = `${p.run.source.path}\u0000${p.run.id}`;
      seen.add(key);
      const r = fresh.get(key);
      prepared.push(r && r !== p.run ? await prepareRunInTurns(r) : p);
    }
    for (const [key, r] of fresh) if (!seen.has(key) && r.numExamples === this.dataset.size) prepared.push(await prepareRunInTurns(r));
    this.prepared = prepared;
    const last = (this.prepared[this.selectedRun]?.run.checkpoints.length ?? 0) - 1;
    if (this.followsNewest || this.selectedCheckpoint > last) this.selectedCheckpoint = Math.max(0, last);
    this.changed();
    return true;
  }

  /** Recalibrates p against the runs' test accuracy; false when there is too little test data. */
  async recalibrate(): Promise<boolean> {
    this.calibration = (await calibrateInSlices(this.prepared)) ?? null;
    if (!this.calibration) return false;
    this.setThreshold(this.calibration.thr);
    return true;
  }

  summary(): Pick<AnalysisResult, 'fit' | 'runs'> {
    return (this.cachedSummary ??= summarize(this.prepared, this.thr));
  }

  view(): RunView | undefined {
    const prepared = this.prepared[this.selectedRun];
    if (!prepared) return undefined;
    if (this.cachedView) return this.cachedView;
    const { run } = prepared;
    const preMem = preMemAccuracy(prepared, this.thr);
    const dynamics = exampleDynamics(prepared, this.thr);
    const member = new Uint8Array(run.numExamples);
    for (const i of prepared.members) member[i] = 1;
    const selected = preMem[this.selectedCheckpoint] ?? new Float64Array(run.numExamples).fill(NaN);
    const buckets = new Uint8Array(run.numExamples);
    for (let i = 0; i < buckets.length; i++) buckets[i] = bucketOf(selected[i], this.t);
    return (this.cachedView = { run, preMem, dynamics, buckets, member });
  }

  /** Everything known about one example in the selected run: for hovers, the example panel and exports. */
  example(index: number): ExampleReport | undefined {
    const view = this.view();
    if (!view || index < 0 || index >= view.run.numExamples) return undefined;
    const { run, preMem, dynamics } = view;
    const ll = this.prepared[this.selectedRun].logLogPerplexity;
    const num = (x: number) => (Number.isNaN(x) ? null : x);
    const first = dynamics.firstMemorized[index];
    return {
      index,
      run: run.id,
      preMemAccuracy: num(preMem[this.selectedCheckpoint]?.[index] ?? NaN),
      bucket: BUCKET_NAMES[view.buckets[index]],
      trajectory: TRAJECTORY_NAMES[dynamics.trajectory[index]],
      firstMemorized: first >= 0 ? run.checkpoints[first].id : null,
      forgetting: dynamics.forgetting[index],
      member: view.member[index] === 1,
      checkpoints: run.checkpoints.map((c, m) => {
        const a = c.accuracy[index];
        return {
          id: c.id,
          step: c.step,
          accuracy: num(a),
          perplexity: num(c.perplexity[index]),
          maskedAccuracy: Number.isNaN(a) ? null : ll[m][index] >= this.thr ? a : 0,
          preMemAccuracy: num(preMem[m][index]),
          category: CATEGORY_NAMES[dynamics.category[m][index]],
          samples: c.sampleCount[index],
        };
      }),
    };
  }

  /** Fragile examples (PreMemAcc <= t at the selected checkpoint, trained on), lowest PreMemAcc first. */
  fragileExamples(): Int32Array {
    const view = this.view();
    if (!view) return new Int32Array(0);
    const selected = view.preMem[this.selectedCheckpoint];
    const out: number[] = [];
    for (let i = 0; i < view.buckets.length; i++) if (view.buckets[i] === Bucket.Fragile && view.member[i]) out.push(i);
    out.sort((a, b) => selected[a] - selected[b] || a - b);
    return Int32Array.from(out);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.dataset.close();
  }
}

export function bucketOf(preMemAccuracy: number, t: number): Bucket {
  if (Number.isNaN(preMemAccuracy)) return Bucket.NotScored;
  if (isFragile(preMemAccuracy, t)) return Bucket.Fragile;
  if (preMemAccuracy <= t + AT_RISK_MARGIN) return Bucket.AtRisk;
  return Bucket.Robust;
}
