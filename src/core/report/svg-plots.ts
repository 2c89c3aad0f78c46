// Static SVG plots for the HTML report: no script, no external resource, colours by CSS class (the report's one
// hashed style sheet), every label escaped. Each function returns one <svg> element.
import type { PreMemHistogram } from '../dashboard/histogram';
import type { PredictionData } from '../dashboard/prediction';
import type { SweepCurve } from '../dashboard/sweep';
import { pFromThreshold, thresholdFromP } from '../metrics/threshold';
import { escapeHtml, fmt } from './html-text';

const W = 520;
const H = 320;
const M = { left: 56, right: 16, top: 16, bottom: 44 };
const plotW = W - M.left - M.right;
const plotH = H - M.top - M.bottom;

interface Scale {
  min: number;
  max: number;
}

const sx = (x: number, s: Scale) => M.left + ((x - s.min) / (s.max - s.min || 1)) * plotW;
const sy = (y: number, s: Scale) => M.top + plotH - ((y - s.min) / (s.max - s.min || 1)) * plotH;
const n2 = (x: number) => x.toFixed(2);

function ticks(s: Scale, count = 5): number[] {
  return Array.from({ length: count + 1 }, (_, k) => s.min + ((s.max - s.min) * k) / count);
}

/** Frame, grid, tick labels and axis titles. */
function axes(x: Scale, y: Scale, xTitle: string, yTitle: string, xTickFormat = (v: number) => fmt(v, 1), yTickFormat = (v: number) => fmt(v, 1)): string {
  const parts: string[] = [];
  for (const v of ticks(x)) {
    parts.push(`<line class="grid" x1="${n2(sx(v, x))}" x2="${n2(sx(v, x))}" y1="${M.top}" y2="${M.top + plotH}"/>`);
    parts.push(`<text class="tick" x="${n2(sx(v, x))}" y="${M.top + plotH + 16}" text-anchor="middle">${escapeHtml(xTickFormat(v))}</text>`);
  }
  for (const v of ticks(y)) {
    parts.push(`<line class="grid" x1="${M.left}" x2="${M.left + plotW}" y1="${n2(sy(v, y))}" y2="${n2(sy(v, y))}"/>`);
    parts.push(`<text class="tick" x="${M.left - 6}" y="${n2(sy(v, y) + 4)}" text-anchor="end">${escapeHtml(yTickFormat(v))}</text>`);
  }
  parts.push(`<rect class="frame" x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}"/>`);
  parts.push(`<text class="axis" x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle">${escapeHtml(xTitle)}</text>`);
  parts.push(`<text class="axis" transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yTitle)}</text>`);
  return parts.join('');
}

function svg(label: string, body: string, width = W, height = H): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title>${body}</svg>`;
}

export const SERIES_CLASSES = 8;

/** Mean PreMemAcc (filled) and train accuracy (hollow) against test accuracy per checkpoint, with y = x. */
export function predictionSvg(data: PredictionData): string {
  const unit = { min: 0, max: 1 };
  const parts = [axes(unit, unit, 'predicted (mean PreMemAcc; hollow: train accuracy)', 'measured test accuracy')];
  parts.push(`<line class="identity" x1="${sx(0, unit)}" y1="${sy(0, unit)}" x2="${sx(1, unit)}" y2="${sy(1, unit)}"/>`);
  data.series.forEach((series, k) => {
    const cls = `s${k % SERIES_CLASSES}`;
    for (const p of series.points) {
      const label = escapeHtml(`${series.run} / ${p.checkpoint}: PreMemAcc ${fmt(p.preMemAccuracy)}, train ${fmt(p.trainAccuracy)}, test ${fmt(p.testAccuracy)}`);
      parts.push(`<circle class="hollow ${cls}" cx="${n2(sx(p.trainAccuracy, unit))}" cy="${n2(sy(p.testAccuracy, unit))}" r="3"><title>${label}</title></circle>`);
      parts.push(`<circle class="dot ${cls}" cx="${n2(sx(p.preMemAccuracy, unit))}" cy="${n2(sy(p.testAccuracy, unit))}" r="4"><title>${label}</title></circle>`);
    }
  });
  return svg('Mean PreMemAcc against measured test accuracy, one point per checkpoint', parts.join(''));
}

/**
 * R²(y = x) of mean PreMemAcc against test accuracy as p varies; the p in use and the calibrated p marked. The
 * x axis is thr = log(log(p)), the calibration grid's own spacing, labelled in p.
 */
export function sweepSvg(curve: SweepCurve, pInUse: number): string {
  const thrs = curve.points.map((q) => q.thr);
  const x = { min: Math.min(...thrs), max: Math.max(...thrs) };
  const ys = curve.points.map((q) => q.r2);
  const y = { min: Math.max(-1, Math.min(0, ...ys)), max: 1 };
  const clampY = (v: number) => Math.max(y.min, v);
  const parts = [axes(x, y, 'p (memorization threshold on target perplexity), log-log spaced', 'R²(y = x)', (v) => fmt(pFromThreshold(v), 3), (v) => fmt(v, 1))];
  const path = curve.points.map((q, k) => `${k ? 'L' : 'M'}${n2(sx(q.thr, x))},${n2(sy(clampY(q.r2), y))}`).join('');
  parts.push(`<path class="line" d="${path}"/>`);
  const mark = (thr: number, cls: string, label: string) =>
    thr >= x.min && thr <= x.max ? `<line class="${cls}" x1="${n2(sx(thr, x))}" x2="${n2(sx(thr, x))}" y1="${M.top}" y2="${M.top + plotH}"><title>${escapeHtml(label)}</title></line>` : '';
  parts.push(mark(curve.calibrated.thr, 'mark-calibrated', `calibrated p = ${fmt(curve.calibrated.p, 4)}, R² = ${fmt(curve.calibrated.r2)}`));
  parts.push(mark(thresholdFromP(pInUse), 'mark-t', `p in use = ${fmt(pInUse, 4)}`));
  return svg('R² of the prediction as a function of p', parts.join(''));
}

/** Per-example PreMemAcc at one checkpoint; bins at or under t coloured as fragile, t marked. */
export function histogramSvg(h: PreMemHistogram): string {
  const x = { min: 0, max: 1 };
  const max = Math.max(1, ...h.bins.map((b) => b.count));
  const y = { min: 0, max };
  const parts = [axes(x, y, `PreMemAcc at ${h.checkpoint}`, 'examples', (v) => fmt(v, 1), (v) => String(Math.round(v)))];
  for (const b of h.bins) {
    const x0 = sx(b.lo, x) + 1;
    const width = Math.max(0, sx(b.hi, x) - sx(b.lo, x) - 2);
    const top = sy(b.count, y);
    parts.push(`<rect class="${b.fragile ? 'bar-fragile' : 'bar'}" x="${n2(x0)}" y="${n2(top)}" width="${n2(width)}" height="${n2(M.top + plotH - top)}"><title>${fmt(b.lo, 2)}–${fmt(b.hi, 2)}: ${b.count}</title></rect>`);
  }
  parts.push(`<line class="mark-t" x1="${n2(sx(h.t, x))}" x2="${n2(sx(h.t, x))}" y1="${M.top}" y2="${M.top + plotH}"><title>t = ${h.t}</title></line>`);
  return svg(`Histogram of PreMemAcc at ${h.checkpoint}`, parts.join(''));
}

/** Category per (row bin, checkpoint): 0 unscored, 1 incorrect, 2 correct, 3 memorized (metrics/dynamics). */
export interface HeatmapBins {
  rows: number;
  checkpoints: string[];
  /** bins × checkpoints, row-major. */
  category: Uint8Array;
  /** Examples per bin. */
  binSize: number;
  examples: number;
}

const CATEGORY_CLASSES = ['c-unscored', 'c-incorrect', 'c-correct', 'c-memorized'];

export function heatmapSvg(h: HeatmapBins): string {
  const width = 520;
  const height = Math.max(120, Math.min(480, h.rows * 4));
  const left = 8;
  const top = 8;
  const cellW = (width - 2 * left) / Math.max(1, h.checkpoints.length);
  const cellH = (height - 2 * top) / Math.max(1, h.rows);
  const parts: string[] = [];
  for (let r = 0; r < h.rows; r++) {
    for (let m = 0; m < h.checkpoints.length; m++) {
      const c = h.category[r * h.checkpoints.length + m];
      parts.push(`<rect class="${CATEGORY_CLASSES[c]}" x="${n2(left + m * cellW)}" y="${n2(top + r * cellH)}" width="${n2(cellW + 0.3)}" height="${n2(cellH + 0.3)}"/>`);
    }
  }
  const label = `Learning progressions: ${h.examples} examples (rows, ${h.binSize} per row, most common category shown) by ${h.checkpoints.length} checkpoints (columns)`;
  return svg(label, parts.join(''), width, height);
}

/**
 * The A-vs-B PreMemAcc scatter of a whole dataset as a grid of counts (compare/scatterGrid): each cell shaded by
 * log(1 + count), the diagonal (no change) outlined.
 */
export function scatterGridSvg(grid: number[][], aLabel: string, bLabel: string): string {
  const unit = { min: 0, max: 1 };
  const bins = grid.length;
  const max = Math.max(1, ...grid.flat());
  const parts = [axes(unit, unit, `PreMemAcc at A (${aLabel})`, `PreMemAcc at B (${bLabel})`)];
  for (let a = 0; a < bins; a++) {
    for (let b = 0; b < bins; b++) {
      const count = grid[a][b];
      const x = sx(a / bins, unit);
      const y = sy((b + 1) / bins, unit);
      const size = plotW / bins;
      const opacity = count ? 0.12 + (0.88 * Math.log1p(count)) / Math.log1p(max) : 0;
      parts.push(
        `<rect class="${a === b ? 'cell diagonal' : 'cell'}" x="${n2(x)}" y="${n2(y)}" width="${n2(size)}" height="${n2(plotH / bins)}" fill-opacity="${opacity.toFixed(3)}"><title>A ${fmt(a / bins, 1)}–${fmt((a + 1) / bins, 1)}, B ${fmt(b / bins, 1)}–${fmt((b + 1) / bins, 1)}: ${count}</title></rect>`,
      );
    }
  }
  return svg('PreMemAcc at A against PreMemAcc at B, examples per cell', parts.join(''));
}
