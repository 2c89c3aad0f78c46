// The dashboard's messages, both ways, with the runtime guards both sides apply before acting on one (built from
// the shared exact checks in webview/shared/guards.ts).
// Messages cross as JSON (NaN and infinities arrive as null), except the columns of the heatmap, the data map's
// grids and the comparison's points, which cross as ArrayBuffers without copying or encoding.
import type { AdviceRow, CheckpointAdvice } from '../../src/core/dashboard/advice';
import type { DashboardMeta, DashboardModel, DashboardRunInfo } from '../../src/core/dashboard/build';
import type { CategoryStacks } from '../../src/core/dashboard/categories';
import { DATA_MAP_BINS, type DataMapQ } from '../../src/core/dashboard/data-map';
import type { HeatmapData } from '../../src/core/dashboard/heatmap';
import type { HistogramBin, PreMemHistogram } from '../../src/core/dashboard/histogram';
import type { PredictionData, PredictionPoint, PredictionSeries } from '../../src/core/dashboard/prediction';
import type { RobustnessBin, RobustnessData } from '../../src/core/dashboard/robustness';
import type { SweepCurve, SweepPoint, ThresholdState } from '../../src/core/dashboard/sweep';
import { CATEGORY_NAMES, type CategoryName } from '../../src/core/metrics/dynamics';
import { SIGNAL_NAMES, type SignalOverlap } from '../../src/core/signals/example-signals';
import {
  arrayOf,
  type Checker,
  isArrayBuffer,
  isBoolean,
  isCount,
  isFiniteNumber,
  isIndex,
  isInteger,
  isJsonNumber,
  isString,
  isStringOrNull,
  literal,
  type MessageChecks,
  messageGuard,
  nullable,
  oneOf,
  optional,
  recordOf,
  shape,
} from '../shared/guards';

/** The charts and tables that can be exported (PNG) or copied (CSV). */
export const EXPORT_NAMES = ['prediction', 'prediction-train', 'sweep', 'heatmap', 'categories', 'histogram', 'robustness', 'advice', 'data-map', 'overlaps'] as const;
export type ExportName = (typeof EXPORT_NAMES)[number];

export type WebviewMessage =
  | { type: 'ready' }
  /** Move p (as thr = log(log(p))); the reply is a model message with a seq at least this one. */
  | { type: 'setThreshold'; thr: number; seq: number }
  | { type: 'useCalibrated' }
  | { type: 'select'; run: number; checkpoint: number }
  | { type: 'saveP' }
  | { type: 'openExample'; index: number }
  | { type: 'exportRecollection' }
  /** Write the HTML report of what the dashboard shows (premem.exportReport). */
  | { type: 'exportReport' }
  | { type: 'openDataset' }
  | { type: 'exportPng'; name: ExportName; dataUrl: string }
  | { type: 'copyCsv'; name: ExportName; csv: string; rows: number }
  /** The share x (0 < x <= 1) of the signal overlaps; answered with an overlaps message. */
  | { type: 'setOverlapShare'; share: number }
  /** Compare the selected run and checkpoint (A) with B (null: no comparison); answered with a comparison message. */
  | { type: 'compareWith'; b: { run: number; checkpoint: number } | null }
  /** List the examples of one cell of the A-vs-B PreMemAcc grid (row: A's bin, column: B's). */
  | { type: 'compareCell'; a: number; b: number }
  /** List the examples of one cell of the data map of q (x: variability bin, y: confidence bin). */
  | { type: 'dataMapCell'; q: DataMapQ; x: number; y: number };

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

/** The data map's grids as sent: DataMapGrid counts (Uint32) per q, each column's buffer. */
export interface DataMapMessage {
  /** Changes whenever the grids change (run, checkpoint, p, t, new results). */
  key: number;
  run: string;
  checkpoint: string;
  bins: number;
  /** q = sample accuracy. */
  accuracy: ArrayBuffer;
  placedAccuracy: number;
  /** q = 1 / target perplexity; null when the run's logs hold no perplexity. */
  perplexity: ArrayBuffer | null;
  placedPerplexity: number;
}

/** Each signal's bottom-x% Jaccard overlap with PreMemAcc's (signalOverlaps) at one run and checkpoint. */
export interface OverlapsMessage {
  run: string;
  checkpoint: string;
  share: number;
  rows: SignalOverlap[];
}

/** The grid's size: COMPARISON_BINS × COMPARISON_BINS bins of PreMemAcc. */
export const COMPARISON_BINS = 10;
/** Most examples listed for one cell of the comparison grid or of the data map. */
export const COMPARISON_CELL_MAX = 100;

/** The examples of one cell of the data map of q, as dataMapGrid counts them. */
export interface DataMapCellMessage {
  q: DataMapQ;
  x: number;
  y: number;
  /** Examples in the cell; at most COMPARISON_CELL_MAX are listed. */
  total: number;
  examples: { index: number; confidence: number; variability: number; preMem: number }[];
}

// The transitions of src/core/compare/compare-checkpoints.ts, spelled out here: that module reaches Node-only code,
// which the webview's build leaves out (the host's assignment checks that the two agree).
const LEARNED = ['stayed-learned', 'stayed-unlearned', 'newly-learned', 'forgotten'] as const;
const MEMORIZATION = ['never', 'same', 'earlier', 'later', 'only-a', 'only-b'] as const;

interface CheckpointSide {
  run: string;
  checkpoint: string;
  step: number;
}

interface TransitionCounts {
  /** "from->to" bucket names, e.g. "fragile->robust". */
  buckets: Record<string, number>;
  learned: Record<(typeof LEARNED)[number], number>;
  memorization: Record<(typeof MEMORIZATION)[number], number>;
}

/**
 * compareCheckpoints's summary: counts per transition, the A-vs-B PreMemAcc grid (scatterGrid), and one point per
 * example compared (ScatterPoints: `compared` Int32 dataset indices, Float32 PreMemAcc at A and at B).
 */
export interface ComparisonMessage {
  a: CheckpointSide;
  b: CheckpointSide;
  compared: number;
  counts: TransitionCounts;
  grid: number[][];
  example: ArrayBuffer;
  preMemA: ArrayBuffer;
  preMemB: ArrayBuffer;
}

export interface ComparisonCellMessage {
  a: number;
  b: number;
  /** Examples in the cell; at most COMPARISON_CELL_MAX are listed. */
  total: number;
  examples: { index: number; preMemA: number; preMemB: number }[];
}

export interface ModelContext {
  /** File name of the dataset. */
  dataset: string;
  /** File name of premem.json when the session came from one (p can be saved there). */
  configFile: string | null;
  /** Host time to rebuild every panel's data, in ms. */
  computeMs: number;
}

export type HostMessage =
  | { type: 'empty'; message: string }
  /**
   * Every panel's data. `seq`: that of the last setThreshold applied (0 before any). `sweep`: the R²(p) curve, only when it changed
   * since the last model message (null: there is none, no test accuracy); absent means unchanged.
   */
  | { type: 'model'; model: DashboardModel; context: ModelContext; seq: number; sweep?: SweepCurve | null }
  | { type: 'heatmap'; heatmap: HeatmapMessage }
  | { type: 'dataMap'; dataMap: DataMapMessage }
  | { type: 'overlaps'; overlaps: OverlapsMessage }
  /** null: no B chosen, or B cannot be compared (the notice says why). */
  | { type: 'comparison'; comparison: ComparisonMessage | null }
  | { type: 'comparisonCell'; cell: ComparisonCellMessage }
  | { type: 'dataMapCell'; cell: DataMapCellMessage }
  | { type: 'notice'; level: 'info' | 'error'; text: string };

// --- guards -------------------------------------------------------------------------------------------------

/** Largest PNG (as a data URL) and CSV text accepted from the webview. */
export const MAX_PNG_CHARS = 64 * 1024 * 1024;
export const MAX_CSV_CHARS = 256 * 1024 * 1024;

const num = isJsonNumber;
const isPredictionPoint = shape<PredictionPoint>({ checkpoint: isString, step: num, preMemAccuracy: num, trainAccuracy: num, testAccuracy: num });
const isPrediction = shape<PredictionData>({
  series: arrayOf(shape<PredictionSeries>({ run: isString, points: arrayOf(isPredictionPoint) })),
  n: isInteger,
  r2: num,
  r2Linear: num,
  trainR2: num,
  trainR2Linear: num,
  leaveOneRunOut: nullable(shape({ mae: num, r2: num })),
});
const isCategoryCounts = shape<CategoryStacks['counts']>(
  Object.fromEntries(CATEGORY_NAMES.map((name) => [name, arrayOf(num)])) as { [K in CategoryName]: Checker<number[]> },
);
const isCategories = shape<CategoryStacks>({ checkpoints: arrayOf(isString), counts: isCategoryCounts, total: isInteger, members: isInteger, selected: isInteger });
const isHistogram = shape<PreMemHistogram>({
  checkpoint: isString,
  bins: arrayOf(shape<HistogramBin>({ lo: num, hi: num, count: isInteger, fragile: isBoolean })),
  t: num,
  scored: isInteger,
  atOrUnderT: isInteger,
  share: num,
});
const isRobustness = shape<RobustnessData>({
  checkpoint: isString,
  checkpointIndex: isInteger,
  perturbations: arrayOf(isString),
  bins: arrayOf(shape<RobustnessBin>({ lo: num, hi: num, count: isInteger, original: num, perturbed: recordOf(num) })),
});
const isAdviceRow = shape<AdviceRow>({
  run: isString,
  checkpoint: isString,
  step: num,
  epoch: num,
  trainAccuracy: num,
  predictedTestAccuracy: num,
  testAccuracy: num,
  testPerplexity: num,
  diversity: num,
  memorizedShare: num,
  overMemorized: isBoolean,
  bestPredictedInRun: isBoolean,
});
const isAdvice = shape<CheckpointAdvice>({
  rows: arrayOf(isAdviceRow),
  best: nullable(shape({ run: isString, checkpoint: isString, predictedTestAccuracy: num, testAccuracy: num })),
  overMemorized: isInteger,
  hasTestPerplexity: isBoolean,
  hasDiversity: isBoolean,
});
const isThreshold = shape<ThresholdState>({
  thr: isFiniteNumber,
  p: isFiniteNumber,
  r2: num,
  slider: shape({ min: isFiniteNumber, max: isFiniteNumber, step: isFiniteNumber }),
});
const isModel = shape<DashboardModel>({
  meta: shape<DashboardMeta>({
    examples: isInteger,
    runs: arrayOf(shape<DashboardRunInfo>({ id: isString, checkpoints: arrayOf(isString), members: isInteger })),
    selectedRun: isInteger,
    selectedCheckpoint: isInteger,
    t: isFiniteNumber,
  }),
  threshold: isThreshold,
  prediction: isPrediction,
  categories: nullable(isCategories),
  histogram: nullable(isHistogram),
  robustness: nullable(isRobustness),
  advice: isAdvice,
});
const isSweepPoint = shape<SweepPoint>({ thr: isFiniteNumber, p: isFiniteNumber, r2: num });
const isSweep = shape<SweepCurve>({ points: arrayOf(isSweepPoint), calibrated: isSweepPoint });

/** Byte sizes of the heatmap columns for `rows` rows of `checkpoints` cells. */
function heatmapSizes(rows: number, checkpoints: number): Record<'example' | 'category' | 'accuracy' | 'preMem' | 'trajectory' | 'firstMemorized', number> {
  return { example: rows * 4, category: rows * checkpoints, accuracy: rows * checkpoints, preMem: rows * 4, trajectory: rows, firstMemorized: rows * 2 };
}

const isHeatmapShape = shape<HeatmapMessage>({
  key: isInteger,
  run: isString,
  checkpointIds: arrayOf(isString),
  selectedCheckpoint: isInteger,
  rows: isCount,
  checkpoints: isCount,
  example: isArrayBuffer,
  category: isArrayBuffer,
  accuracy: isArrayBuffer,
  preMem: isArrayBuffer,
  trajectory: isArrayBuffer,
  firstMemorized: isArrayBuffer,
});

/** Heatmap rows of exactly the declared shape, each column's buffer the size its rows and checkpoints need. */
export function isHeatmapMessage(v: unknown): v is HeatmapMessage {
  if (!isHeatmapShape(v) || v.checkpointIds.length !== v.checkpoints) return false;
  const sizes = heatmapSizes(v.rows, v.checkpoints);
  return (Object.keys(sizes) as (keyof typeof sizes)[]).every((column) => v[column].byteLength === sizes[column]);
}

const isDataMapShape = shape<DataMapMessage>({
  key: isInteger,
  run: isString,
  checkpoint: isString,
  bins: (v): v is number => v === DATA_MAP_BINS,
  accuracy: isArrayBuffer,
  placedAccuracy: isCount,
  perplexity: nullable(isArrayBuffer),
  placedPerplexity: isCount,
});

/** Data map grids of exactly the declared shape, each buffer bins × bins cells of three Uint32 counts. */
export function isDataMapMessage(v: unknown): v is DataMapMessage {
  if (!isDataMapShape(v)) return false;
  const bytes = v.bins * v.bins * 3 * 4;
  return v.accuracy.byteLength === bytes && (v.perplexity === null || v.perplexity.byteLength === bytes);
}

/** A share x of the overlaps: 0 < x <= 1. */
export const isOverlapShare = (v: unknown): v is number => isFiniteNumber(v) && v > 0 && v <= 1;

const isOverlaps = shape<OverlapsMessage>({
  run: isString,
  checkpoint: isString,
  share: isOverlapShare,
  rows: arrayOf(shape<SignalOverlap>({ signal: oneOf(SIGNAL_NAMES), label: isString, examples: isCount, size: isCount, jaccard: num })),
});

const isSide = shape<CheckpointSide>({ run: isString, checkpoint: isString, step: num });
const countsOf = <K extends string>(keys: readonly K[]): Checker<Record<K, number>> => shape(Object.fromEntries(keys.map((k) => [k, isCount])) as { [P in K]-?: Checker<number> });
const isBin = (v: unknown): v is number => isIndex(v) && v < COMPARISON_BINS;
const isGrid = (v: unknown): v is number[][] => arrayOf(arrayOf(isCount))(v) && v.length === COMPARISON_BINS && v.every((row) => row.length === COMPARISON_BINS);
const isComparisonShape = shape<ComparisonMessage>({
  a: isSide,
  b: isSide,
  compared: isCount,
  counts: shape<TransitionCounts>({ buckets: recordOf(isCount), learned: countsOf(LEARNED), memorization: countsOf(MEMORIZATION) }),
  grid: isGrid,
  example: isArrayBuffer,
  preMemA: isArrayBuffer,
  preMemB: isArrayBuffer,
});
/** A comparison of exactly the declared shape, each point column 4 bytes per example compared. */
const isComparison = (v: unknown): v is ComparisonMessage =>
  isComparisonShape(v) && [v.example, v.preMemA, v.preMemB].every((column) => column.byteLength === v.compared * 4);
const isComparisonCell = shape<ComparisonCellMessage>({
  a: isBin,
  b: isBin,
  total: isCount,
  examples: (v): v is ComparisonCellMessage['examples'] =>
    arrayOf(shape<ComparisonCellMessage['examples'][number]>({ index: isIndex, preMemA: num, preMemB: num }))(v) && v.length <= COMPARISON_CELL_MAX,
});

const isDataMapBin = (v: unknown): v is number => isIndex(v) && v < DATA_MAP_BINS;
const isDataMapQ = oneOf(['accuracy', 'perplexity'] as const satisfies readonly DataMapQ[]);
const isDataMapCell = shape<DataMapCellMessage>({
  q: isDataMapQ,
  x: isDataMapBin,
  y: isDataMapBin,
  total: isCount,
  examples: (v): v is DataMapCellMessage['examples'] =>
    arrayOf(shape<DataMapCellMessage['examples'][number]>({ index: isIndex, confidence: num, variability: num, preMem: num }))(v) && v.length <= COMPARISON_CELL_MAX,
});

const isExportName = oneOf(EXPORT_NAMES);

const hostMessageChecks: MessageChecks<HostMessage> = {
  empty: shape({ type: literal('empty'), message: isString }),
  model: shape({
    type: literal('model'),
    model: isModel,
    context: shape<ModelContext>({ dataset: isString, configFile: isStringOrNull, computeMs: isFiniteNumber }),
    seq: isInteger,
    sweep: optional(nullable(isSweep)),
  }),
  heatmap: shape({ type: literal('heatmap'), heatmap: isHeatmapMessage }),
  dataMap: shape({ type: literal('dataMap'), dataMap: isDataMapMessage }),
  overlaps: shape({ type: literal('overlaps'), overlaps: isOverlaps }),
  comparison: shape({ type: literal('comparison'), comparison: nullable(isComparison) }),
  comparisonCell: shape({ type: literal('comparisonCell'), cell: isComparisonCell }),
  dataMapCell: shape({ type: literal('dataMapCell'), cell: isDataMapCell }),
  notice: shape({ type: literal('notice'), level: oneOf(['info', 'error'] as const), text: isString }),
};

const webviewMessageChecks: MessageChecks<WebviewMessage> = {
  ready: shape({ type: literal('ready') }),
  setThreshold: shape({ type: literal('setThreshold'), thr: isFiniteNumber, seq: isInteger }),
  useCalibrated: shape({ type: literal('useCalibrated') }),
  select: shape({ type: literal('select'), run: isIndex, checkpoint: isIndex }),
  saveP: shape({ type: literal('saveP') }),
  openExample: shape({ type: literal('openExample'), index: isIndex }),
  exportRecollection: shape({ type: literal('exportRecollection') }),
  exportReport: shape({ type: literal('exportReport') }),
  openDataset: shape({ type: literal('openDataset') }),
  exportPng: shape({
    type: literal('exportPng'),
    name: isExportName,
    dataUrl: (v): v is string => isString(v) && v.startsWith('data:image/png;base64,') && v.length <= MAX_PNG_CHARS,
  }),
  setOverlapShare: shape({ type: literal('setOverlapShare'), share: isOverlapShare }),
  compareWith: shape({ type: literal('compareWith'), b: nullable(shape({ run: isIndex, checkpoint: isIndex })) }),
  compareCell: shape({ type: literal('compareCell'), a: isBin, b: isBin }),
  dataMapCell: shape({ type: literal('dataMapCell'), q: isDataMapQ, x: isDataMapBin, y: isDataMapBin }),
  copyCsv: shape({ type: literal('copyCsv'), name: isExportName, csv: (v): v is string => isString(v) && v.length <= MAX_CSV_CHARS, rows: isCount }),
};

/** A message the host may send, of exactly the declared shape. */
export const isHostMessage = messageGuard<HostMessage>(hostMessageChecks);

/** A message the webview may send, of exactly the declared shape (indices non-negative, exports bounded). */
export const isWebviewMessage = messageGuard<WebviewMessage>(webviewMessageChecks);

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
