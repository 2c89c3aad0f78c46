// A DashboardSource over plain prepared runs, caching like the extension's session does (summary and the selected
// run's per-example arrays are recomputed only after a change). Used by tests, benchmarks and the CLI.
import { summarize } from '../analysis';
import { type Calibration, calibrate } from '../metrics/calibrate';
import { DEFAULT_FRAGILE_T, exampleDynamics } from '../metrics/dynamics';
import { preMemAccuracy, type PreparedRun } from '../metrics/premem';
import { DEFAULT_THRESHOLD } from '../metrics/threshold';
import type { DashboardSource } from './build';

export class StaticDashboardSource implements DashboardSource {
  private cachedSummary: ReturnType<DashboardSource['summary']> | undefined;
  private cachedView: ReturnType<DashboardSource['view']>;
  readonly calibration: Calibration | null;
  readonly t: number;
  readonly selectedRun: number;
  readonly selectedCheckpoint: number;
  thr: number;

  constructor(
    readonly prepared: readonly PreparedRun[],
    options: { thr?: number; t?: number; selectedRun?: number; selectedCheckpoint?: number; calibration?: Calibration | null } = {},
  ) {
    this.calibration = options.calibration !== undefined ? options.calibration : (calibrate([...prepared]) ?? null);
    this.thr = options.thr ?? this.calibration?.thr ?? DEFAULT_THRESHOLD.gsm8k;
    this.t = options.t ?? DEFAULT_FRAGILE_T;
    this.selectedRun = options.selectedRun ?? 0;
    this.selectedCheckpoint = options.selectedCheckpoint ?? Math.max(0, (prepared[this.selectedRun]?.run.checkpoints.length ?? 1) - 1);
  }

  setThreshold(thr: number): void {
    if (thr === this.thr) return;
    this.thr = thr;
    this.cachedSummary = undefined;
    this.cachedView = undefined;
  }

  summary() {
    return (this.cachedSummary ??= summarize([...this.prepared], this.thr));
  }

  view() {
    const r = this.prepared[this.selectedRun];
    if (!r) return undefined;
    return (this.cachedView ??= { preMem: preMemAccuracy(r, this.thr), dynamics: exampleDynamics(r, this.thr) });
  }
}
