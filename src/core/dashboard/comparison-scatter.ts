// The run comparison's scatter: one point per example compared, its PreMemAcc at A (x) against B (y). PreMemAcc
// takes few values (multiples of 1/k for k samples), so each point is moved by a small jitter derived from its
// example's index: the same place at every draw, along each axis narrower than the gap between neighbouring values
// on it (A and B may have been sampled differently), so that the clouds around each pair of values stay apart and
// their density shows how many examples share it. The image is a density raster (one dot per cell of a few pixels,
// opacity by log count) and hover and click are answered by a uniform grid index: at a million points a draw visits
// each point once and a hover looks at a few grid cells.
// Pure, free of Node: the host builds the points, the webview lays them out, indexes and draws them.
import type { Rgb } from './heatmap-raster';

/** The examples compared, as they cross to the webview: dataset index, PreMemAcc at A and at B. */
export interface ScatterPoints {
  example: Int32Array<ArrayBuffer>;
  a: Float32Array<ArrayBuffer>;
  b: Float32Array<ArrayBuffer>;
}

/** The points of the examples known on both sides (neither value NaN), in dataset order. */
export function scatterPoints(preMemA: ArrayLike<number>, preMemB: ArrayLike<number>): ScatterPoints {
  let n = 0;
  for (let i = 0; i < preMemA.length; i++) if (preMemA[i] === preMemA[i] && preMemB[i] === preMemB[i]) n++; // x === x: not NaN
  const points = { example: new Int32Array(n), a: new Float32Array(n), b: new Float32Array(n) };
  let k = 0;
  for (let i = 0; i < preMemA.length; i++) {
    if (preMemA[i] !== preMemA[i] || preMemB[i] !== preMemB[i]) continue;
    points.example[k] = i;
    points.a[k] = preMemA[i];
    points.b[k] = preMemB[i];
    k++;
  }
  return points;
}

/** A 32-bit integer hash of an example index (lowbias32): its two 16-bit halves give the jitter along x and y. */
export function hash32(index: number): number {
  let h = index >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hash half as a number in [-1, 1). */
const half = (bits: number) => (bits & 0xffff) / 0x8000 - 1;

/** Values are compared to this resolution when looking for the gap between them. */
const VALUE_STEPS = 10_000;
/** Widest jitter, either side of the value: the clouds of k = 5 samples (values 0.2 apart) stay 0.08 apart. */
export const MAX_SPREAD = 0.06;
/** The plotted range of both axes, room for the widest jitter around [0, 1]. */
export const SCATTER_LO = -MAX_SPREAD;
export const SCATTER_HI = 1 + MAX_SPREAD;

/** The smallest gap between distinct values (to 1e-4) of a column, within [0, 1]; 1 when there are fewer than two. */
export function valueSpacing(column: ArrayLike<number>): number {
  const seen = new Uint8Array(VALUE_STEPS + 1);
  for (let k = 0; k < column.length; k++) seen[Math.min(VALUE_STEPS, Math.max(0, Math.round(column[k] * VALUE_STEPS)))] = 1;
  let last = -1;
  let gap = VALUE_STEPS;
  for (let v = 0; v <= VALUE_STEPS; v++) {
    if (!seen[v]) continue;
    if (last >= 0) gap = Math.min(gap, v - last);
    last = v;
  }
  return gap / VALUE_STEPS;
}

/** Where each point is drawn, in PreMemAcc units: its values moved by at most `spread` along each axis. */
export interface ScatterLayout {
  x: Float32Array;
  y: Float32Array;
  spread: { x: number; y: number };
}

/** The jitter along an axis: a third of the gap between its values, at most MAX_SPREAD. */
const spreadOf = (column: ArrayLike<number>) => Math.min(MAX_SPREAD, valueSpacing(column) / 3);

export function scatterLayout(points: Pick<ScatterPoints, 'example' | 'a' | 'b'>): ScatterLayout {
  const n = points.example.length;
  const spread = { x: spreadOf(points.a), y: spreadOf(points.b) };
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const h = hash32(points.example[k]);
    x[k] = points.a[k] + spread.x * half(h);
    y[k] = points.b[k] + spread.y * half(h >>> 16);
  }
  return { x, y, spread };
}

/** Grid cells per axis of the index: about 2 CSS pixels each on a 300-pixel plot. */
export const SCATTER_INDEX_BINS = 128;

/** The layout's points bucketed by grid cell (counting sort), for nearest-point queries that look at a few cells. */
export class ScatterIndex {
  /** Points of cell c: order[start[c]] .. order[start[c + 1] - 1]. */
  private readonly start: Uint32Array;
  private readonly order: Uint32Array;

  constructor(
    readonly layout: ScatterLayout,
    readonly bins = SCATTER_INDEX_BINS,
  ) {
    const n = layout.x.length;
    const cell = new Uint32Array(n);
    this.start = new Uint32Array(bins * bins + 1);
    for (let k = 0; k < n; k++) {
      cell[k] = this.cellAt(this.bin(layout.x[k]), this.bin(layout.y[k]));
      this.start[cell[k] + 1]++;
    }
    for (let c = 0; c < bins * bins; c++) this.start[c + 1] += this.start[c];
    const next = this.start.slice(0, bins * bins);
    this.order = new Uint32Array(n);
    for (let k = 0; k < n; k++) this.order[next[cell[k]]++] = k;
  }

  private bin(v: number): number {
    return Math.min(this.bins - 1, Math.max(0, Math.floor(((v - SCATTER_LO) / (SCATTER_HI - SCATTER_LO)) * this.bins)));
  }

  private cellAt(bx: number, by: number): number {
    return by * this.bins + bx;
  }

  /** The point nearest (x, y) within `radius` (PreMemAcc units), the first in dataset order on a tie; -1 if none. */
  nearest(x: number, y: number, radius: number): number {
    const { x: xs, y: ys } = this.layout;
    let best = -1;
    let bestDistance = radius * radius;
    for (let by = this.bin(y - radius); by <= this.bin(y + radius); by++) {
      for (let bx = this.bin(x - radius); bx <= this.bin(x + radius); bx++) {
        const c = this.cellAt(bx, by);
        for (let j = this.start[c]; j < this.start[c + 1]; j++) {
          const k = this.order[j];
          const d = (xs[k] - x) ** 2 + (ys[k] - y) ** 2;
          if (d < bestDistance || (d === bestDistance && (best < 0 || k < best))) {
            best = k;
            bestDistance = d;
          }
        }
      }
    }
    return best;
  }
}

/**
 * The layout as a density image of width × height cells over [SCATTER_LO, SCATTER_HI]² (row 0 at the top, the
 * highest B), RGBA in `color`: a cell with points is drawn with an opacity growing with the log of their count, so a
 * lone example stays visible next to a cloud of thousands; empty cells are transparent.
 */
export function rasterizeScatter(layout: Pick<ScatterLayout, 'x' | 'y'>, width: number, height: number, color: Rgb): Uint8ClampedArray<ArrayBuffer> {
  const counts = new Uint32Array(width * height);
  const { x, y } = layout;
  const span = SCATTER_HI - SCATTER_LO;
  let most = 0;
  for (let k = 0; k < x.length; k++) {
    const px = Math.min(width - 1, Math.max(0, Math.floor(((x[k] - SCATTER_LO) / span) * width)));
    const py = Math.min(height - 1, Math.max(0, Math.floor(((SCATTER_HI - y[k]) / span) * height)));
    const n = ++counts[py * width + px];
    if (n > most) most = n;
  }
  const pixels = new Uint8ClampedArray(width * height * 4);
  const scale = Math.log1p(most);
  for (let p = 0; p < counts.length; p++) {
    if (counts[p] === 0) continue;
    pixels[p * 4] = color[0];
    pixels[p * 4 + 1] = color[1];
    pixels[p * 4 + 2] = color[2];
    pixels[p * 4 + 3] = Math.round(255 * (0.45 + (0.55 * Math.log1p(counts[p])) / scale));
  }
  return pixels;
}
