// The dashboard's messages, both ways, with the runtime guards both sides apply before acting on one.
// Messages cross as JSON (NaN and infinities arrive as null), except the heatmap's columns, which cross as
// ArrayBuffers without copying or encoding.
import type { DashboardModel } from '../../src/core/dashboard/build';
import type { HeatmapData } from '../../src/core/dashboard/heatmap';
import type { SweepCurve } from '../../src/core/dashboard/sweep';

/** The charts and tables that can be exported (PNG) or copied (CSV). */
export const EXPORT_NAMES = ['prediction', 'prediction-train', 'sweep', 'heatmap', 'categories', 'histogram', 'robustness', 'advice'] as const;
export type ExportName = (typeof EXPORT_NAMES)[number];

export type ToHost =
  | { type: 'ready' }
  /** Move p (as thr = log(log(p))); the reply is a model message with ack >= seq. */
  | { type: 'setThreshold'; thr: number; seq: number }
  | { type: 'useCalibrated' }
  | { type: 'select'; run: number; checkpoint: number }
  | { type: 'saveP' }
  | { type: 'openExample'; index: number }
  | { type: 'exportRecollection' }
  | { type: 'openDataset' }
  | { type: 'exportPng'; name: ExportName; dataUrl: string }
  | { type: 'copyCsv'; name: ExportName; csv: string; rows: number };

/** The heatmap rows as sent: HeatmapData with each column's buffer. */
export interface HeatmapMessage {
  /** Changes whenever the rows change (run, p, new results). */
  key: number;
  run: string;
  checkpointIds: string[];
  selectedCheckpoint: number;
  rows: number;
  checkpoints: number;
  example: ArrayBuffer;
  category: ArrayBuffer;
  accuracy: ArrayBuffer;
  preMem: ArrayBuffer;
  trajectory: ArrayBuffer;
  firstMemorized: ArrayBuffer;
}

export interface ModelContext {
  /** File name of the dataset. */
  dataset: string;
  /** File name of premem.json when the session came from one (p can be saved there). */
  configFile: string | null;
  /** Host time to rebuild every panel's data, in ms. */
  computeMs: number;
}

export type FromHost =
  | { type: 'empty'; message: string }
  /**
   * Every panel's data. `ack`: the last setThreshold seq applied. `sweep`: the R²(p) curve, only when it changed
   * since the last model message (null: there is none, no test accuracy); absent means unchanged.
   */
  | { type: 'model'; model: DashboardModel; context: ModelContext; ack: number; sweep?: SweepCurve | null }
  | { type: 'heatmap'; heatmap: HeatmapMessage }
  | { type: 'notice'; level: 'info' | 'error'; text: string };

// --- guards -------------------------------------------------------------------------------------------------

type Check = (v: unknown) => boolean;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
/** A number that may have been NaN or infinite before JSON (then null). */
const num: Check = (v) => typeof v === 'number' || v === null;
const finite: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const int: Check = (v) => Number.isSafeInteger(v);
const nullable = (c: Check): Check => (v) => v === null || c(v);
const optional = (c: Check): Check => (v) => v === undefined || c(v);
const arrayOf = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
const recordOf = (c: Check): Check => (v) => isObject(v) && Object.values(v).every(c);
const shape = (fields: Record<string, Check>): Check => (v) => isObject(v) && Object.entries(fields).every(([k, c]) => c(v[k]));
const oneOf = (...values: unknown[]): Check => (v) => values.includes(v);

const predictionPoint = shape({ checkpoint: str, step: num, preMemAccuracy: num, trainAccuracy: num, testAccuracy: num });
const model: Check = shape({
  meta: shape({
    examples: int,
    runs: arrayOf(shape({ id: str, checkpoints: arrayOf(str), members: int })),
    selectedRun: int,
    selectedCheckpoint: int,
    t: finite,
  }),
  threshold: shape({ thr: finite, p: finite, r2: num, slider: shape({ min: finite, max: finite, step: finite }) }),
  prediction: shape({
    series: arrayOf(shape({ run: str, points: arrayOf(predictionPoint) })),
    n: int,
    r2: num,
    r2Linear: num,
    trainR2: num,
    trainR2Linear: num,
    leaveOneRunOut: nullable(shape({ mae: num, r2: num })),
  }),
  categories: nullable(shape({ checkpoints: arrayOf(str), counts: recordOf(arrayOf(num)), total: int, members: int, selected: int })),
  histogram: nullable(
    shape({ checkpoint: str, bins: arrayOf(shape({ lo: num, hi: num, count: int, fragile: bool })), t: num, scored: int, atOrUnderT: int, share: num }),
  ),
  robustness: nullable(
    shape({
      checkpoint: str,
      checkpointIndex: int,
      perturbations: arrayOf(str),
      bins: arrayOf(shape({ lo: num, hi: num, count: int, original: num, perturbed: recordOf(num) })),
    }),
  ),
  advice: shape({
    rows: arrayOf(
      shape({
        run: str,
        checkpoint: str,
        step: num,
        epoch: num,
        trainAccuracy: num,
        predictedTestAccuracy: num,
        testAccuracy: num,
        testPerplexity: num,
        diversity: num,
        memorizedShare: num,
        overMemorized: bool,
        bestPredictedInRun: bool,
      }),
    ),
    best: nullable(shape({ run: str, checkpoint: str, predictedTestAccuracy: num, testAccuracy: num })),
    overMemorized: int,
    hasTestPerplexity: bool,
    hasDiversity: bool,
  }),
});
const sweepPoint = shape({ thr: finite, p: finite, r2: num });
const sweep: Check = shape({ points: arrayOf(sweepPoint), calibrated: sweepPoint });

const isArrayBuffer = (v: unknown): v is ArrayBuffer => Object.prototype.toString.call(v) === '[object ArrayBuffer]';

/** Byte sizes of the heatmap columns for `rows` rows of `checkpoints` cells. */
function heatmapSizes(rows: number, checkpoints: number): Record<'example' | 'category' | 'accuracy' | 'preMem' | 'trajectory' | 'firstMemorized', number> {
  return { example: rows * 4, category: rows * checkpoints, accuracy: rows * checkpoints, preMem: rows * 4, trajectory: rows, firstMemorized: rows * 2 };
}

export function isHeatmapMessage(v: unknown): v is HeatmapMessage {
  if (!shape({ key: int, run: str, checkpointIds: arrayOf(str), selectedCheckpoint: int, rows: int, checkpoints: int })(v)) return false;
  const h = v as unknown as HeatmapMessage;
  if (h.rows < 0 || h.checkpoints < 0 || h.checkpointIds.length !== h.checkpoints) return false;
  return Object.entries(heatmapSizes(h.rows, h.checkpoints)).every(([k, size]) => {
    const b = (h as unknown as Record<string, unknown>)[k];
    return isArrayBuffer(b) && b.byteLength === size;
  });
}

export function isFromHost(v: unknown): v is FromHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'empty':
      return str(v.message);
    case 'model':
      return model(v.model) && shape({ dataset: str, configFile: nullable(str), computeMs: finite })(v.context) && int(v.ack) && optional(nullable(sweep))(v.sweep);
    case 'heatmap':
      return isHeatmapMessage(v.heatmap);
    case 'notice':
      return oneOf('info', 'error')(v.level) && str(v.text);
    default:
      return false;
  }
}

/** Largest PNG (as a data URL) and CSV text accepted from the webview. */
export const MAX_PNG_CHARS = 64 * 1024 * 1024;
export const MAX_CSV_CHARS = 256 * 1024 * 1024;

export function isToHost(v: unknown): v is ToHost {
  if (!isObject(v)) return false;
  const name = oneOf(...EXPORT_NAMES);
  switch (v.type) {
    case 'ready':
    case 'useCalibrated':
    case 'saveP':
    case 'exportRecollection':
    case 'openDataset':
      return true;
    case 'setThreshold':
      return finite(v.thr) && int(v.seq);
    case 'select':
      return int(v.run) && int(v.checkpoint) && (v.run as number) >= 0 && (v.checkpoint as number) >= 0;
    case 'openExample':
      return int(v.index) && (v.index as number) >= 0;
    case 'exportPng':
      return name(v.name) && typeof v.dataUrl === 'string' && v.dataUrl.startsWith('data:image/png;base64,') && v.dataUrl.length <= MAX_PNG_CHARS;
    case 'copyCsv':
      return name(v.name) && typeof v.csv === 'string' && v.csv.length <= MAX_CSV_CHARS && int(v.rows);
    default:
      return false;
  }
}

// --- heatmap transport --------------------------------------------------------------------------------------

/** Copies out a typed array's bytes unless it owns its whole buffer (then the buffer itself crosses). */
function ownBuffer(a: ArrayBufferView): ArrayBuffer {
  if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && isArrayBuffer(a.buffer)) return a.buffer;
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice().buffer;
}

export function encodeHeatmap(data: HeatmapData, extra: Pick<HeatmapMessage, 'key' | 'run' | 'checkpointIds' | 'selectedCheckpoint'>): HeatmapMessage {
  return {
    ...extra,
    rows: data.rows,
    checkpoints: data.checkpoints,
    example: ownBuffer(data.example),
    category: ownBuffer(data.category),
    accuracy: ownBuffer(data.accuracy),
    preMem: ownBuffer(data.preMem),
    trajectory: ownBuffer(data.trajectory),
    firstMemorized: ownBuffer(data.firstMemorized),
  };
}

export function decodeHeatmap(m: HeatmapMessage): HeatmapData {
  return {
    rows: m.rows,
    checkpoints: m.checkpoints,
    example: new Int32Array(m.example),
    category: new Uint8Array(m.category),
    accuracy: new Uint8Array(m.accuracy),
    preMem: new Float32Array(m.preMem),
    trajectory: new Uint8Array(m.trajectory),
    firstMemorized: new Int16Array(m.firstMemorized),
  };
}
