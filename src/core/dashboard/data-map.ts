// Panel "Data map" (Swayamdipta et al. 2020): each example's variability (x) against its confidence (y) over the
// checkpoints up to the selected one, coloured by its PreMemAcc bucket. Examples are counted into a grid of cells
// per bucket, so that a million examples cross to the webview as a few thousand counts and draw in one pass.
// Pure, free of Node: the webview rasterises the same grid.
import { Bucket } from '../buckets';
import type { ExampleSignals } from '../signals/example-signals';
import type { Rgb } from './heatmap-raster';

/** Cells per axis. */
export const DATA_MAP_BINS = 64;
/** The buckets counted, in the order of a cell's counts. */
export const DATA_MAP_BUCKETS = [Bucket.Fragile, Bucket.AtRisk, Bucket.Robust] as const;
/** q lies in [0, 1], so its standard deviation lies in [0, 0.5]: the x axis. */
export const MAX_VARIABILITY = 0.5;

/** q per checkpoint: sample accuracy, or 1 / target perplexity. */
export type DataMapQ = 'accuracy' | 'perplexity';

export interface DataMapGrid {
  bins: number;
  /** counts[((y * bins) + x) * 3 + b]: examples in variability cell x, confidence cell y, bucket DATA_MAP_BUCKETS[b]. */
  counts: Uint32Array<ArrayBuffer>;
  /** Examples placed (confidence, variability and PreMemAcc known). */
  placed: number;
}

const cellOf = (value: number, max: number, bins: number) => Math.min(bins - 1, Math.max(0, Math.floor((value / max) * bins)));

/** The bucket of a known PreMemAcc (at the session's t). */
export type BucketOf = (preMemAccuracy: number) => Bucket;

/** The grid of the examples listed; examples with an unknown value are left out. */
export function dataMapGrid(
  confidence: ArrayLike<number>,
  variability: ArrayLike<number>,
  preMem: ArrayLike<number>,
  examples: ArrayLike<number>,
  bucketOf: BucketOf,
  bins = DATA_MAP_BINS,
): DataMapGrid {
  const counts = new Uint32Array(bins * bins * 3);
  let placed = 0;
  for (let k = 0; k < examples.length; k++) {
    const i = examples[k];
    const c = confidence[i];
    const v = variability[i];
    const a = preMem[i];
    if (c !== c || v !== v || a !== a) continue; // x !== x: NaN
    const bucket = bucketOf(a);
    const b = bucket === Bucket.Fragile ? 0 : bucket === Bucket.AtRisk ? 1 : 2;
    counts[(cellOf(c, 1, bins) * bins + cellOf(v, MAX_VARIABILITY, bins)) * 3 + b]++;
    placed++;
  }
  return { bins, counts, placed };
}

/** The cell under a point given as fractions of the plot (x right, y up), or undefined outside it. */
export function dataMapCellAt(grid: Pick<DataMapGrid, 'bins'>, fx: number, fy: number): { x: number; y: number } | undefined {
  if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return undefined;
  return { x: Math.floor(fx * grid.bins), y: Math.floor(fy * grid.bins) };
}

/**
 * One RGBA pixel per cell, confidence upwards (row 0 is the top, the highest confidence). A cell's colour is the
 * mix of its buckets' colours weighted by their counts (a fragile minority tints a robust cell rather than
 * vanishing), its opacity grows with the log of its count; empty cells are transparent.
 */
export function rasterizeDataMap(grid: DataMapGrid, colors: readonly [Rgb, Rgb, Rgb]): Uint8ClampedArray<ArrayBuffer> {
  const { bins, counts } = grid;
  const pixels = new Uint8ClampedArray(bins * bins * 4);
  let most = 0;
  for (let cell = 0; cell < bins * bins; cell++) most = Math.max(most, counts[cell * 3] + counts[cell * 3 + 1] + counts[cell * 3 + 2]);
  const scale = Math.log1p(most);
  for (let y = 0; y < bins; y++) {
    for (let x = 0; x < bins; x++) {
      const cell = (y * bins + x) * 3;
      const n = counts[cell] + counts[cell + 1] + counts[cell + 2];
      if (n === 0) continue;
      const out = ((bins - 1 - y) * bins + x) * 4;
      for (let channel = 0; channel < 3; channel++) {
        pixels[out + channel] = (counts[cell] * colors[0][channel] + counts[cell + 1] * colors[1][channel] + counts[cell + 2] * colors[2][channel]) / n;
      }
      pixels[out + 3] = Math.round(255 * (0.35 + (0.65 * Math.log1p(n)) / scale));
    }
  }
  return pixels;
}

/** The confidence and variability columns of the map of q. */
export function dataMapAxes(values: ExampleSignals['values'], q: DataMapQ): { confidence: ArrayLike<number>; variability: ArrayLike<number> } {
  return q === 'accuracy' ? { confidence: values.confidenceAccuracy, variability: values.variabilityAccuracy } : { confidence: values.confidence, variability: values.variability };
}

/** Both data maps of one run at one checkpoint; perplexity null when no example has one. */
export function dataMaps(signals: Pick<ExampleSignals, 'values' | 'examples'>, bucketOf: BucketOf): { accuracy: DataMapGrid; perplexity: DataMapGrid | null } {
  const { values, examples } = signals;
  const map = (q: DataMapQ) => {
    const { confidence, variability } = dataMapAxes(values, q);
    return dataMapGrid(confidence, variability, values.preMemAccuracy, examples, bucketOf);
  };
  const perplexity = map('perplexity');
  return { accuracy: map('accuracy'), perplexity: perplexity.placed > 0 ? perplexity : null };
}

/** The examples dataMapGrid counts into cell (x, y) of the map of q, in dataset order. */
export function dataMapCellExamples(signals: Pick<ExampleSignals, 'values' | 'examples'>, q: DataMapQ, x: number, y: number, bins = DATA_MAP_BINS): number[] {
  const { values, examples } = signals;
  const { confidence, variability } = dataMapAxes(values, q);
  const preMem = values.preMemAccuracy;
  const out: number[] = [];
  for (let k = 0; k < examples.length; k++) {
    const i = examples[k];
    const c = confidence[i];
    const v = variability[i];
    if (c !== c || v !== v || preMem[i] !== preMem[i]) continue; // as dataMapGrid: NaN is left out
    if (cellOf(c, 1, bins) === y && cellOf(v, MAX_VARIABILITY, bins) === x) out.push(i);
  }
  return out;
}
